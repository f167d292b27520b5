package dev.weft.frontend.onnx.ops;

import static dev.weft.frontend.onnx.ops.NnLowering.*;

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
    long offset = 0;
    boolean causal = n.attrInt("is_causal", 0) != 0;
    if (n.hasInput(4)) {
      Dim past = n.input(4).tensorType().shape().dim(2);
      if (causal && !past.isStatic()) throw c.fail(n, "causal attention with a symbolic past length");
      offset = past.isStatic() ? past.size() : 0;
      k = b.op1("concat", Map.of("axis", Attribute.of(2L)), n.input(4), k);
    }
    if (n.hasInput(5)) v = b.op1("concat", Map.of("axis", Attribute.of(2L)), n.input(5), v);
    Value mask = padMask(n, c, n.input(3), k);
    Value nonpad = n.input(6);
    if (nonpad != null) {
      // Keys j >= nonpad_kv_seqlen[b] are padding; without a past, the causal frontier is
      // per batch (j <= i + nonpad[b] - S, ONNX's external cache), folded into the mask.
      long[] sl = seqLengths(n, c, q, k);
      Value allowed = less(b, iotaLike(c, sl[1], 1, 1, 1, sl[1]), reshape(c, nonpad, -1, 1, 1, 1));
      if (causal && !n.hasInput(4)) {
        Value frontier = b.op1("add", iotaLike(c, sl[0], 1, 1, sl[0], 1),
            b.op1("sub", reshape(c, nonpad, -1, 1, 1, 1), c.constI64(sl[0])));
        Value j = iotaLike(c, sl[1], 1, 1, 1, sl[1]);
        allowed = b.op1("and", allowed, b.op1("less_equal", j, frontier));
        causal = false;
      }
      mask = combine(b, mask, allowed, dtype(q));
    }
    Map<String, Attribute> m = new HashMap<>(pass(n, "scale", "softcap"));
    m.put("is_causal", Attribute.of(causal ? 1L : 0L));
    m.put("causal_offset", Attribute.of(offset));
    Value y = mask == null ? b.op1("attention", m, q, k, v) : b.op1("attention", m, q, k, v, mask);
    Value qk = n.wantsOutput(3) ? qkOutput(n, c, q, k, mask, causal, offset) : null;
    if (threeD) y = reshape(c, transpose(b, y, 0, 2, 1, 3), 0, 0, -1);
    return outs(n, y, k, v, qk);
  }

  /** A mask shorter than the keys (past included) is padded: false / -inf for the missing keys (ONNX's reference). */
  static Value padMask(OnnxNode n, ImportContext c, Value mask, Value k) {
    if (mask == null) return null;
    dev.weft.ir.Shape ms = mask.tensorType().shape();
    Dim l = k.tensorType().shape().dim(2);
    if (!ms.isRanked() || ms.rank() == 0 || !l.isStatic()) return mask;
    Dim last = ms.dim(ms.rank() - 1);
    if (!last.isStatic() || last.size() >= l.size() || last.size() == 1) return mask;
    long[] pads = new long[2 * ms.rank()];
    pads[pads.length - 1] = l.size() - last.size();
    boolean bool = dtype(mask) == dev.weft.bundle.DType.BOOL;
    return c.builder().op1("pad", Map.of("pads", Attribute.of(pads), "mode", Attribute.of("constant"),
        "value", Attribute.of(bool ? 0.0 : Double.NEGATIVE_INFINITY)), mask);
  }

  static long[] seqLengths(OnnxNode n, ImportContext c, Value q, Value k) {
    Dim s = q.tensorType().shape().dim(2), l = k.tensorType().shape().dim(2);
    if (!s.isStatic() || !l.isStatic()) throw c.fail(n, "nonpad_kv_seqlen and qk_matmul_output need static sequence lengths");
    return new long[] {s.size(), l.size()};
  }

  static Value less(GraphBuilder b, Value x, Value y) { return b.op1("less", x, y); }

  /** 0, 1, ..., n-1 as i64, reshaped to {@code shape}. */
  static Value iotaLike(ImportContext c, long n, long... shape) {
    long[] v = new long[(int) n];
    for (int i = 0; i < n; i++) v[i] = i;
    return c.constant(dev.weft.bundle.Tensor.ofLongs(shape, v));
  }

  /** The attention mask and a bool "allowed" mask as one: and for bool masks, an added -inf bias for float ones. */
  static Value combine(GraphBuilder b, Value mask, Value allowed, dev.weft.bundle.DType t) {
    if (mask == null) return allowed;
    if (dtype(mask) == dev.weft.bundle.DType.BOOL) return b.op1("and", mask, allowed);
    return b.op1("add", mask, b.op1("select", allowed, scalar(b, t, 0), scalar(b, t, Double.NEGATIVE_INFINITY)));
  }

  /**
   * The optional 4th output, as ONNX's reference computes it: qk = (q sqrt(scale)) (k sqrt(scale))^T,
   * softcapped if asked; mode 0 and 1 return that, mode 2 adds the bias (mask and causal), mode 3
   * the softmax (in softmax_precision), with fully masked rows 0. Built from core ops beside the
   * attention composite; it is a debugging output, so recomputing the scores is acceptable.
   */
  static Value qkOutput(OnnxNode n, ImportContext c, Value q, Value k, Value mask, boolean causal, long offset) {
    GraphBuilder b = c.builder();
    dev.weft.bundle.DType t = dtype(q);
    long mode = n.attrInt("qk_matmul_output_mode", 0);
    if (mode < 0 || mode > 3) throw c.fail(n, "qk_matmul_output_mode must be 0..3, got " + mode);
    long[] sl = seqLengths(n, c, q, k);
    Dim h = q.tensorType().shape().dim(1), hk = k.tensorType().shape().dim(1), d = q.tensorType().shape().dim(3);
    if (!h.isStatic() || !hk.isStatic() || !d.isStatic()) throw c.fail(n, "qk_matmul_output needs static head counts and sizes");
    if (h.size() != hk.size()) {
      long reps = h.size() / hk.size();
      long[] idx = new long[(int) h.size()];
      for (int i = 0; i < idx.length; i++) idx[i] = i / reps;
      k = b.op1("gather", Map.of("axis", Attribute.of(1L)), k, c.constI64(idx));
    }
    double scale = n.hasAttr("scale") ? n.attrFloat("scale", 0) : 1 / Math.sqrt(d.size());
    Value root = scalar(b, t, Math.sqrt(scale));
    Value qk = b.op1("matmul", b.op1("mul", q, root), transpose(b, b.op1("mul", k, root), 0, 1, 3, 2));
    double softcap = n.attrFloat("softcap", 0);
    if (softcap > 0) {
      Value cap = scalar(b, t, softcap);
      qk = b.op1("mul", b.op1("tanh", b.op1("div", qk, cap)), cap);
    }
    if (mode < 2) return qk;
    Value ninf = scalar(b, t, Double.NEGATIVE_INFINITY);
    Value bias = null;
    if (mask != null) bias = dtype(mask) == dev.weft.bundle.DType.BOOL ? b.op1("select", mask, scalar(b, t, 0), ninf) : mask;
    if (causal) {
      dev.weft.bundle.Tensor cm = dev.weft.bundle.Tensor.zeros(t, sl[0], sl[1]);
      for (long i = 0; i < sl[0]; i++) for (long j = 0; j < sl[1]; j++) if (j > i + offset) cm.setDouble(i * sl[1] + j, Double.NEGATIVE_INFINITY);
      Value cv = c.constant(cm);
      bias = bias == null ? cv : b.op1("add", bias, cv);
    }
    Value scores = bias == null ? qk : b.op1("add", qk, bias);
    if (mode == 2) return scores;
    long precision = n.attrInt("softmax_precision", 0);
    if (precision != 0) {
      dev.weft.bundle.DType pt = dev.weft.bundle.DType.fromOnnx((int) precision);
      if (pt == null || !pt.isFloat()) throw c.fail(n, "softmax_precision " + precision + " is not a float type");
      scores = cast(b, scores, pt);
    }
    Value p = b.op1("softmax", Map.of("axis", Attribute.of(-1L)), scores);
    if (precision != 0) p = cast(b, p, t);
    if (bias == null) return p;
    Value rowMax = b.op1("reduce_max", Map.of("axes", Attribute.of(new long[] {-1}), "keepdims", Attribute.of(1L)), bias);
    return b.op1("select", b.op1("equal", rowMax, ninf), scalar(b, t, 0), p);
  }
}
