package dev.weft.frontend.onnx.ops;

import dev.weft.bundle.DType;
import dev.weft.frontend.onnx.ImportContext;
import dev.weft.frontend.onnx.OnnxNode;
import dev.weft.frontend.onnx.OnnxOpLibrary;
import dev.weft.frontend.onnx.OnnxOpTable;
import dev.weft.ir.Attribute;
import dev.weft.ir.Graph;
import dev.weft.ir.GraphBuilder;
import dev.weft.ir.Node;
import dev.weft.ir.Shape;
import dev.weft.ir.Value;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * ai.onnx.preview.training: the optimizers Adagrad, Momentum (standard and Nesterov) and Adam
 * lower onto core elementwise ops, with the scalar learning-rate arithmetic in f64 and the
 * t = 0 cases chosen by select on the run-time step count. Gradient differentiates the part of
 * the enclosing graph between its xs and y, backwards, for add, sub, mul, div, neg and identity
 * (enough for ONNX's tests; any other op on the path is a typed error naming it).
 */
public final class TrainingOnnxOps implements OnnxOpLibrary {
  static final String DOMAIN = "ai.onnx.preview.training";

  @Override
  public void register(OnnxOpTable t) {
    t.add(DOMAIN, "Adagrad", 1, TrainingOnnxOps::adagrad);
    t.add(DOMAIN, "Momentum", 1, TrainingOnnxOps::momentum);
    t.add(DOMAIN, "Adam", 1, TrainingOnnxOps::adam);
    t.add(DOMAIN, "Gradient", 1, TrainingOnnxOps::gradient);
  }

  /** Per-call helpers: the builder, and scalars of one dtype. */
  private record Ops(GraphBuilder b, ImportContext c) {
    Value k(DType t, double v) { return c.scalar(t, v); }

    Value op(String name, Value... in) { return b.op1(name, in); }

    Value cast(Value v, DType t) {
      return v.tensorType().dtype() == t ? v : b.op1("cast", Map.of("to", Attribute.of(t)), v);
    }

    /** norm * x + g (the regularized gradient). */
    Value regularized(Value x, Value g, double norm) {
      return norm == 0 ? g : op("add", op("mul", k(dtype(x), norm), x), g);
    }

    /** t > 0 (T is the i64 step count). */
    Value started(Value t) { return op("greater", t, c.scalar(t.tensorType().dtype(), 0)); }
  }

  static DType dtype(Value v) { return v.tensorType().dtype(); }

  private static int groups(OnnxNode n, ImportContext c, int perTensor) {
    int rest = n.inputCount() - 2;
    if (rest < perTensor || rest % perTensor != 0) {
      throw c.fail(n, "expects R, T and " + perTensor + " equal groups of tensors, got " + n.inputCount() + " inputs");
    }
    return rest / perTensor;
  }

  static List<Value> adagrad(OnnxNode n, ImportContext c) {
    int k = groups(n, c, 3);
    Ops o = new Ops(c.builder(), c);
    double decay = n.attrFloat("decay_factor", 0), eps = n.attrFloat("epsilon", 0), norm = n.attrFloat("norm_coefficient", 0);
    // r / (1 + t * decay), in f64
    Value r64 = o.cast(n.required(0), DType.F64), t64 = o.cast(n.required(1), DType.F64);
    Value rate = o.op("div", r64, o.op("add", o.k(DType.F64, 1), o.op("mul", t64, o.k(DType.F64, decay))));
    List<Value> xs = new ArrayList<>(), hs = new ArrayList<>();
    for (int i = 0; i < k; i++) {
      Value x = n.required(2 + i), g = n.required(2 + k + i), h = n.required(2 + 2 * k + i);
      DType dt = dtype(x);
      Value gr = o.regularized(x, g, norm);
      Value h2 = o.op("add", h, o.op("mul", gr, gr));
      Value denom = o.op("add", o.op("sqrt", h2), o.k(dt, eps));
      xs.add(o.op("sub", x, o.op("div", o.op("mul", o.cast(rate, dt), gr), denom)));
      hs.add(h2);
    }
    xs.addAll(hs);
    return xs;
  }

  static List<Value> momentum(OnnxNode n, ImportContext c) {
    int k = groups(n, c, 3);
    Ops o = new Ops(c.builder(), c);
    double alpha = n.requireAttr("alpha").getF(), beta = n.requireAttr("beta").getF();
    double norm = n.requireAttr("norm_coefficient").getF();
    String mode = n.requireAttr("mode").getS().toStringUtf8();
    if (!mode.equals("standard") && !mode.equals("nesterov")) throw c.fail(n, "mode must be 'standard' or 'nesterov', got '" + mode + "'");
    Value started = o.started(n.required(1));
    List<Value> xs = new ArrayList<>(), vs = new ArrayList<>();
    for (int i = 0; i < k; i++) {
      Value x = n.required(2 + i), g = n.required(2 + k + i), v = n.required(2 + 2 * k + i);
      DType dt = dtype(x);
      Value r = o.cast(n.required(0), dt);
      Value gr = o.regularized(x, g, norm);
      // The gradient's coefficient is 1 at the first step (t = 0).
      Value b = o.b().op1("select", started, o.k(dt, beta), o.k(dt, 1));
      Value v2 = o.op("add", o.op("mul", o.k(dt, alpha), v), o.op("mul", b, gr));
      Value step = mode.equals("standard") ? v2 : o.op("add", gr, o.op("mul", o.k(dt, alpha), v2));
      xs.add(o.op("sub", x, o.op("mul", r, step)));
      vs.add(v2);
    }
    xs.addAll(vs);
    return xs;
  }

  static List<Value> adam(OnnxNode n, ImportContext c) {
    int k = groups(n, c, 4);
    Ops o = new Ops(c.builder(), c);
    double alpha = n.attrFloat("alpha", 0.9), beta = n.attrFloat("beta", 0.999), eps = n.attrFloat("epsilon", 0);
    double norm = n.attrFloat("norm_coefficient", 0), post = n.attrFloat("norm_coefficient_post", 0);
    // r * sqrt(1 - beta^t) / (1 - alpha^t) once t > 0 (bias correction), else r; in f64.
    Value r64 = o.cast(n.required(0), DType.F64), t64 = o.cast(n.required(1), DType.F64);
    Value one = o.k(DType.F64, 1);
    Value corrected = o.op("div", o.op("mul", r64, o.op("sqrt", o.op("sub", one, o.op("pow", o.k(DType.F64, beta), t64)))),
        o.op("sub", one, o.op("pow", o.k(DType.F64, alpha), t64)));
    Value rate = o.b().op1("select", o.started(n.required(1)), corrected, r64);
    List<Value> xs = new ArrayList<>(), vs = new ArrayList<>(), hs = new ArrayList<>();
    for (int i = 0; i < k; i++) {
      Value x = n.required(2 + i), g = n.required(2 + k + i), v = n.required(2 + 2 * k + i), h = n.required(2 + 3 * k + i);
      DType dt = dtype(x);
      Value gr = o.regularized(x, g, norm);
      Value v2 = o.op("add", o.op("mul", o.k(dt, alpha), v), o.op("mul", o.k(dt, 1 - alpha), gr));
      Value h2 = o.op("add", o.op("mul", o.k(dt, beta), h), o.op("mul", o.k(dt, 1 - beta), o.op("mul", gr, gr)));
      Value denom = o.op("add", o.op("sqrt", h2), o.k(dt, eps));
      Value x2 = o.op("sub", x, o.op("mul", o.cast(rate, dt), o.op("div", v2, denom)));
      xs.add(post == 0 ? x2 : o.op("mul", o.k(dt, 1 - post), x2));
      vs.add(v2);
      hs.add(h2);
    }
    xs.addAll(vs);
    xs.addAll(hs);
    return xs;
  }

  // ---- Gradient ----

  static List<Value> gradient(OnnxNode n, ImportContext c) {
    List<String> xsNames = n.attrStrings("xs", null);
    if (xsNames == null || xsNames.isEmpty()) throw c.fail(n, "missing required attribute 'xs'");
    String yName = n.attrString("y", null);
    if (yName == null) throw c.fail(n, "missing required attribute 'y'");
    if (n.inputCount() != xsNames.size()) {
      throw c.fail(n, "takes " + n.inputCount() + " inputs; only xs (not zs) are supported, " + xsNames.size() + " of them");
    }
    Graph g = c.builder().graph();
    List<Value> xs = new ArrayList<>();
    for (int i = 0; i < xsNames.size(); i++) {
      Value x = n.required(i);
      if (!x.name().equals(xsNames.get(i))) {
        throw c.fail(n, "input " + i + " must be '" + xsNames.get(i) + "' itself (evaluating y at other values is not supported)");
      }
      xs.add(x);
    }
    Value y = find(g, yName);
    if (y == null) throw c.fail(n, "y '" + yName + "' is not computed before this node in the same graph");
    GraphBuilder b = c.builder();
    // Values that depend on some x; nodes are in topological order.
    Set<Value> dep = new HashSet<>(xs);
    List<Node> path = new ArrayList<>();
    for (Node node : g.nodes()) {
      boolean d = false;
      for (Value in : node.inputs()) d |= in != null && dep.contains(in);
      if (!d) continue;
      path.add(node);
      dep.addAll(node.outputs());
    }
    Map<Value, Value> grad = new HashMap<>();
    grad.put(y, b.op1("broadcast", c.scalar(dtype(y), 1), b.op1("shape_of", y)));
    for (int i = path.size() - 1; i >= 0; i--) {
      Node node = path.get(i);
      if (node.outputs().size() != 1 || !grad.containsKey(node.output(0))) continue;
      Value gy = grad.get(node.output(0));
      List<Value> in = node.inputs();
      Value[] gin = switch (node.opName()) {
        case "add" -> new Value[] {gy, gy};
        case "sub" -> new Value[] {gy, b.op1("neg", gy)};
        case "mul" -> new Value[] {b.op1("mul", gy, in.get(1)), b.op1("mul", gy, in.get(0))};
        case "div" -> new Value[] {b.op1("div", gy, in.get(1)),
            b.op1("neg", b.op1("div", b.op1("mul", gy, in.get(0)), b.op1("mul", in.get(1), in.get(1))))};
        case "neg" -> new Value[] {b.op1("neg", gy)};
        case "identity" -> new Value[] {gy};
        default -> throw c.fail(n, "cannot differentiate through '" + node.opName() + "' (node producing %"
            + node.output(0).name() + "); Gradient supports add, sub, mul, div, neg, identity");
      };
      for (int k = 0; k < gin.length; k++) {
        Value v = in.get(k);
        if (!dep.contains(v)) continue;
        Value gv = unbroadcast(n, c, gin[k], v);
        grad.merge(v, gv, (p, q) -> b.op1("add", p, q));
      }
    }
    List<Value> out = new ArrayList<>();
    for (Value x : xs) {
      Value gx = grad.get(x);
      out.add(gx != null ? gx : b.op1("broadcast", c.scalar(dtype(x), 0), b.op1("shape_of", x)));
    }
    return out;
  }

  private static Value find(Graph g, String name) {
    for (Value v : g.inputs()) if (v.name().equals(name)) return v;
    for (Node node : g.nodes()) for (Value v : node.outputs()) if (v != null && v.name().equals(name)) return v;
    return null;
  }

  /** Sums a broadcast gradient back to its operand's (static) shape. */
  private static Value unbroadcast(OnnxNode n, ImportContext c, Value grad, Value operand) {
    Shape gs = grad.tensorType().shape(), os = operand.tensorType().shape();
    if (gs.equals(os)) return grad;
    if (!gs.isStatic() || !os.isStatic()) {
      throw c.fail(n, "Gradient through broadcasting needs static shapes, got " + gs + " and " + os);
    }
    long[] g = gs.sizes(), o = os.sizes();
    int lead = g.length - o.length;
    List<Long> axes = new ArrayList<>();
    for (int i = 0; i < g.length; i++) if (i < lead || (o[i - lead] == 1 && g[i] != 1)) axes.add((long) i);
    GraphBuilder b = c.builder();
    Value s = grad;
    if (!axes.isEmpty()) {
      long[] ax = axes.stream().mapToLong(Long::longValue).toArray();
      s = b.op1("reduce_sum", Map.of("axes", Attribute.of(ax), "keepdims", Attribute.of(1L)), s);
    }
    return b.op1("reshape", Map.of("shape", Attribute.of(o)), s);
  }
}
