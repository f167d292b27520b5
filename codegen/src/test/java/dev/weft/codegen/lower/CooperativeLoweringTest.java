package dev.weft.codegen.lower;

import static dev.weft.codegen.lower.LoweringCheck.random;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.bundle.DType;
import dev.weft.bundle.Tensor;
import dev.weft.codegen.kir.CooperativePlan;
import dev.weft.codegen.kir.CooperativeSimulation;
import dev.weft.codegen.kir.Kernel;
import dev.weft.ir.Attribute;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The cooperative decomposition (a warp or block per work item, {@link CooperativePlan}) checked
 * against the reference interpreter without a GPU: {@link CooperativeSimulation} runs each
 * lowered kernel lane by lane in exactly the plan's order (strided partials, butterfly, warps
 * through shared slots, split or lane-0 stores). Thresholds are lowered to 1 so rows of 0, 1,
 * odd lengths, fewer than a warp and not multiples of it all go cooperative, with warps of 32
 * (NVPTX) and 64 (AMDGPU), and blocks of 2 and 4 warps for the block-per-item path. Float sums
 * change order: rtol 1e-4, atol 1e-5 as for the serial kernels (f32 accumulation against the
 * interpreter's f64); MAX/MIN and integer sums must be exact.
 */
class CooperativeLoweringTest {
  static final double RTOL = 1e-4;
  static final double ATOL = 1e-5;
  /** warp size, block size, block-per-item threshold (rows at least this long take the whole block). */
  static final int[][] SHAPES = {{32, 256, Integer.MAX_VALUE}, {64, 256, Integer.MAX_VALUE}, {32, 128, 40}, {64, 256, 100}};
  static final long[] ROWS = {0, 1, 2, 5, 31, 32, 33, 63, 64, 65, 100, 129, 257};

  static LoweringCheck.Runner simulated(int warp, int block, long blockExtent) {
    return (kernels, memory) -> {
      for (Kernel k : kernels) {
        CooperativeSimulation.run(k, memory, CooperativePlan.of(k, warp, block, 48 * 1024, 1, blockExtent));
      }
    };
  }

  static Map<String, Attribute> axis(long a) { return Map.of("axis", Attribute.of(a)); }

  @Test
  void softmaxAndLayerNormRowsOfEveryAwkwardLength() {
    Random r = new Random(42);
    for (int[] s : SHAPES) {
      LoweringCheck.Runner run = simulated(s[0], s[1], s[2]);
      for (long n : ROWS) {
        long rows = 1 + r.nextInt(4);
        Tensor x = random(DType.F32, r.nextLong(), 4, rows, n);
        LoweringCheck.check(run, "softmax", axis(-1), RTOL, ATOL, x);
        LoweringCheck.check(run, "log_softmax", axis(-1), RTOL, ATOL, x);
        if (n > 0) {
          LoweringCheck.check(run, "layer_norm", Map.of("axis", Attribute.of(-1L), "epsilon", Attribute.of(1e-5)), RTOL, ATOL,
              x, random(DType.F32, r.nextLong(), 2, n), random(DType.F32, r.nextLong(), 2, n));
        }
      }
    }
  }

  @Test
  void reductionsAndMatmulDotProducts() {
    Random r = new Random(7);
    for (int[] s : SHAPES) {
      LoweringCheck.Runner run = simulated(s[0], s[1], s[2]);
      for (long n : ROWS) {
        Tensor x = random(DType.F32, r.nextLong(), 3, 3, n);
        for (String op : List.of("reduce_sum", "reduce_mean", "reduce_max", "reduce_min")) {
          if (n == 0 && op.equals("reduce_mean")) continue; // 0/0, NaN on both sides but not this test's point
          LoweringCheck.check(run, op, Map.of("axes", Attribute.of(new long[] {1}), "keepdims", Attribute.of(0L)), RTOL, ATOL, x);
        }
        LoweringCheck.check(run, "reduce_sum", Map.of("axes", Attribute.of(new long[] {1}), "keepdims", Attribute.of(1L)), 0, 0,
            random(DType.I32, r.nextLong(), 100000, 2, n));
        LoweringCheck.check(run, "reduce_max", Map.of("keepdims", Attribute.of(0L)), 0, 0, random(DType.I64, r.nextLong(), 1e9, 2, n));
        LoweringCheck.check(run, "reduce_sum", Map.of("axes", Attribute.of(new long[] {1}), "keepdims", Attribute.of(0L)), 1e-12, 1e-12,
            random(DType.F64, r.nextLong(), 3, 2, n));
        LoweringCheck.check(run, "matmul", Map.of(), RTOL, ATOL, random(DType.F32, r.nextLong(), 2, 3, n),
            random(DType.F32, r.nextLong(), 2, n, 5));
      }
    }
  }

  /** max(NaN, x) is NaN wherever the NaN sits in the row (lane 0, a middle lane, the last term), as in the interpreter. */
  @Test
  void nanPropagatesThroughTheButterfly() {
    for (int[] s : SHAPES) {
      for (long at : new long[] {0, 17, 63, 99}) {
        Tensor x = random(DType.F32, at, 3, 2, 100);
        x.setDouble(100 + at, Double.NaN);
        LoweringCheck.Runner run = simulated(s[0], s[1], s[2]);
        LoweringCheck.check(run, "reduce_max", Map.of("axes", Attribute.of(new long[] {1}), "keepdims", Attribute.of(0L)), 0, 0, x);
        LoweringCheck.check(run, "reduce_min", Map.of("axes", Attribute.of(new long[] {1}), "keepdims", Attribute.of(0L)), 0, 0, x);
        LoweringCheck.check(run, "softmax", axis(-1), RTOL, ATOL, x);
      }
    }
  }

  /**
   * A dot product reading B[k, n] with a stride along k cooperates only while its outputs are
   * too few to fill the GPU one thread each; contiguous rows cooperate at any count.
   */
  @Test
  void stridedReductionsCooperateOnlyWhenItemsAreFew() {
    Kernel few = KernelStructure.lower("matmul", Map.of(), random(DType.F32, 1, 1, 8, 256), random(DType.F32, 2, 1, 256, 16)).get(0);
    assertNotNull(CooperativePlan.of(few, 32, 256, 48 * 1024), "128 outputs: a warp each, " + few);
    Kernel many = KernelStructure.lower("matmul", Map.of(), random(DType.F32, 1, 1, 512, 128), random(DType.F32, 2, 1, 128, 128)).get(0);
    assertTrue(many.extent() >= CooperativePlan.STRIDED_ITEMS, "sample too small: " + many.extent());
    assertNull(CooperativePlan.of(many, 32, 256, 48 * 1024), "65536 outputs reading B across rows: a thread each");
    Kernel manyRows = KernelStructure.lower("softmax", axis(-1), random(DType.F32, 1, 1, 70000, 64)).get(0);
    assertNotNull(CooperativePlan.of(manyRows, 32, 256, 48 * 1024), "rows read contiguously cooperate at any count");
  }

  /** With the real thresholds: rows of 64+ terms go to a warp (block from 4096), shorter ones keep one thread per item. */
  @Test
  void thresholdsDecideWhoCooperates() {
    Kernel longRows = KernelStructure.lower("softmax", axis(-1), random(DType.F32, 1, 1, 4, 64)).get(0);
    CooperativePlan p = CooperativePlan.of(longRows, 32, 256, 48 * 1024);
    assertNotNull(p, longRows.toString());
    assertEquals(32, p.lanes());
    assertEquals(8, p.itemsPerBlock(256));
    assertEquals(2, p.reductions().size(), "the row max and the row sum: " + p.reductions());
    assertTrue(p.splitStores(), "softmax stores row elements at row * n + j: distinct, and never reads its output");

    Kernel shortRows = KernelStructure.lower("softmax", axis(-1), random(DType.F32, 1, 1, 4, 63)).get(0);
    assertNull(CooperativePlan.of(shortRows, 32, 256, 48 * 1024), "63-term rows stay one thread per row");
    assertNull(CooperativePlan.of(longRows, 1, 1, 0), "the host has no warps");
    Kernel elementwise = KernelStructure.lower("relu", Map.of(), random(DType.F32, 1, 1, 4, 4096)).get(0);
    assertNull(CooperativePlan.of(elementwise, 32, 256, 48 * 1024), "no reduction, no cooperation");

    Kernel veryLong = KernelStructure.lower("softmax", axis(-1), random(DType.F32, 1, 1, 2, 4096)).get(0);
    CooperativePlan block = CooperativePlan.of(veryLong, 32, 256, 48 * 1024);
    assertEquals(256, block.lanes());
    assertEquals(8, block.warps());
    assertEquals(1, block.itemsPerBlock(256));
    assertEquals(32, CooperativePlan.of(veryLong, 32, 256, 8).lanes(), "no shared memory for the warps' partials: warp per item");

    Kernel mean = KernelStructure.lower("reduce_mean", Map.of("axes", Attribute.of(new long[] {1}), "keepdims", Attribute.of(0L)),
        random(DType.F32, 1, 1, 4, 128)).get(0);
    CooperativePlan m = CooperativePlan.of(mean, 64, 256, 64 * 1024);
    assertEquals(64, m.lanes());
    assertFalse(m.splitStores(), "one element per item: lane 0 stores it");
  }
}
