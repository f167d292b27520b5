package dev.weft.frontend.onnx.ops;

import static dev.weft.frontend.onnx.ops.NnLowering.*;

import dev.weft.bundle.DType;
import dev.weft.frontend.onnx.ImportContext;
import dev.weft.frontend.onnx.OnnxNode;
import dev.weft.frontend.onnx.OnnxOpLibrary;
import dev.weft.frontend.onnx.OnnxOpTable;
import dev.weft.ir.Attribute;
import dev.weft.ir.Dim;
import dev.weft.ir.GraphBuilder;
import dev.weft.ir.Value;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Attention (23, 24) onto the composite attention: 3-D operands are split into heads
 * (q_num_heads, kv_num_heads), past_key/past_value are concatenated along the sequence axis
 * (present_key/present_value results) and the causal mask is offset by the past length.
 * nonpad_kv_seqlen (24) becomes an additive padding bias (with a per-batch causal frontier when there is
 * no past cache); qk_matmul_output is the composite's second result (qk_output_mode).
 */
public final class AttentionOnnxOps implements OnnxOpLibrary {
  @Override
  public void register(OnnxOpTable t) {
    for (int v : new int[] {23, 24}) t.add("Attention", v, AttentionOnnxOps::lower);
  }

  static Value heads(ImportContext c, Value x, long heads) {
    return transpose(c.builder(), reshape(c, x, 0, 0, heads, -1), 0, 2, 1, 3);
  }

  static List<Value> lower(OnnxNode n, ImportContext c) {
    GraphBuilder b = c.builder();
    Value q = n.required(0), k = n.required(1), v = n.required(2);
    boolean threeD = rank(n, c, q) == 3;
    if (threeD) {
      long qh = n.attrInt("q_num_heads", 0), kh = n.attrInt("kv_num_heads", 0);
      if (qh <= 0 || kh <= 0) throw c.fail(n, "3-D attention needs q_num_heads and kv_num_heads");
      q = heads(c, q, qh);
      k = heads(c, k, kh);
      v = heads(c, v, kh);
    }
    boolean causal = n.attrInt("is_causal", 0) != 0;
    long offset = 0;
    if (n.hasInput(4)) {
      Dim past = n.input(4).tensorType().shape().dim(2);
      if (causal && !past.isStatic()) throw c.fail(n, "causal attention with a symbolic past length");
      offset = past.isStatic() ? past.size() : 0;
      k = b.op1("concat", Map.of("axis", Attribute.of(2L)), n.input(4), k);
    }
    if (n.hasInput(5)) v = b.op1("concat", Map.of("axis", Attribute.of(2L)), n.input(5), v);
    Value mask = padMask(n, c, n.input(3), k);
    if (n.hasInput(6)) {
      // nonpad_kv_seqlen [B]: keys at j >= nonpad[b] are padding; without a past cache the causal
      // frontier of batch b is bottom-right aligned (j <= i + nonpad[b] - S).
      DType t = dtype(q);
      Value bias = mask == null ? null : toBias(b, mask, t);
      Value nonpad = n.input(6);
      Value ninf = scalar(b, t, Double.NEGATIVE_INFINITY), zero = scalar(b, t, 0);
      Value j = b.op1("reshape", iota(c, dimScalar(c, k, 2)), c.constI64(1, 1, 1, -1));
      Value nb = b.op1("reshape", nonpad, c.constI64(-1, 1, 1, 1));
      Value padBias = b.op1("select", b.op1("less", j, nb), zero, ninf);
      bias = bias == null ? padBias : b.op1("add", bias, padBias);
      if (causal && !n.hasInput(4)) {
        Value sq = dimScalar(c, q, 2);
        Value i = b.op1("reshape", iota(c, sq), c.constI64(1, 1, -1, 1));
        Value rowPlusOff = b.op1("add", i, b.op1("sub", nb, sq));
        bias = b.op1("add", bias, b.op1("select", b.op1("less", rowPlusOff, j), ninf, zero));
        causal = false;
      }
      mask = bias;
    }
    Map<String, Attribute> m = new HashMap<>(pass(n, "scale", "softcap"));
    m.put("is_causal", Attribute.of(causal ? 1L : 0L));
    m.put("causal_offset", Attribute.of(offset));
    boolean qk = n.wantsOutput(3);
    if (qk) m.put("qk_output_mode", Attribute.of(n.attrInt("qk_matmul_output_mode", 0)));
    List<Value> ins = mask == null ? List.of(q, k, v) : List.of(q, k, v, mask);
    List<Value> r = b.op("attention", ins, m);
    Value y = r.get(0);
    if (threeD) y = reshape(c, transpose(b, y, 0, 2, 1, 3), 0, 0, -1);
    return qk ? outs(n, y, k, v, r.get(1)) : outs(n, y, k, v);
  }

  /** A mask shorter than the key sequence is padded with false / -inf (keys beyond it are hidden). */
  static Value padMask(OnnxNode n, ImportContext c, Value mask, Value k) {
    if (mask == null) return null;
    var ms = mask.tensorType().shape();
    Dim l = k.tensorType().shape().dim(2);
    if (!ms.isRanked() || ms.rank() == 0 || !l.isStatic()) return mask;
    Dim ml = ms.dim(ms.rank() - 1);
    if (!ml.isStatic() || ml.size() >= l.size() || ml.size() == 1) return mask;
    GraphBuilder b = c.builder();
    boolean bool = dtype(mask) == dev.weft.bundle.DType.BOOL;
    Value fillValue = bool ? c.constant(dev.weft.bundle.Tensor.ofBools(new long[0], false))
        : scalar(b, dtype(mask), Double.NEGATIVE_INFINITY);
    return b.op("pad", List.of(mask, c.constI64(0, l.size() - ml.size()), fillValue), Map.of("axes", Attribute.of(new long[] {-1}))).get(0);
  }

  static Value toBias(GraphBuilder b, Value mask, DType t) {
    if (dtype(mask) != DType.BOOL) return mask;
    return b.op1("select", mask, scalar(b, t, 0), scalar(b, t, Double.NEGATIVE_INFINITY));
  }

  /** A dim of x as an i64 scalar: a constant when static, else read from its shape. */
  static Value dimScalar(ImportContext c, Value x, int axis) {
    Dim d = x.tensorType().shape().dim(axis);
    if (d.isStatic()) return c.constant(dev.weft.bundle.Tensor.scalar(DType.I64, d.size()));
    GraphBuilder b = c.builder();
    return b.op1("gather", b.op1("shape_of", x), c.constant(dev.weft.bundle.Tensor.scalar(DType.I64, axis)));
  }

  static Value iota(ImportContext c, Value limit) {
    Value zero = c.constant(dev.weft.bundle.Tensor.scalar(DType.I64, 0)), one = c.constant(dev.weft.bundle.Tensor.scalar(DType.I64, 1));
    return c.builder().op1("iota", zero, limit, one);
  }
}
