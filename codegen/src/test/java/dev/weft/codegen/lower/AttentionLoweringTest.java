package dev.weft.codegen.lower;

import static dev.weft.codegen.lower.LoweringCheck.check;
import static dev.weft.codegen.lower.LoweringCheck.random;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.bundle.DType;
import dev.weft.bundle.Tensor;
import dev.weft.codegen.kir.Kernel;
import dev.weft.codegen.kir.ReduceOp;
import dev.weft.ir.Attribute;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The attention rule against the interpreter's kernel (rtol 1e-4, atol 1e-5: reordered sums, f32 softmax). */
class AttentionLoweringTest {
  static final double RTOL = 1e-4;
  static final double ATOL = 1e-5;

  static long seed = 500;

  static Tensor t(long... shape) { return random(DType.F32, seed++, 2, shape); }

  static Map<String, Attribute> attrs(Object... kv) {
    Map<String, Attribute> m = new HashMap<>();
    for (int i = 0; i < kv.length; i += 2) {
      Object v = kv[i + 1];
      m.put((String) kv[i], v instanceof Double x ? Attribute.of(x) : Attribute.of((Long) v));
    }
    return m;
  }

  @Test
  void plainAndScaled() {
    Tensor q = t(2, 3, 5, 4);
    Tensor k = t(2, 3, 7, 4);
    Tensor v = t(2, 3, 7, 6);
    check("attention", attrs(), RTOL, ATOL, q, k, v);
    check("attention", attrs("scale", 0.3), RTOL, ATOL, q, k, v);
    check("attention", attrs("softcap", 1.5), RTOL, ATOL, q, k, v);
    check("attention", attrs(), RTOL, ATOL, t(1, 1, 1, 3), t(1, 1, 1, 3), t(1, 1, 1, 2));
  }

  @Test
  void groupedQueryHeads() {
    check("attention", attrs(), RTOL, ATOL, t(1, 4, 3, 5), t(1, 2, 6, 5), t(1, 2, 6, 3));
    check("attention", attrs("is_causal", 1L), RTOL, ATOL, t(2, 6, 4, 2), t(2, 2, 4, 2), t(2, 2, 4, 5));
  }

  @Test
  void masks() {
    Tensor q = t(2, 2, 4, 3);
    Tensor k = t(2, 2, 5, 3);
    Tensor v = t(2, 2, 5, 3);
    check("attention", attrs(), RTOL, ATOL, q, k, v, random(DType.BOOL, 1, 1, 4, 5));
    check("attention", attrs(), RTOL, ATOL, q, k, v, random(DType.BOOL, 2, 1, 2, 1, 4, 5));
    check("attention", attrs(), RTOL, ATOL, q, k, v, random(DType.F32, 3, 3, 1, 1, 4, 5));
    // a fully hidden row gives zeros, not 0/0
    Tensor hide = Tensor.ofFloats(new long[] {4, 5}, new float[20]);
    for (int j = 0; j < 5; j++) hide.setDouble(5 + j, Double.NEGATIVE_INFINITY);
    hide.setDouble(12, Double.NEGATIVE_INFINITY);
    check("attention", attrs(), RTOL, ATOL, q, k, v, hide);
    Tensor none = Tensor.zeros(DType.BOOL, 4, 5);
    check("attention", attrs(), RTOL, ATOL, q, k, v, none);
  }

  @Test
  void causalOffsets() {
    Tensor q = t(1, 2, 5, 3);
    Tensor k = t(1, 2, 7, 3);
    Tensor v = t(1, 2, 7, 4);
    for (long off : new long[] {0, 2, -1, -6}) {
      check("attention", attrs("is_causal", 1L, "causal_offset", off), RTOL, ATOL, q, k, v);
    }
    check("attention", attrs("is_causal", 1L, "softcap", 3.0), RTOL, ATOL, q, k, v, random(DType.BOOL, 4, 1, 5, 7));
  }

  @Test
  void qkOutputModes() {
    Tensor q = t(1, 2, 3, 4);
    Tensor k = t(1, 2, 5, 4);
    Tensor v = t(1, 2, 5, 2);
    Tensor m = random(DType.F32, 5, 1, 3, 5);
    for (long mode = 0; mode <= 3; mode++) {
      check("attention", attrs("qk_output_mode", mode, "softcap", 2.0, "is_causal", 1L), RTOL, ATOL, q, k, v, m);
    }
    check("attention", attrs("qk_output_mode", 3L), RTOL, ATOL, q, k, t(1, 2, 5, 5)); // Dv == L: one kernel, two stores
  }

  @Test
  void emptyKeysAndNarrowFloats() {
    check("attention", attrs(), RTOL, ATOL, t(1, 2, 3, 4), Tensor.zeros(DType.F32, 1, 2, 0, 4), Tensor.zeros(DType.F32, 1, 2, 0, 3));
    check("attention", attrs(), RTOL, ATOL, Tensor.zeros(DType.F32, 1, 2, 0, 4), t(1, 2, 3, 4), t(1, 2, 3, 3));
    check("attention", attrs("is_causal", 1L), 2e-3, 2e-3, random(DType.F16, 6, 2, 1, 2, 4, 8), random(DType.F16, 7, 2, 1, 2, 4, 8),
        random(DType.F16, 8, 2, 1, 2, 4, 8));
  }

  @Test
  void scoresProbabilitiesAndWeightedSumAreSeparateKernels() {
    // B=1, H=2, S=6, L=9, D=8, Dv=5
    List<Kernel> ks = KernelStructure.lower("attention", attrs("is_causal", 1L), t(1, 2, 6, 8), t(1, 2, 9, 8), t(1, 2, 9, 5));
    assertEquals(3, ks.size(), "scores, probabilities, P.V\n" + ks);
    Kernel scores = ks.get(0);
    Kernel probs = ks.get(1);
    Kernel out = ks.get(2);
    // one D-long dot product per (query, key)
    assertEquals(2 * 6 * 9 * 8, KernelStructure.work(scores), scores.toString());
    // the row max and the denominator once per query row: the key dim is the serial loop
    assertEquals(3, probs.parallelLoops(), probs.toString());
    assertEquals(9, probs.loops().get(3).extent(), probs.toString());
    List<KernelStructure.Reduction> rs = KernelStructure.reductions(probs);
    assertTrue(rs.stream().anyMatch(r -> r.op() == ReduceOp.MAX && r.extent() == 9 && !r.nested() && !r.dependsOnSerialLoop()), rs.toString());
    assertEquals(1, rs.stream().filter(r -> r.op() == ReduceOp.SUM && r.extent() == 9 && !r.dependsOnSerialLoop()).count(), rs.toString());
    assertEquals(2 * 6 * 9 * 2, KernelStructure.work(probs), probs.toString());
    // P.V: one L-long sum per output element, no score recomputed inside it
    assertEquals(2 * 6 * 5 * 9, KernelStructure.work(out), out.toString());
    assertTrue(KernelStructure.reductions(out).stream().noneMatch(KernelStructure.Reduction::nested), out.toString());
  }

  @Test
  void probabilitiesOutputReadsTheSameTemporary() {
    List<Kernel> ks = KernelStructure.lower("attention", attrs("qk_output_mode", 3L), t(1, 2, 3, 4), t(1, 2, 5, 4), t(1, 2, 5, 2));
    long total = 0;
    for (Kernel k : ks) total += KernelStructure.work(k);
    // scores 1*2*3*5*4, row max + sum 2*(1*2*3*5), P.V 1*2*3*2*5; the probabilities output is a copy
    assertEquals(120 + 60 + 60, total, ks.toString());
  }
}
