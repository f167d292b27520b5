package dev.weft.ir.ops;

import dev.weft.bundle.DType;
import dev.weft.bundle.Tensor;
import dev.weft.ir.Attribute;
import dev.weft.ir.Dim;
import dev.weft.ir.GraphBuilder;
import dev.weft.ir.InferContext;
import dev.weft.ir.Node;
import dev.weft.ir.OpDef;
import dev.weft.ir.OpLibrary;
import dev.weft.ir.Shape;
import dev.weft.ir.TensorType;
import dev.weft.ir.Type;
import dev.weft.ir.Value;
import dev.weft.ir.interp.KernelContext;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * {@code attention}: scaled dot-product attention softmax(softcap(q k^T * scale) + mask) v on
 * q [B, H, S, D], k [B, Hkv, L, D], v [B, Hkv, L, Dv] (H a multiple of Hkv: grouped-query heads
 * share kv head h / (H / Hkv)). The optional mask broadcasts to [B, H, S, L]: bool (false hides a
 * key) or float (added); a fully masked row yields zeros. {@code is_causal} hides key j from query i when j > i + causal_offset.
 * {@code scale} defaults to 1/sqrt(D); {@code softcap} > 0 applies softcap * tanh(x / softcap), before the mask.
 * With {@code qk_output_mode} set the op has a second result [B, H, S, L], the scores at one stage:
 * 0 q k^T * scale, 1 after softcap, 2 after softcap and mask (causal included), 3 the probabilities.
 */
public final class AttentionComposite implements OpLibrary {
  @Override
  public List<OpDef> ops() {
    return List.of(OpDef.composite("attention").inputs(3, 4)
        .optional("scale", Attribute.Kind.FLOAT)
        .attr("is_causal", Attribute.of(0L)).attr("causal_offset", Attribute.of(0L)).attr("softcap", Attribute.of(0.0))
        .optional("qk_output_mode", Attribute.Kind.INT).outputs(1, 2)
        .infer(AttentionComposite::infer).kernel(AttentionComposite::kernel).decompose(AttentionComposite::expand)
        .build());
  }

  static List<Type> infer(InferContext c) {
    TensorType q = c.tensor(0), k = c.tensor(1), v = c.tensor(2);
    NnSupport.requireFloat(c, 0, "q");
    if (k.dtype() != q.dtype() || v.dtype() != q.dtype()) throw c.fail("q, k, v must share a dtype");
    if (!q.shape().isRanked() || !v.shape().isRanked()) return List.of(q.withShape(Shape.unranked()));
    if (q.rank() != 4 || k.rank() != 4 || v.rank() != 4) throw c.fail("q, k, v must be 4-D (batch, heads, seq, dim)");
    Dim h = q.shape().dim(1), hk = k.shape().dim(1);
    if (h.isStatic() && hk.isStatic() && (hk.size() == 0 || h.size() % hk.size() != 0)) {
      throw c.fail(h.size() + " query heads are not a multiple of " + hk.size() + " kv heads");
    }
    Dim dq = q.shape().dim(3), dk = k.shape().dim(3);
    if (dq.isStatic() && dk.isStatic() && dq.size() != dk.size()) throw c.fail("q and k head sizes differ: " + dq + " vs " + dk);
    if (c.hasInput(3)) {
      DType mt = c.dtype(3);
      if (mt != DType.BOOL && mt != q.dtype()) throw c.fail("mask must be bool or " + q.dtype() + ", got " + mt);
    }
    List<Dim> out = new ArrayList<>(q.shape().dims());
    out.set(3, v.shape().dim(3));
    TensorType y = q.withShape(new Shape(out));
    if (!c.attrs().hasValue("qk_output_mode")) return List.of(y);
    long mode = c.attrs().getInt("qk_output_mode");
    if (mode < 0 || mode > 3) throw c.fail("qk_output_mode must be 0..3, got " + mode);
    List<Dim> qk = new ArrayList<>(q.shape().dims());
    qk.set(3, k.shape().isRanked() ? k.shape().dim(2) : c.fresh());
    return List.of(y, q.withShape(new Shape(qk)));
  }

  static double scaleOf(dev.weft.ir.Attrs a, long d) {
    return a.hasValue("scale") ? a.getFloat("scale") : 1.0 / Math.sqrt(d);
  }

  static Object[] kernel(KernelContext c) {
    Tensor q = c.tensor(0), k = c.tensor(1), v = c.tensor(2);
    long[] qs = q.shape(), ks = k.shape(), vs = v.shape();
    int b = (int) qs[0], h = (int) qs[1], s = (int) qs[2], d = (int) qs[3];
    int hk = (int) ks[1], l = (int) ks[2], dv = (int) vs[3];
    int reps = h / hk;
    double scale = scaleOf(c.attrs(), d);
    double softcap = c.attrs().getFloat("softcap");
    boolean causal = c.attrs().getBool("is_causal");
    long offset = c.attrs().getInt("causal_offset");
    int mode = (int) c.attrs().getIntOr("qk_output_mode", -1);
    float[] qv = q.toFloatArray(), kv = k.toFloatArray(), vv = v.toFloatArray();
    Tensor mask = c.has(3) ? c.tensor(3) : null;
    long[] mmap = mask == null ? null : Broadcast.indexMap(mask.shape(), new long[] {b, h, s, l});
    float[] out = new float[b * h * s * dv];
    float[] qk = mode < 0 ? null : new float[b * h * s * l];
    float[] kt = new float[d * l];
    float[] sc = new float[s * l];
    float qScale = (float) scale;
    for (int bi = 0; bi < b; bi++) {
      for (int hi = 0; hi < h; hi++) {
        int kvh = hi / reps;
        int kOff = ((bi * hk + kvh) * l) * d;
        for (int j = 0; j < l; j++) for (int e = 0; e < d; e++) kt[e * l + j] = kv[kOff + j * d + e];
        float[] qb = new float[s * d];
        int qOff = ((bi * h + hi) * s) * d;
        for (int i = 0; i < s * d; i++) qb[i] = qv[qOff + i] * qScale;
        java.util.Arrays.fill(sc, 0f);
        MatmulOps.gemm(qb, 0, kt, 0, sc, 0, s, d, l, false);
        int qkOff = (bi * h + hi) * s * l;
        if (mode == 0) System.arraycopy(sc, 0, qk, qkOff, s * l);
        if (softcap > 0) for (int i = 0; i < s * l; i++) sc[i] = (float) (softcap * Math.tanh(sc[i] / softcap));
        if (mode == 1) System.arraycopy(sc, 0, qk, qkOff, s * l);
        for (int i = 0; i < s; i++) {
          int row = i * l;
          for (int j = 0; j < l; j++) {
            double x = sc[row + j];
            if (mask != null) {
              long mi = ((long) (bi * h + hi) * s + i) * l + j;
              long src = mmap == null ? mi : mmap[(int) mi];
              if (mask.dtype() == DType.BOOL) {
                if (!mask.getBool(src)) x = Double.NEGATIVE_INFINITY;
              } else {
                x += mask.getDouble(src);
              }
            }
            if (causal && j > i + offset) x = Double.NEGATIVE_INFINITY;
            sc[row + j] = (float) x;
          }
        }
        if (mode == 2) System.arraycopy(sc, 0, qk, qkOff, s * l);
        for (int i = 0; i < s; i++) softmaxRow(sc, i * l, l);
        if (mode == 3) System.arraycopy(sc, 0, qk, qkOff, s * l);
        MatmulOps.gemm(sc, 0, vv, ((bi * hk + kvh) * l) * dv, out, ((bi * h + hi) * s) * dv, s, l, dv, false);
      }
    }
    Tensor y = NnSupport.fromFloats(q.dtype(), new long[] {b, h, s, dv}, out);
    if (qk == null) return KernelContext.one(y);
    return new Object[] {y, NnSupport.fromFloats(q.dtype(), new long[] {b, h, s, l}, qk)};
  }

  /** In-place softmax of sc[row, row + l); a fully masked row (all -inf) attends to nothing: zeros, not 0/0. */
  private static void softmaxRow(float[] sc, int row, int l) {
    double max = Double.NEGATIVE_INFINITY;
    for (int j = 0; j < l; j++) max = Math.max(max, sc[row + j]);
    if (max == Double.NEGATIVE_INFINITY) {
      java.util.Arrays.fill(sc, row, row + l, 0f);
      return;
    }
    double sum = 0;
    for (int j = 0; j < l; j++) {
      double e = Math.exp(sc[row + j] - max);
      sc[row + j] = (float) e;
      sum += e;
    }
    for (int j = 0; j < l; j++) sc[row + j] = (float) (sc[row + j] / sum);
  }

  /**
   * matmul(safe_softmax(mask(softcap(q*scale @ k^T))), v), where a row whose scores are all -inf
   * gets zero probabilities; needs equal q and kv head counts.
   */
  static List<Value> expand(Node n, GraphBuilder b) {
    Value q = n.input(0), k = n.input(1), v = n.input(2);
    TensorType qt = q.tensorType();
    DType t = qt.dtype();
    Dim d = qt.shape().dim(3);
    if (!d.isStatic() && !n.attrs().hasValue("scale")) throw new IllegalStateException("attention decomposition needs a static head size or a scale");
    double scale = scaleOf(n.attrs(), d.isStatic() ? d.size() : 1);
    Value scores = b.op1("matmul", b.op1("mul", q, NnSupport.scalar(b, t, scale)), NnSupport.transpose(b, k, 0, 1, 3, 2));
    Value[] stages = new Value[4];
    stages[0] = scores;
    double softcap = n.attrs().getFloat("softcap");
    if (softcap > 0) {
      Value cap = NnSupport.scalar(b, t, softcap);
      scores = b.op1("mul", b.op1("tanh", b.op1("div", scores, cap)), cap);
    }
    stages[1] = scores;
    Value ninf = NnSupport.scalar(b, t, Double.NEGATIVE_INFINITY);
    if (n.inputCount() > 3 && n.input(3) != null) {
      Value m = n.input(3);
      if (m.tensorType().dtype() == DType.BOOL) m = b.op1("select", m, NnSupport.scalar(b, t, 0), ninf);
      scores = b.op1("add", scores, m);
    }
    if (n.attrs().getBool("is_causal")) {
      long s = qt.shape().dim(2).size(), l = k.tensorType().shape().dim(2).size();
      long off = n.attrs().getInt("causal_offset");
      Tensor cm = Tensor.zeros(t, s, l);
      for (long i = 0; i < s; i++) for (long j = 0; j < l; j++) if (j > i + off) cm.setDouble(i * l + j, Double.NEGATIVE_INFINITY);
      scores = b.op1("add", scores, b.constant(cm));
    }
    stages[2] = scores;
    Value p = b.op1("softmax", Map.of("axis", Attribute.of(-1L)), scores);
    Value allMasked = b.op1("equal", NnSupport.reduce(b, "reduce_max", scores, new long[] {-1}, true), ninf);
    p = b.op1("select", allMasked, NnSupport.scalar(b, t, 0), p);
    stages[3] = p;
    Value y = b.op1("matmul", p, v);
    if (!n.attrs().hasValue("qk_output_mode")) return List.of(y);
    return List.of(y, stages[(int) n.attrs().getInt("qk_output_mode")]);
  }
}
