package dev.weft.ir.ops;

import dev.weft.bundle.DType;
import dev.weft.bundle.Tensor;
import dev.weft.ir.Attribute;
import dev.weft.ir.Dim;
import dev.weft.ir.InferContext;
import dev.weft.ir.OpDef;
import dev.weft.ir.OpLibrary;
import dev.weft.ir.Shape;
import dev.weft.ir.TensorType;
import dev.weft.ir.Type;
import dev.weft.ir.interp.KernelContext;
import java.util.List;

/**
 * {@code linear_attention} (ONNX LinearAttention-27): a recurrent state S [B, Hkv, dk, dv] per kv
 * head, run over the time steps of query [B, T, Hq*dk], key [B, T, Hkv*dk], value [B, T, Hkv*dv].
 * Optional operands: 3 past_state (zeros when absent), 4 decay [B, T, Hkv or Hkv*dk] (log-space
 * gate), 5 beta [B, T, Hkv or 1], 6 erase_gate [B, T, Hkv*dk]. Each step t:
 * gated rules scale S by exp(decay_t); delta rules replace v_t by beta_t (v_t - S^T (e_t k_t));
 * then S += k_t v_t^T and o_t = scale * q_t S (query head h reads kv head h / (Hq / Hkv)).
 * update_rule: linear, gated, delta, gated_delta (default). Results: output [B, T, Hq*dv] and
 * present_state (past_state's dtype, else the query's). Custom: a sequential scan with no cheap core form.
 */
public final class LinearAttentionOp implements OpLibrary {
  private static final List<String> RULES = List.of("linear", "gated", "delta", "gated_delta");

  @Override
  public List<OpDef> ops() {
    return List.of(OpDef.custom("linear_attention").inputs(3, 7).outputs(2)
        .required("q_num_heads", Attribute.Kind.INT).required("kv_num_heads", Attribute.Kind.INT)
        .attr("scale", Attribute.of(0.0)).attr("update_rule", Attribute.of("gated_delta"))
        .infer(LinearAttentionOp::infer).kernel(LinearAttentionOp::kernel)
        .build());
  }

  static List<Type> infer(InferContext c) {
    NnSupport.requireFloat(c, 0, "query");
    String rule = c.attrs().getString("update_rule");
    if (!RULES.contains(rule)) throw c.fail("unknown update_rule '" + rule + "'");
    boolean gated = rule.startsWith("gated"), delta = rule.endsWith("delta");
    if (gated != c.hasInput(4)) throw c.fail("update_rule '" + rule + (gated ? "' needs" : "' forbids") + " decay");
    if (delta != c.hasInput(5)) throw c.fail("update_rule '" + rule + (delta ? "' needs" : "' forbids") + " beta");
    if (!delta && c.hasInput(6)) throw c.fail("update_rule '" + rule + "' forbids erase_gate");
    long hq = c.attrs().getInt("q_num_heads"), hk = c.attrs().getInt("kv_num_heads");
    if (hq <= 0 || hk <= 0 || hq % hk != 0) throw c.fail("q_num_heads " + hq + " must be a positive multiple of kv_num_heads " + hk);
    TensorType q = c.tensor(0), k = c.tensor(1), v = c.tensor(2);
    DType stateType = c.hasInput(3) ? c.dtype(3) : q.dtype();
    if (!q.shape().isRanked() || !k.shape().isRanked() || !v.shape().isRanked()) {
      return List.of(q.withShape(Shape.unranked()), new TensorType(stateType, Shape.unranked()));
    }
    if (q.rank() != 3 || k.rank() != 3 || v.rank() != 3) throw c.fail("query, key, value must be 3-D (batch, time, heads*dim)");
    Dim dq = q.shape().dim(2), dk = k.shape().dim(2), dv = v.shape().dim(2);
    Dim outLast = c.fresh(), kd = c.fresh(), vd = c.fresh();
    if (dq.isStatic() && dq.size() % hq != 0) throw c.fail("query width " + dq.size() + " is not a multiple of " + hq + " heads");
    if (dk.isStatic()) kd = Dim.of(dk.size() / hk);
    if (dv.isStatic()) {
      vd = Dim.of(dv.size() / hk);
      outLast = Dim.of(dv.size() / hk * hq);
    }
    Shape out = new Shape(List.of(q.shape().dim(0), q.shape().dim(1), outLast));
    Shape state = new Shape(List.of(q.shape().dim(0), Dim.of(hk), kd, vd));
    return List.of(q.withShape(out), new TensorType(stateType, state));
  }

  static Object[] kernel(KernelContext c) {
    Tensor q = c.tensor(0), k = c.tensor(1), v = c.tensor(2);
    int hq = c.attrs().getInt32("q_num_heads"), hk = c.attrs().getInt32("kv_num_heads");
    String rule = c.attrs().getString("update_rule");
    boolean gated = rule.startsWith("gated"), delta = rule.endsWith("delta");
    int b = (int) q.shape()[0], t = (int) q.shape()[1];
    int dk = (int) (q.shape()[2] / hq), dv = (int) (v.shape()[2] / hk), group = hq / hk;
    if (k.shape()[2] != (long) hk * dk) throw c.fail("key width " + k.shape()[2] + " is not kv_num_heads * " + dk);
    double scale = c.attrs().getFloat("scale");
    if (scale == 0) scale = 1 / Math.sqrt(dk);
    float[] qv = q.toFloatArray(), kv = k.toFloatArray(), vv = v.toFloatArray();
    double[] s = new double[b * hk * dk * dv];
    if (c.has(3)) {
      Tensor p = c.tensor(3);
      if (p.size() != s.length) throw c.fail("past_state has " + p.size() + " elements, expected " + s.length);
      for (int i = 0; i < s.length; i++) s[i] = p.getDouble(i);
    }
    Tensor decay = c.has(4) ? c.tensor(4) : null, beta = c.has(5) ? c.tensor(5) : null, erase = c.has(6) ? c.tensor(6) : null;
    int decayWidth = decay == null ? 0 : (int) decay.shape()[2], betaWidth = beta == null ? 0 : (int) beta.shape()[2];
    if (decay != null && decayWidth != hk && decayWidth != hk * dk) throw c.fail("decay width " + decayWidth + " must be kv_num_heads or kv_num_heads * d_k");
    if (beta != null && betaWidth != hk && betaWidth != 1) throw c.fail("beta width " + betaWidth + " must be kv_num_heads or 1");
    float[] out = new float[b * t * hq * dv];
    double[] kt = new double[dk], vt = new double[dv];
    for (int bi = 0; bi < b; bi++) {
      for (int ti = 0; ti < t; ti++) {
        int row = bi * t + ti;
        for (int h = 0; h < hk; h++) {
          int so = ((bi * hk) + h) * dk * dv;
          for (int d = 0; d < dk; d++) kt[d] = kv[(row * hk + h) * dk + d];
          for (int m = 0; m < dv; m++) vt[m] = vv[(row * hk + h) * dv + m];
          if (gated) {
            for (int d = 0; d < dk; d++) {
              double g = Math.exp(decayWidth == hk ? decay.getDouble((long) row * hk + h) : decay.getDouble(((long) row * hk + h) * dk + d));
              for (int m = 0; m < dv; m++) s[so + d * dv + m] *= g;
            }
          }
          if (delta) {
            double bt = beta.getDouble((long) row * betaWidth + (betaWidth == 1 ? 0 : h));
            for (int m = 0; m < dv; m++) {
              double got = 0;
              for (int d = 0; d < dk; d++) {
                double e = erase == null ? 1 : erase.getDouble(((long) row * hk + h) * dk + d);
                got += s[so + d * dv + m] * e * kt[d];
              }
              vt[m] = bt * (vt[m] - got);
            }
          }
          for (int d = 0; d < dk; d++) for (int m = 0; m < dv; m++) s[so + d * dv + m] += kt[d] * vt[m];
        }
        for (int h = 0; h < hq; h++) {
          int so = ((bi * hk) + h / group) * dk * dv;
          for (int m = 0; m < dv; m++) {
            double acc = 0;
            for (int d = 0; d < dk; d++) acc += qv[(row * hq + h) * dk + d] * s[so + d * dv + m];
            out[(row * hq + h) * dv + m] = (float) (scale * acc);
          }
        }
      }
    }
    Tensor y = NnSupport.fromFloats(q.dtype(), new long[] {b, t, (long) hq * dv}, out);
    DType st = c.has(3) ? c.tensor(3).dtype() : q.dtype();
    Tensor state = NnSupport.fromDoubles(st, new long[] {b, hk, dk, dv}, s);
    return new Object[] {y, state};
  }
}
