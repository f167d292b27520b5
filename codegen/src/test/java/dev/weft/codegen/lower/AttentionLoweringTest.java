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
  void rowMaxAndSumAreComputedOncePerQueryRow() {
    List<Kernel> ks = KernelStructure.lower("attention", attrs("is_causal", 1L), t(1, 2, 6, 8), t(1, 2, 9, 8), t(1, 2, 9, 5));
    assertEquals(1, ks.size());
    Kernel k = ks.get(0);
    assertEquals(3, k.parallelLoops(), "batch, head and query are parallel\n" + k);
    assertEquals(5, k.loops().get(3).extent(), "the value dim is the serial loop\n" + k);
    List<KernelStructure.Reduction> rs = KernelStructure.reductions(k);
    assertTrue(rs.stream().anyMatch(r -> r.op() == ReduceOp.MAX && r.extent() == 9 && !r.nested() && !r.dependsOnSerialLoop()), rs.toString());
    long rowSums = rs.stream().filter(r -> r.op() == ReduceOp.SUM && r.extent() == 9 && !r.nested() && !r.dependsOnSerialLoop()).count();
    assertEquals(1, rowSums, "the softmax denominator: " + rs);
    for (KernelStructure.Reduction r : rs) {
      if (r.op() == ReduceOp.MAX) assertFalse(r.dependsOnSerialLoop(), r.toString());
    }
  }
}
