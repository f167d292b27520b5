package dev.weft.compiler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import dev.weft.bundle.DType;
import dev.weft.bundle.program.Step;
import dev.weft.ir.Attribute;
import dev.weft.ir.Graph;
import dev.weft.ir.GraphBuilder;
import dev.weft.ir.TensorType;
import dev.weft.ir.Value;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Launch geometry of cooperative kernels as the compiler writes it: a softmax over 128-term rows
 * on cuda:sm_90 runs a warp per row (8 rows per 256-thread block, grid = ceil(rows / 8)), on
 * rocm:gfx942 a wave per row (4 per block); one over 16-term rows keeps the lowered geometry
 * untouched (the same step object).
 */
class CooperativeLaunchesTest {
  @Test
  void warpPerRowLaunchesCountItemsPerBlock() {
    Graph g = new Graph("m");
    Value x = g.addInput("x", TensorType.of(DType.F32, 100, 128));
    Value s = g.addInput("s", TensorType.of(DType.F32, 100, 16));
    GraphBuilder b = new GraphBuilder(g);
    g.addOutput(b.op1("softmax", Map.of("axis", Attribute.of(-1L)), x));
    g.addOutput(b.op1("softmax", Map.of("axis", Attribute.of(-1L)), s));
    for (var target : List.of(new Object[] {"cuda:sm_90", 8L}, new Object[] {"rocm:gfx942", 4L})) {
      KernelBackend backend = Backends.forTarget((String) target[0]);
      ProgramLowering.Result lowered = ProgramLowering.lower(g, LoweringOptions.gpu(backend.blockSize()));
      ProgramLowering.Result coop = CooperativeLaunches.apply(lowered, backend);
      List<Step.Launch> before = lowered.steps().stream().filter(st -> st instanceof Step.Launch).map(st -> (Step.Launch) st).toList();
      List<Step.Launch> after = coop.steps().stream().filter(st -> st instanceof Step.Launch).map(st -> (Step.Launch) st).toList();
      assertEquals(2, after.size(), after.toString());
      long items = (long) target[1];
      assertEquals(items, after.get(0).geometry().itemsPerBlock(), target[0] + " long rows");
      assertEquals((100 + items - 1) / items, after.get(0).geometry().grid().get(0));
      assertEquals(256L, after.get(0).geometry().block().get(0));
      assertSame(before.get(1), after.get(1), "short rows: the step is left as lowered");
      assertEquals(256L, after.get(1).geometry().itemsPerBlock());
      assertEquals(1L, after.get(1).geometry().grid().get(0), "ceil(100 / 256)");
    }
  }
}
