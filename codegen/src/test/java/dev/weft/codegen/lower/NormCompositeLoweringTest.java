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
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Reduction composites (softmax, norms, reduce_mean, reduce_log_sum_exp) lower through their
 * decompositions; checked against the interpreter's own kernels (f64 math) at rtol 1e-4, atol 1e-5,
 * and for linear cost: their row reductions do not depend on the inner (serial) loop.
 */
class NormCompositeLoweringTest {
  static final double RTOL = 1e-4;
  static final double ATOL = 1e-5;

  static Map<String, Attribute> axis(long a) { return Map.of("axis", Attribute.of(a)); }

  @ParameterizedTest
  @ValueSource(strings = {"softmax", "log_softmax"})
  void softmaxAxes(String op) {
    Tensor x = random(DType.F32, 1, 6, 3, 5, 4);
    for (long a : new long[] {-1, 0, 1, 2, -2}) check(op, axis(a), RTOL, ATOL, x);
    check(op, axis(-1), RTOL, ATOL, random(DType.F32, 2, 30, 7, 1));
    check(op, axis(0), RTOL, ATOL, random(DType.F32, 3, 30, 1, 9));
    check(op, axis(-1), RTOL, ATOL, Tensor.zeros(DType.F32, 0, 5));
    // large logits: the row max must be subtracted or exp overflows
    Tensor big = Tensor.ofFloats(new long[] {2, 3}, 1000f, 999f, 998f, -1000f, -1001f, -990f);
    check(op, axis(-1), RTOL, ATOL, big);
    check(op, axis(-1), 1e-3, 1e-5, random(DType.F16, 4, 4, 3, 8));
  }

  @Test
  void softmaxRowReductionsAreComputedOncePerRow() {
    for (String op : new String[] {"softmax", "log_softmax"}) {
      List<Kernel> ks = KernelStructure.lower(op, axis(1), random(DType.F32, 5, 1, 4, 64, 3));
      assertEquals(1, ks.size());
      Kernel k = ks.get(0);
      assertEquals(1, k.loops().size() - k.parallelLoops(), op + ": the softmax axis is the one serial loop\n" + k);
      assertEquals(64, k.loops().get(k.loops().size() - 1).extent());
      List<KernelStructure.Reduction> rs = KernelStructure.reductions(k);
      assertTrue(rs.stream().anyMatch(r -> r.op() == ReduceOp.MAX), op + ": subtracts the row max");
      for (KernelStructure.Reduction r : rs) assertFalse(r.dependsOnSerialLoop(), op + ": " + r + "\n" + k);
    }
  }

  @Test
  void lpNormalization() {
    Tensor x = random(DType.F32, 6, 3, 4, 5);
    Tensor zeroRow = Tensor.ofFloats(new long[] {2, 3}, 0f, 0f, 0f, 1f, -2f, 2f);
    for (long p : new long[] {1, 2}) {
      for (long a : new long[] {-1, 0}) check("lp_normalization", Map.of("axis", Attribute.of(a), "p", Attribute.of(p)), RTOL, ATOL, x);
      check("lp_normalization", Map.of("axis", Attribute.of(1L), "p", Attribute.of(p)), RTOL, ATOL, zeroRow);
    }
  }

  @Test
  void reduceMeanAndLogSumExp() {
    Tensor x = random(DType.F32, 7, 5, 3, 4, 5);
    for (long[] axes : new long[][] {{1}, {-1, 0}, {0, 1, 2}}) {
      for (long keep : new long[] {0, 1}) {
        Map<String, Attribute> m = Map.of("axes", Attribute.of(axes), "keepdims", Attribute.of(keep));
        check("reduce_mean", m, RTOL, ATOL, x);
        check("reduce_log_sum_exp", m, RTOL, ATOL, x);
      }
    }
    check("reduce_mean", Map.of("keepdims", Attribute.of(0L)), RTOL, ATOL, x);
    check("reduce_mean", Map.of("axes", Attribute.of(new long[] {1}), "keepdims", Attribute.of(0L)), 0, 0, random(DType.I32, 8, 1000, 3, 7));
    check("reduce_mean", Map.of("axes", Attribute.of(new long[] {1}), "keepdims", Attribute.of(1L)), 0, 0, Tensor.zeros(DType.F32, 2, 0));
    check("reduce_mean", Map.of("keepdims", Attribute.of(1L)), RTOL, ATOL, x,
        new LoweringCheck.Const(Tensor.ofLongs(new long[] {1}, -2)));
    Tensor inf = Tensor.ofFloats(new long[] {3, 2}, Float.NEGATIVE_INFINITY, Float.NEGATIVE_INFINITY, 1f, Float.POSITIVE_INFINITY, 80f, 90f);
    check("reduce_log_sum_exp", Map.of("axes", Attribute.of(new long[] {1}), "keepdims", Attribute.of(0L)), RTOL, ATOL, inf);
  }

  @Test
  void layerNormAllResults() {
    Tensor x = random(DType.F32, 9, 3, 2, 3, 7);
    for (long a : new long[] {-1, 1, 2}) {
      check("layer_norm", Map.of("axis", Attribute.of(a), "epsilon", Attribute.of(1e-5)), RTOL, ATOL, x);
    }
    Tensor scale = random(DType.F32, 10, 2, 7);
    Tensor bias = random(DType.F32, 11, 2, 7);
    check("layer_norm", axis(-1), RTOL, ATOL, x, scale, bias);
    check("layer_norm", axis(-1), RTOL, ATOL, x, scale);
    check("layer_norm", axis(1), RTOL, ATOL, x, random(DType.F32, 12, 2, 3, 7), null);
    check("layer_norm", axis(-1), RTOL, ATOL, random(DType.F32, 13, 3, 4, 1));
  }

  @Test
  void layerNormIsLinear() {
    List<Kernel> ks = KernelStructure.lower("layer_norm", axis(-1), random(DType.F32, 14, 1, 4, 48), random(DType.F32, 15, 1, 48), null);
    Kernel y = ks.get(0);
    assertEquals(48, y.loops().get(y.loops().size() - 1).extent(), y.toString());
    assertEquals(1, y.parallelLoops(), y.toString());
    for (KernelStructure.Reduction r : KernelStructure.reductions(y)) assertFalse(r.dependsOnSerialLoop(), r + "\n" + y);
  }

  @Test
  void rmsNorm() {
    Tensor x = random(DType.F32, 16, 3, 4, 9);
    check("rms_norm", axis(-1), RTOL, ATOL, x);
    check("rms_norm", axis(-1), RTOL, ATOL, x, random(DType.F32, 17, 2, 9));
    check("rms_norm", Map.of("axis", Attribute.of(1L), "epsilon", Attribute.of(1e-3)), RTOL, ATOL, x, random(DType.F32, 18, 2, 4, 9));
  }

  @Test
  void meanVarianceNormalization() {
    Tensor x = random(DType.F32, 19, 3, 2, 3, 4, 5);
    check("mean_variance_normalization", Map.of(), 1e-3, 1e-4, x);
    check("mean_variance_normalization", Map.of("axes", Attribute.of(new long[] {1})), 1e-3, 1e-4, x);
    check("mean_variance_normalization", Map.of("axes", Attribute.of(new long[] {-1, 0})), 1e-3, 1e-4, x);
  }

  @Test
  void instanceNorm() {
    Tensor x = random(DType.F32, 20, 3, 2, 3, 4, 5);
    check("instance_norm", Map.of(), RTOL, ATOL, x, random(DType.F32, 21, 2, 3), random(DType.F32, 22, 2, 3));
    check("instance_norm", Map.of("epsilon", Attribute.of(1e-2)), RTOL, ATOL, random(DType.F32, 23, 3, 2, 3, 7),
        random(DType.F32, 24, 2, 3), random(DType.F32, 25, 2, 3));
  }

  @Test
  void groupNorm() {
    Tensor x = random(DType.F32, 26, 3, 2, 6, 3, 2);
    check("group_norm", Map.of("num_groups", Attribute.of(3L)), RTOL, ATOL, x, random(DType.F32, 27, 2, 6), random(DType.F32, 28, 2, 6));
    check("group_norm", Map.of("num_groups", Attribute.of(2L)), RTOL, ATOL, x, random(DType.F32, 29, 2, 2), random(DType.F32, 30, 2, 2));
    check("group_norm", Map.of("num_groups", Attribute.of(1L)), RTOL, ATOL, x, random(DType.F32, 31, 2, 6), random(DType.F32, 32, 2, 6));
    check("group_norm", Map.of("num_groups", Attribute.of(6L)), RTOL, ATOL, x, random(DType.F32, 33, 2, 6), random(DType.F32, 34, 2, 6));
    check("group_norm", Map.of("num_groups", Attribute.of(2L), "epsilon", Attribute.of(0.1)), RTOL, ATOL, random(DType.F32, 35, 3, 2, 4),
        random(DType.F32, 36, 2, 4), random(DType.F32, 37, 2, 4));
    check("group_norm", Map.of("num_groups", Attribute.of(2L)), RTOL, ATOL, random(DType.F32, 38, 3, 1, 4, 2, 2, 3),
        random(DType.F32, 39, 2, 4), random(DType.F32, 40, 2, 4));
  }

  @Test
  void batchNormAndLrnThroughTheirDecompositions() {
    Tensor x = random(DType.F32, 41, 3, 2, 3, 4, 5);
    Tensor var = random(DType.F32, 42, 1, 3);
    for (long i = 0; i < 3; i++) var.setDouble(i, Math.abs(var.getDouble(i)) + 0.1);
    check("batch_norm", Map.of(), RTOL, ATOL, x, random(DType.F32, 43, 2, 3), random(DType.F32, 44, 2, 3), random(DType.F32, 45, 2, 3), var);
    for (long size : new long[] {1, 2, 3, 5}) check("lrn", Map.of("size", Attribute.of(size)), RTOL, ATOL, x);
  }

  /** Normalizations whose statistics must not be recomputed per element: none depends on a serial loop. */
  @Test
  void normStatisticsAreHoisted() {
    Tensor x = random(DType.F32, 46, 1, 2, 8, 3, 5);
    Tensor p = random(DType.F32, 47, 1, 8);
    Object[][] cases = {
        {"group_norm", Map.of("num_groups", Attribute.of(2L)), new Tensor[] {x, p, p}, 2},
        {"instance_norm", Map.of(), new Tensor[] {x, p, p}, 2},
        {"mean_variance_normalization", Map.of(), new Tensor[] {x}, 1},
        {"rms_norm", Map.of("axis", Attribute.of(1L)), new Tensor[] {x}, 1},
        {"lp_normalization", Map.of("axis", Attribute.of(1L)), new Tensor[] {x}, 3},
        {"log_softmax", Map.of("axis", Attribute.of(2L)), new Tensor[] {x}, 3}};
    for (Object[] c : cases) {
      @SuppressWarnings("unchecked")
      Kernel k = KernelStructure.lower((String) c[0], (Map<String, Attribute>) c[1], (Tensor[]) c[2]).get(0);
      assertEquals((int) c[3], k.parallelLoops(), c[0] + "\n" + k);
      for (KernelStructure.Reduction r : KernelStructure.reductions(k)) assertFalse(r.dependsOnSerialLoop(), c[0] + ": " + r);
    }
  }

  /** Group statistics once per (batch, group), not once per channel: counted in the kernel IR. */
  @Test
  void groupNormStatisticsOncePerGroup() {
    Tensor x = random(DType.F32, 48, 1, 1, 8, 3, 5);
    Tensor p = random(DType.F32, 49, 1, 8);
    List<Kernel> ks = KernelStructure.lower("group_norm", Map.of("num_groups", Attribute.of(2L)), x, p, p);
    long work = 0;
    for (Kernel k : ks) work += KernelStructure.work(k);
    // one pass over a group of 4 channels x 3 x 5 is a nest of sums running 4 + 4*3 + 4*3*5 = 76
    // bodies; per group: the mean, then the mean again and the variance (per channel: 8 x 2 x 76)
    assertEquals(2 * 3 * 76, work, ks.toString());
    assertTrue(KernelStructure.reductions(ks.get(ks.size() - 1)).isEmpty(), "the result kernel only reads the statistics\n" + ks);
  }
}
