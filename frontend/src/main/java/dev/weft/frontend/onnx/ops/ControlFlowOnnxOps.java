package dev.weft.frontend.onnx.ops;

import dev.weft.bundle.DType;
import dev.weft.frontend.onnx.ImportContext;
import dev.weft.frontend.onnx.OnnxNode;
import dev.weft.frontend.onnx.OnnxOpLibrary;
import dev.weft.frontend.onnx.OnnxOpTable;
import dev.weft.frontend.onnx.proto.OnnxProto.GraphProto;
import dev.weft.ir.Attribute;
import dev.weft.ir.Dim;
import dev.weft.ir.Graph;
import dev.weft.ir.Node;
import dev.weft.ir.OptionalType;
import dev.weft.ir.SequenceType;
import dev.weft.ir.Shape;
import dev.weft.ir.TensorType;
import dev.weft.ir.Type;
import dev.weft.ir.Value;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * If, Loop and Scan. Loop/Scan bodies are imported with the carried values' initial types; when
 * an iteration changes a carried value's shape, the body is imported again with the common
 * (symbolic) type so its nodes do not claim shapes that only the first iteration has.
 */
public final class ControlFlowOnnxOps implements OnnxOpLibrary {
  @Override
  public void register(OnnxOpTable table) {
    // If-11/13/16/19/21 only widen the allowed types.
    table.add("If", 1, ControlFlowOnnxOps::lowerIf);
    // Loop-11 made cond/M optional semantics explicit; 13/16 widen types (sequences, optionals).
    table.add("Loop", 1, ControlFlowOnnxOps::lowerLoop);
    table.add("Scan", 8, ControlFlowOnnxOps::lowerScan8);
    table.add("Scan", 9, ControlFlowOnnxOps::lowerScan9);
  }

  /** Builds one IR node named after the ONNX outputs; returns its results, one per ONNX output. */
  static List<Value> emit(ImportContext ctx, OnnxNode n, String op, List<Value> inputs, Map<String, Attribute> attrs) {
    List<String> names = new ArrayList<>();
    for (int i = 0; i < n.outputCount(); i++) names.add(n.outputName(i).isEmpty() ? null : n.outputName(i));
    List<Value> outs = ctx.builder().op(op, inputs, attrs, names);
    if (outs.size() < n.outputCount()) {
      throw ctx.fail(n, op + " produces " + outs.size() + " results, the node names " + n.outputCount());
    }
    return outs.subList(0, n.outputCount());
  }

  static List<Value> lowerIf(OnnxNode n, ImportContext ctx) {
    Graph then = ctx.subgraph(n.attrGraph("then_branch"), List.of());
    Graph otherwise = ctx.subgraph(n.attrGraph("else_branch"), List.of());
    Map<String, Attribute> attrs = new LinkedHashMap<>();
    attrs.put("then_branch", Attribute.of(then));
    attrs.put("else_branch", Attribute.of(otherwise));
    return emit(ctx, n, "if", List.of(n.required(0)), attrs);
  }

  static List<Value> lowerLoop(OnnxNode n, ImportContext ctx) {
    GraphProto proto = n.attrGraph("body");
    List<Value> inputs = new ArrayList<>();
    for (int i = 0; i < n.inputCount(); i++) inputs.add(n.input(i));
    while (inputs.size() < 2) inputs.add(null);
    int carried = inputs.size() - 2;
    List<Type> types = new ArrayList<>();
    types.add(new TensorType(DType.I64, Shape.scalar()));
    types.add(new TensorType(DType.BOOL, Shape.scalar()));
    for (int i = 0; i < carried; i++) {
      Value v = inputs.get(2 + i);
      if (v == null) throw ctx.fail(n, "loop-carried input " + i + " is missing");
      types.add(v.type());
    }
    Graph body = importStable(ctx, proto, types, 2, 1, carried);
    return emit(ctx, n, "loop", inputs, Map.of("body", Attribute.of(body)));
  }

  /**
   * Imports a body whose inputs {@code [inFrom, inFrom+count)} are carried into outputs
   * {@code [outFrom, outFrom+count)}; re-imports once with relaxed types if any carried type changes.
   */
  static Graph importStable(ImportContext ctx, GraphProto proto, List<Type> types, int inFrom, int outFrom, int count) {
    Graph body = ctx.subgraph(proto, types);
    boolean stable = true;
    List<Type> relaxed = new ArrayList<>(types);
    for (int i = 0; i < count && outFrom + i < body.outputs().size(); i++) {
      Type before = types.get(inFrom + i);
      Type after = body.outputs().get(outFrom + i).type();
      if (!before.equals(after)) {
        stable = false;
        relaxed.set(inFrom + i, common(ctx, before, after));
      }
    }
    if (stable) return body;
    discard(body);
    return ctx.subgraph(proto, relaxed);
  }

  /** The common type of two values' types: differing dims become fresh symbols. */
  static Type common(ImportContext ctx, Type a, Type b) {
    if (a.equals(b)) return a;
    if (a instanceof TensorType ta && b instanceof TensorType tb && ta.dtype() == tb.dtype()) {
      Shape sa = ta.shape();
      Shape sb = tb.shape();
      if (!sa.isRanked() || !sb.isRanked() || sa.rank() != sb.rank()) return ta.withShape(Shape.unranked());
      List<Dim> dims = new ArrayList<>();
      for (int i = 0; i < sa.rank(); i++) dims.add(sa.dim(i).equals(sb.dim(i)) ? sa.dim(i) : ctx.builder().graph().freshSymbol());
      return ta.withShape(new Shape(dims));
    }
    if (a instanceof SequenceType sa && b instanceof SequenceType sb) return new SequenceType(common(ctx, sa.element(), sb.element()));
    if (a instanceof OptionalType oa && b instanceof OptionalType ob) return new OptionalType(common(ctx, oa.element(), ob.element()));
    return a;   // kinds differ: the IR op's type check reports it
  }

  /** Detaches a graph that will not be used, so enclosing values lose the uses its nodes held. */
  static void discard(Graph g) {
    g.clearOutputs();
    List<Node> nodes = new ArrayList<>(g.nodes());
    for (int i = nodes.size() - 1; i >= 0; i--) {
      Node node = nodes.get(i);
      for (Graph sub : node.subgraphs()) discard(sub);
      g.remove(node);
    }
  }

  static List<Value> lowerScan9(OnnxNode n, ImportContext ctx) {
    long m = n.attrInt("num_scan_inputs", -1);
    int total = n.inputCount();
    if (m < 1 || m > total) throw ctx.fail(n, "num_scan_inputs " + m + " does not fit " + total + " inputs");
    int states = (int) (total - m);
    long[] axes = n.attrInts("scan_input_axes", new long[(int) m]);
    if (axes.length != m) throw ctx.fail(n, "scan_input_axes has " + axes.length + " entries, expected " + m);
    List<Value> inputs = new ArrayList<>();
    List<Type> types = new ArrayList<>();
    for (int i = 0; i < total; i++) {
      Value v = n.required(i);
      inputs.add(v);
      Type t = v.type();
      if (i >= states) t = withoutAxis(ctx, n, t, axes[i - states]);
      types.add(t);
    }
    Graph body = importStable(ctx, n.attrGraph("body"), types, 0, 0, states);
    Map<String, Attribute> attrs = new LinkedHashMap<>();
    attrs.put("body", Attribute.of(body));
    attrs.put("num_scan_inputs", Attribute.of(m));
    for (String a : List.of("scan_input_axes", "scan_input_directions", "scan_output_axes", "scan_output_directions")) {
      long[] v = n.attrInts(a, null);
      if (v != null) attrs.put(a, Attribute.of(v));
    }
    return emit(ctx, n, "scan", inputs, attrs);
  }

  static List<Value> lowerScan8(OnnxNode n, ImportContext ctx) {
    long m = n.attrInt("num_scan_inputs", -1);
    int total = n.inputCount();
    if (m < 1 || m > total - 1) throw ctx.fail(n, "num_scan_inputs " + m + " does not fit " + total + " inputs");
    int states = (int) (total - 1 - m);
    List<Value> inputs = new ArrayList<>();
    inputs.add(n.input(0));
    List<Type> types = new ArrayList<>();
    for (int i = 1; i < total; i++) {
      Value v = n.required(i);
      inputs.add(v);
      Type t = withoutAxis(ctx, n, v.type(), 0);               // batch
      if (i - 1 >= states) t = withoutAxis(ctx, n, t, 0);      // sequence
      types.add(t);
    }
    Graph body = importStable(ctx, n.attrGraph("body"), types, 0, 0, states);
    Map<String, Attribute> attrs = new LinkedHashMap<>();
    attrs.put("body", Attribute.of(body));
    attrs.put("num_scan_inputs", Attribute.of(m));
    attrs.put("batched", Attribute.of(1L));
    long[] dirs = n.attrInts("directions", null);
    if (dirs != null) attrs.put("scan_input_directions", Attribute.of(dirs));
    return emit(ctx, n, "scan", inputs, attrs);
  }

  private static Type withoutAxis(ImportContext ctx, OnnxNode n, Type t, long axis) {
    if (!(t instanceof TensorType tt)) throw ctx.fail(n, "scan inputs must be tensors, got " + t);
    if (!tt.shape().isRanked()) return tt;
    int r = tt.rank();
    long a = axis < 0 ? axis + r : axis;
    if (a < 0 || a >= r) throw ctx.fail(n, "scan axis " + axis + " out of range for rank " + r);
    List<Dim> dims = new ArrayList<>(tt.shape().dims());
    dims.remove((int) a);
    return tt.withShape(new Shape(dims));
  }
}
