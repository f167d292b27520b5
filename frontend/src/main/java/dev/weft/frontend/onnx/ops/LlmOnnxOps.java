package dev.weft.frontend.onnx.ops;

import static dev.weft.frontend.onnx.ops.NnLowering.*;

import dev.weft.bundle.DType;
import dev.weft.bundle.Tensor;
import dev.weft.frontend.onnx.ImportContext;
import dev.weft.frontend.onnx.OnnxNode;
import dev.weft.frontend.onnx.OnnxOpLibrary;
import dev.weft.frontend.onnx.OnnxOpTable;
import dev.weft.frontend.onnx.proto.OnnxProto;
import dev.weft.ir.Attribute;
import dev.weft.ir.Graph;
import dev.weft.ir.GraphBuilder;
import dev.weft.ir.Node;
import dev.weft.ir.Shape;
import dev.weft.ir.Type;
import dev.weft.ir.Value;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The LLM-block ops of recent opsets, lowered onto core ops: SwiGLU (28), TensorScatter (24, a
 * scatter_elements along the sequence axis), RotaryEmbedding (23), CausalConvWithState (27, a
 * depthwise conv over the state-padded input), FlexAttention (ai.onnx.preview 1; its score_mod,
 * mask_mod and prob_mod subgraphs are inlined) and LinearAttention (27, onto the custom
 * linear_attention recurrence).
 */
public final class LlmOnnxOps implements OnnxOpLibrary {
  @Override
  public void register(OnnxOpTable t) {
    t.add("SwiGLU", 28, LlmOnnxOps::swiglu);
    t.add("TensorScatter", 24, LlmOnnxOps::tensorScatter);
    t.add("RotaryEmbedding", 23, LlmOnnxOps::rotary);
    t.add("CausalConvWithState", 27, LlmOnnxOps::causalConv);
    t.add("ai.onnx.preview", "FlexAttention", 1, LlmOnnxOps::flexAttention);
    t.add("LinearAttention", 27, LlmOnnxOps::linearAttention);
  }

  /** y = a * sigmoid(alpha * a) * b. */
  static List<Value> swiglu(OnnxNode n, ImportContext c) {
    GraphBuilder b = c.builder();
    Value a = n.required(0), x = n.required(1);
    double alpha = n.attrFloat("alpha", 1.0);
    Value arg = alpha == 1.0 ? a : b.op1("mul", a, scalar(b, dtype(a), alpha));
    return outs(n, b.op1("mul", b.op1("mul", a, b.op1("sigmoid", arg)), x));
  }

  /** present = past with update written at write_indices[b] + i (mod max length when circular) along axis. */
  static List<Value> tensorScatter(OnnxNode n, ImportContext c) {
    GraphBuilder b = c.builder();
    Value past = n.required(0), update = n.required(1);
    int r = rank(n, c, past);
    long axis = n.attrInt("axis", -2);
    if (axis < 0) axis += r;
    if (axis <= 0 || axis >= r) throw c.fail(n, "axis " + n.attrInt("axis", -2) + " must name a non-batch axis of a rank-" + r + " cache");
    String mode = n.attrString("mode", "linear");
    if (!mode.equals("linear") && !mode.equals("circular")) throw c.fail(n, "unknown mode '" + mode + "'");
    long[] seqShape = new long[r];
    java.util.Arrays.fill(seqShape, 1);
    seqShape[(int) axis] = -1;
    Value idx = b.op1("reshape", AttentionOnnxOps.iota(c, AttentionOnnxOps.dimScalar(c, update, (int) axis)), c.constI64(seqShape));
    if (n.hasInput(2)) {
      long[] batchShape = new long[r];
      java.util.Arrays.fill(batchShape, 1);
      batchShape[0] = -1;
      idx = b.op1("add", idx, b.op1("reshape", cast(b, n.input(2), DType.I64), c.constI64(batchShape)));
    }
    if (mode.equals("circular")) idx = b.op1("mod", idx, AttentionOnnxOps.dimScalar(c, past, (int) axis));
    idx = b.op1("broadcast", idx, b.op1("shape_of", update));
    return outs(n, b.op1("scatter_elements", Map.of("axis", Attribute.of(axis)), past, idx, update));
  }

  static Value slice(ImportContext c, Value x, long axis, long start, long end) {
    return c.builder().op1("slice", x, c.constI64(start), c.constI64(end), c.constI64(axis));
  }

  /**
   * Rotates pairs of the first rotary_embedding_dim features of each head by the cached angles:
   * halves (x1 = first half, x2 = second) or, interleaved, even/odd features.
   */
  static List<Value> rotary(OnnxNode n, ImportContext c) {
    GraphBuilder b = c.builder();
    Value x = n.required(0), cos = n.required(1), sin = n.required(2);
    int r = rank(n, c, x);
    if (r != 3 && r != 4) throw c.fail(n, "input must be 3-D or 4-D, got rank " + r);
    Value xs; // [B, S, H, D]
    if (r == 4) {
      xs = transpose(b, x, 0, 2, 1, 3);
    } else {
      long heads = n.attrInt("num_heads", 0);
      if (heads <= 0) throw c.fail(n, "3-D input needs num_heads");
      xs = reshape(c, x, 0, 0, heads, -1);
    }
    Shape xShape = xs.tensorType().shape();
    if (!xShape.dim(3).isStatic()) throw c.fail(n, "needs a static head size");
    long d = xShape.dim(3).size();
    long rd = n.attrInt("rotary_embedding_dim", 0);
    if (rd == 0) rd = d;
    if (rd > d || rd % 2 != 0) throw c.fail(n, "rotary_embedding_dim " + rd + " must be even and at most the head size " + d);
    if (n.hasInput(3)) {
      cos = b.op1("gather", cos, n.input(3));
      sin = b.op1("gather", sin, n.input(3));
    }
    cos = b.op1("unsqueeze", Map.of("axes", Attribute.of(new long[] {2})), cos); // [B, S, 1, rd/2]
    sin = b.op1("unsqueeze", Map.of("axes", Attribute.of(new long[] {2})), sin);
    Value rot = rd == d ? xs : slice(c, xs, 3, 0, rd);
    boolean interleaved = n.attrInt("interleaved", 0) != 0;
    Value x1, x2;
    if (interleaved) {
      rot = reshape(c, rot, 0, 0, 0, rd / 2, 2);
      x1 = slice(c, rot, 4, 0, 1);
      x2 = slice(c, rot, 4, 1, 2);
      cos = b.op1("unsqueeze", Map.of("axes", Attribute.of(new long[] {4})), cos);
      sin = b.op1("unsqueeze", Map.of("axes", Attribute.of(new long[] {4})), sin);
    } else {
      x1 = slice(c, rot, 3, 0, rd / 2);
      x2 = slice(c, rot, 3, rd / 2, rd);
    }
    Value real = b.op1("sub", b.op1("mul", cos, x1), b.op1("mul", sin, x2));
    Value imag = b.op1("add", b.op1("mul", sin, x1), b.op1("mul", cos, x2));
    Value out;
    if (interleaved) {
      out = reshape(c, b.op1("concat", Map.of("axis", Attribute.of(4L)), real, imag), 0, 0, 0, rd);
    } else {
      out = b.op1("concat", Map.of("axis", Attribute.of(3L)), real, imag);
    }
    if (rd < d) out = b.op1("concat", Map.of("axis", Attribute.of(3L)), out, slice(c, xs, 3, rd, d));
    out = r == 4 ? transpose(b, out, 0, 2, 1, 3) : reshape(c, out, 0, 0, -1);
    return outs(n, out);
  }

  /**
   * Depthwise causal conv1d: input [B, C, L] left-padded with past_state [B, C, k-1] (zeros when
   * absent), weight [C, 1, k], optional bias [C] and SiLU; present_state is the padded input's last
   * k-1 positions.
   */
  static List<Value> causalConv(OnnxNode n, ImportContext c) {
    GraphBuilder b = c.builder();
    Value x = n.required(0), w = n.required(1);
    if (rank(n, c, x) != 3 || rank(n, c, w) != 3) throw c.fail(n, "input and weight must be 3-D");
    Shape ws = w.tensorType().shape(), xs = x.tensorType().shape();
    if (!ws.dim(2).isStatic() || !xs.dim(1).isStatic()) throw c.fail(n, "needs static kernel size and channels");
    long k = ws.dim(2).size(), ch = xs.dim(1).size();
    String act = n.attrString("activation", "none");
    if (!List.of("none", "silu", "swish").contains(act)) throw c.fail(n, "unknown activation '" + act + "'");
    Value past = n.input(3);
    if (past == null) {
      Value shape = b.op1("concat", Map.of("axis", Attribute.of(0L)), slice(c, b.op1("shape_of", x), 0, 0, 2), c.constI64(k - 1));
      past = b.op1("fill", Map.of("value", Attribute.of(Tensor.of(dtype(x), new long[] {1}, 0))), shape);
    }
    Value padded = b.op1("concat", Map.of("axis", Attribute.of(2L)), past, x);
    Map<String, Attribute> conv = Map.of("group", Attribute.of(ch));
    Value y = n.hasInput(2) ? b.op1("conv", conv, padded, w, n.input(2)) : b.op1("conv", conv, padded, w);
    if (!act.equals("none")) y = b.op1("mul", y, b.op1("sigmoid", y));
    Value present = slice(c, padded, 2, -(k - 1), Long.MAX_VALUE);
    if (k == 1) present = slice(c, padded, 2, 0, 0);
    return outs(n, y, present);
  }

  /**
   * softmax(mask_mod(score_mod(q k^T * scale))) -> prob_mod -> @ v; each mod is a subgraph taking
   * the [B, H, L, S] tensor, inlined here. Grouped kv heads are repeated to the query head count.
   */
  static List<Value> flexAttention(OnnxNode n, ImportContext c) {
    GraphBuilder b = c.builder();
    Value q = n.required(0), k = n.required(1), v = n.required(2);
    for (Value t : List.of(q, k, v)) if (rank(n, c, t) != 4) throw c.fail(n, "Q, K, V must be 4-D");
    Shape qs = q.tensorType().shape();
    if (!qs.dim(3).isStatic() && !n.hasAttr("scale")) throw c.fail(n, "needs a static head size or a scale");
    double scale = n.hasAttr("scale") ? n.attrFloat("scale", 1) : 1 / Math.sqrt(qs.dim(3).size());
    k = repeatHeads(n, c, k, qs);
    v = repeatHeads(n, c, v, qs);
    DType t = dtype(q);
    Value s = b.op1("matmul", b.op1("mul", q, scalar(b, t, scale)), transpose(b, k, 0, 1, 3, 2));
    s = mod(n, c, "score_mod", s);
    s = mod(n, c, "mask_mod", s);
    Value p = b.op1("softmax", Map.of("axis", Attribute.of(-1L)), s);
    p = mod(n, c, "prob_mod", p);
    return outs(n, b.op1("matmul", p, v));
  }

  private static Value repeatHeads(OnnxNode n, ImportContext c, Value kv, Shape qs) {
    Shape ks = kv.tensorType().shape();
    if (!qs.dim(1).isStatic() || !ks.dim(1).isStatic()) throw c.fail(n, "needs static head counts");
    long h = qs.dim(1).size(), hk = ks.dim(1).size();
    if (h == hk) return kv;
    if (hk == 0 || h % hk != 0) throw c.fail(n, h + " query heads are not a multiple of " + hk + " kv heads");
    if (!ks.isStatic()) throw c.fail(n, "grouped kv heads need static K/V shapes");
    long[] sz = ks.sizes();
    GraphBuilder b = c.builder();
    Value x = reshape(c, kv, sz[0], hk, 1, sz[2], sz[3]);
    x = b.op1("broadcast", x, c.constI64(sz[0], hk, h / hk, sz[2], sz[3]));
    return reshape(c, x, sz[0], h, sz[2], sz[3]);
  }

  /** Inlines the one-input, one-output subgraph attribute {@code name} applied to x (x when absent). */
  private static Value mod(OnnxNode n, ImportContext c, String name, Value x) {
    if (!n.hasAttr(name)) return x;
    OnnxProto.GraphProto gp = n.attrGraph(name);
    Graph g = c.subgraph(gp, List.of((Type) x.type()));
    if (g.inputs().size() != 1 || g.outputs().size() != 1) throw c.fail(n, name + " must take and return one tensor");
    Map<Value, Value> map = new HashMap<>();
    map.put(g.inputs().get(0), x);
    GraphBuilder b = c.builder();
    for (Node node : g.nodes()) {
      List<Value> ins = new ArrayList<>();
      for (Value in : node.inputs()) ins.add(in == null ? null : map.getOrDefault(in, in));
      List<Value> res = b.op(node.opName(), ins, node.attributes());
      for (int i = 0; i < res.size(); i++) map.put(node.output(i), res.get(i));
    }
    Value out = g.outputs().get(0);
    return map.getOrDefault(out, out);
  }

  /** Onto the custom linear_attention recurrence (inputs 0-6 and attributes as in ONNX). */
  static List<Value> linearAttention(OnnxNode n, ImportContext c) {
    Map<String, Attribute> m = new HashMap<>(pass(n, "q_num_heads", "kv_num_heads", "scale", "update_rule"));
    List<Value> ins = new ArrayList<>();
    for (int i = 0; i < 7; i++) ins.add(n.input(i));
    while (!ins.isEmpty() && ins.get(ins.size() - 1) == null) ins.remove(ins.size() - 1);
    return outs(n, c.builder().op("linear_attention", ins, m));
  }
}
