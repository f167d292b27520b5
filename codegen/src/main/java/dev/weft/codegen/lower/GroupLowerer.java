package dev.weft.codegen.lower;

import dev.weft.bundle.DType;
import dev.weft.bundle.Tensor;
import dev.weft.codegen.kir.Buffer;
import dev.weft.codegen.kir.Expr;
import dev.weft.codegen.kir.ExprFactory;
import dev.weft.codegen.kir.FreeVars;
import dev.weft.codegen.kir.Kernel;
import dev.weft.codegen.kir.MathLib;
import dev.weft.ir.Constants;
import dev.weft.ir.Graph;
import dev.weft.ir.GraphBuilder;
import dev.weft.ir.Node;
import dev.weft.ir.TensorType;
import dev.weft.ir.Value;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * Lowers one closed graph (a {@code fused} node's body, or a single node wrapped as one) to
 * kernels. Every result is an expression of its element index: producers inside the graph are
 * inlined (elementwise chains become one expression, reductions become REDUCE nodes that the
 * emitter hoists), graph inputs are loads from parameter buffers. Results of different shapes
 * get one kernel each. Composites without a rule lower through their decomposition.
 */
public final class GroupLowerer {
  private final ExprFactory f = new ExprFactory();
  private final MathLib math = new MathLib(f);
  private final LoweringTable table;
  private final Function<Value, Tensor> outerConstant;
  private final Map<Value, Buffer> inputBuffers = new IdentityHashMap<>();
  private final Map<Value, Buffer> constantBuffers = new IdentityHashMap<>();
  private final Map<Value, Value> aliases = new IdentityHashMap<>();
  private final Map<Node, Graph> expansions = new IdentityHashMap<>();
  private final Map<Key, Expr> memo = new HashMap<>();
  private final Set<Key> inProgress = new HashSet<>();

  private record Key(Value value, List<Expr> index) { }

  /** The result: kernels in execution order, and which graph value each parameter buffer stands for. */
  public record Lowered(List<Kernel> kernels, Map<Buffer, Value> bindings) { }

  private GroupLowerer(LoweringTable table, Function<Value, Tensor> outerConstant) {
    this.table = table;
    this.outerConstant = outerConstant;
  }

  /**
   * @param name kernel name prefix (a C identifier)
   * @param body the closed graph; its inputs are parameters, its outputs are written
   * @param outerConstant compile-time values of body inputs, when the caller knows them (null otherwise)
   * @param source what the kernels came from, for messages
   */
  public static Lowered lower(String name, Graph body, Function<Value, Tensor> outerConstant, String source) {
    return new GroupLowerer(LoweringTable.global(), outerConstant == null ? v -> null : outerConstant).run(name, body, source);
  }

  ExprFactory factory() { return f; }

  MathLib math() { return math; }

  private Lowered run(String name, Graph body, String source) {
    Map<Buffer, Value> bindings = new LinkedHashMap<>();
    for (Value in : body.inputs()) {
      TensorType t = tensor(in, null);
      Buffer b = new Buffer(cName(in.name()), t.dtype(), staticShape(in, null));
      inputBuffers.put(in, b);
    }
    Map<String, List<Integer>> byShape = new LinkedHashMap<>();
    for (int k = 0; k < body.outputs().size(); k++) {
      byShape.computeIfAbsent(Arrays.toString(staticShape(body.outputs().get(k), null)), s -> new ArrayList<>()).add(k);
    }
    List<Kernel> kernels = new ArrayList<>();
    Map<Value, Buffer> outputBuffers = new IdentityHashMap<>();
    int part = 0;
    for (List<Integer> outs : byShape.values()) {
      long[] shape = staticShape(body.outputs().get(outs.get(0)), null);
      List<Kernel.Loop> loops = new ArrayList<>();
      Expr[] idx = new Expr[shape.length];
      for (int d = 0; d < shape.length; d++) {
        idx[d] = f.newVar("i");
        loops.add(new Kernel.Loop(idx[d], shape[d]));
      }
      List<Kernel.Store> stores = new ArrayList<>();
      for (int k : outs) {
        Value out = body.outputs().get(k);
        Buffer ob = outputBuffers.computeIfAbsent(out, v -> new Buffer(cName("out" + k + "_" + v.name()), tensor(v, null).dtype(), shape));
        stores.add(new Kernel.Store(ob, f.linear(idx, shape), value(out, idx)));
      }
      int parallel = schedule(loops, stores);
      List<Buffer> params = new ArrayList<>();
      Set<Buffer> used = usedBuffers(stores);
      for (Value in : body.inputs()) {
        Buffer b = inputBuffers.get(in);
        if (used.contains(b) && !params.contains(b)) {
          params.add(b);
          bindings.putIfAbsent(b, in);
        }
      }
      for (Map.Entry<Value, Buffer> e : constantBuffers.entrySet()) {
        if (used.contains(e.getValue()) && !params.contains(e.getValue())) {
          params.add(e.getValue());
          bindings.putIfAbsent(e.getValue(), e.getKey());
        }
      }
      for (int k : outs) {
        Buffer ob = outputBuffers.get(body.outputs().get(k));
        if (!params.contains(ob)) params.add(ob);
        bindings.putIfAbsent(ob, body.outputs().get(k));
      }
      String kname = byShape.size() == 1 ? name : name + "_" + part;
      kernels.add(new Kernel(kname, params, loops, parallel, stores, source));
      part++;
    }
    return new Lowered(kernels, bindings);
  }

  /**
   * Chooses which loops are parallel: a result dim that some reduction does not depend on
   * becomes an inner serial loop, so the reduction is computed once per row, not per element.
   * Marks serial loops by moving them last; returns the number of parallel loops.
   */
  private int schedule(List<Kernel.Loop> loops, List<Kernel.Store> stores) {
    List<Expr> roots = new ArrayList<>();
    for (Kernel.Store s : stores) roots.add(s.value());
    List<Expr> reductions = FreeVars.reductions(roots);
    FreeVars free = new FreeVars();
    Set<Long> serial = new HashSet<>();
    for (Expr r : reductions) {
      long[] fv = free.of(r);
      Set<Long> deps = new HashSet<>();
      for (long v : fv) deps.add(v);
      // Only reductions over the result's own dims matter; nested ones depend on outer reduce vars.
      boolean overResult = true;
      for (long v : fv) {
        boolean isLoop = false;
        for (Kernel.Loop l : loops) isLoop |= l.var().longValue() == v;
        overResult &= isLoop;
      }
      if (!overResult || r.extent() <= 1) continue;
      for (Kernel.Loop l : loops) if (!deps.contains(l.var().longValue()) && l.extent() > 1) serial.add(l.var().longValue());
    }
    List<Kernel.Loop> par = new ArrayList<>();
    List<Kernel.Loop> ser = new ArrayList<>();
    for (Kernel.Loop l : loops) (serial.contains(l.var().longValue()) ? ser : par).add(l);
    loops.clear();
    loops.addAll(par);
    loops.addAll(ser);
    return par.size();
  }

  private static Set<Buffer> usedBuffers(List<Kernel.Store> stores) {
    Set<Buffer> out = java.util.Collections.newSetFromMap(new IdentityHashMap<>());
    Map<Expr, Boolean> seen = new IdentityHashMap<>();
    java.util.ArrayDeque<Expr> work = new java.util.ArrayDeque<>();
    for (Kernel.Store s : stores) {
      work.add(s.value());
      work.add(s.index());
    }
    while (!work.isEmpty()) {
      Expr e = work.pop();
      if (seen.put(e, Boolean.TRUE) != null) continue;
      if (e.kind() == Expr.Kind.LOAD) out.add(e.buffer());
      for (Expr c : new Expr[] {e.a(), e.b(), e.c()}) if (c != null) work.push(c);
    }
    return out;
  }

  /** The element of {@code v} at {@code idx}, inlining its producer or loading it. */
  Expr value(Value v, Expr[] idx) {
    Value target = aliases.getOrDefault(v, v);
    while (aliases.containsKey(target)) target = aliases.get(target);
    Key key = new Key(target, List.of(idx));
    Expr have = memo.get(key);
    if (have != null) return have;
    if (!inProgress.add(key)) throw new LoweringException(target.producer(), "cyclic definition of %" + target.name());
    Expr e = compute(target, idx);
    inProgress.remove(key);
    memo.put(key, e);
    return e;
  }

  private Expr compute(Value v, Expr[] idx) {
    Buffer in = inputBuffers.get(v);
    if (in != null) {
      Tensor c = outerConstant.apply(v);
      if (c != null && c.size() == 1 && c.dtype() != DType.STRING) return scalarConstant(c, v);
      return f.load(in, f.linear(idx, in.shape()));
    }
    Node p = v.producer();
    if (p == null) throw new LoweringException(null, "%" + v.name() + " is read but not defined in the group");
    if (p.opName().equals(Constants.OP)) {
      Tensor c = Constants.valueOf(v);
      if (c.size() == 1) return scalarConstant(c, v);
      Buffer b = constantBuffers.computeIfAbsent(v, x -> new Buffer(cName("const_" + x.name()), c.dtype(), c.shape(), c));
      return f.load(b, f.linear(idx, b.shape()));
    }
    int output = p.outputs().indexOf(v);
    Lowering rule = table.get(p.opName());
    if (rule != null) {
      Expr e = rule.at(new LowerContext(this, p), output, idx);
      DType want = ExprFactory.computeType(tensor(v, p).dtype());
      if (e.type() != want) throw new LoweringException(p, "lowering produced " + e.type() + " for a " + want + " result");
      return e;
    }
    if (p.op().decomposition() != null) return value(expansion(p).outputs().get(output), idx);
    throw new LoweringException(p, UnloweredOps.message(p));
  }

  private Expr scalarConstant(Tensor c, Value v) {
    DType t = ExprFactory.computeType(c.dtype());
    if (t.isFloat()) return f.constant(t, c.getDouble(0));
    if (t == DType.BOOL) return f.bool(c.getBool(0));
    return f.constantLong(t, c.getLong(0));
  }

  /** A composite's decomposition as a graph whose inputs alias the composite's operands. */
  private Graph expansion(Node composite) {
    Graph g = expansions.get(composite);
    if (g != null) return g;
    g = new Graph(composite.opName() + "_expansion");
    Node clone = g.append(composite.op(), composite.location());
    for (Value v : composite.inputs()) {
      if (v == null) {
        clone.addInput(null);
        continue;
      }
      Value in = g.addInput(v.name(), v.type());
      aliases.put(in, v);
      clone.addInput(in);
    }
    clone.setAttributes(composite.attributes());
    for (Value v : composite.outputs()) clone.addOutput(g.claim(v.name()), v.type());
    GraphBuilder b = new GraphBuilder(g).insertBefore(clone).at(composite.location());
    List<Value> outs = composite.op().decomposition().expand(clone, b);
    for (Value v : outs) g.addOutput(v);
    g.remove(clone);
    expansions.put(composite, g);
    return g;
  }

  /** The compile-time value of {@code v}, if it is a constant (inside the group or bound by the caller). */
  Tensor constantValue(Value v) {
    Value target = v;
    while (aliases.containsKey(target)) target = aliases.get(target);
    if (inputBuffers.containsKey(target)) return outerConstant.apply(target);
    Node p = target.producer();
    if (p != null && p.opName().equals(Constants.OP)) return Constants.valueOf(target);
    return null;
  }

  private static TensorType tensor(Value v, Node n) {
    if (!(v.type() instanceof TensorType t)) throw new LoweringException(n, "%" + v.name() + " is " + v.type() + ", not a tensor");
    return t;
  }

  private static long[] staticShape(Value v, Node n) {
    TensorType t = tensor(v, n);
    if (!t.shape().isStatic()) {
      Node recurrent = UnloweredOps.recurrentReader(v, n);
      if (recurrent != null) throw new LoweringException(recurrent, UnloweredOps.message(recurrent));
      throw new LoweringException(n, "%" + v.name() + " has a dynamic shape " + t.shape() + " (kernels are specialized on static shapes: compile with --shapes)");
    }
    return t.shape().sizes();
  }

  /** A C identifier derived from an IR name. */
  public static String cName(String s) {
    StringBuilder b = new StringBuilder();
    for (char ch : s.toCharArray()) b.append(Character.isLetterOrDigit(ch) && ch < 128 ? ch : '_');
    if (b.isEmpty() || Character.isDigit(b.charAt(0))) b.insert(0, '_');
    return b.toString();
  }
}
