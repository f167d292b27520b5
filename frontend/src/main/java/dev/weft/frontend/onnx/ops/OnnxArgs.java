package dev.weft.frontend.onnx.ops;

import dev.weft.bundle.Tensor;
import dev.weft.frontend.onnx.ImportContext;
import dev.weft.frontend.onnx.OnnxNode;
import dev.weft.ir.Attribute;
import dev.weft.ir.GraphBuilder;
import dev.weft.ir.Node;
import dev.weft.ir.TensorType;
import dev.weft.ir.Value;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Builds one IR node from ONNX operands, folding each shape-like operand whose value is known
 * at import time (initializer or Constant) into a static attribute, so the graph keeps static
 * shapes; unknown operands stay as operands at their position.
 */
final class OnnxArgs {
  private final ImportContext ctx;
  private final OnnxNode node;
  private final List<Value> inputs = new ArrayList<>();
  private final Map<String, Attribute> attrs = new LinkedHashMap<>();

  OnnxArgs(OnnxNode node, ImportContext ctx) {
    this.node = node;
    this.ctx = ctx;
  }

  OnnxArgs in(Value v) {
    inputs.add(v);
    return this;
  }

  /** Operand at IR position {@code inputs.size()}: folded to attribute {@code attr} when constant. */
  OnnxArgs ints(String attr, Value v) {
    long[] c = constInts(ctx, v);
    if (c != null) {
      attrs.put(attr, Attribute.of(c));
      v = null;
    }
    inputs.add(v);
    return this;
  }

  OnnxArgs attr(String name, Attribute a) {
    if (a != null) attrs.put(name, a);
    return this;
  }

  OnnxArgs attrInts(String name, long[] v) { return v == null ? this : attr(name, Attribute.of(v)); }

  OnnxArgs attrInt(String name, long v) { return attr(name, Attribute.of(v)); }

  List<Value> build(String op) {
    List<Value> in = new ArrayList<>(inputs);
    while (!in.isEmpty() && in.get(in.size() - 1) == null) in.remove(in.size() - 1);
    return ctx.builder().op(op, in, attrs);
  }

  Value build1(String op) { return build(op).get(0); }

  static long[] constInts(ImportContext ctx, Value v) {
    if (v == null) return null;
    Tensor t = ctx.constantValue(v);
    return t == null ? null : t.toLongArray();
  }

  /**
   * Replaces a reshape-like result (squeeze, unsqueeze, flatten) with a plain static reshape
   * when its inferred shape is fully static.
   */
  static Value staticReshape(GraphBuilder b, Value x, Value r) {
    TensorType t = r.tensorType();
    if (!t.shape().isStatic() || r.hasUses()) return r;
    Node n = r.producer();
    b.graph().remove(n);
    return b.op1("reshape", Map.of("shape", Attribute.of(t.shape().sizes())), x);
  }

  /** The first {@code n} results (an ONNX node may ask for fewer than the IR op gives). */
  static List<Value> first(List<Value> vs, int n) {
    return new ArrayList<>(vs.subList(0, Math.min(n, vs.size())));
  }

  static List<Value> one(Value v) { return List.of(v); }

  static String str(long[] v) { return Arrays.toString(v); }
}
