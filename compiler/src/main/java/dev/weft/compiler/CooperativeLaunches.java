package dev.weft.compiler;

import dev.weft.bundle.program.Geometry;
import dev.weft.bundle.program.Step;
import dev.weft.codegen.kir.Kernel;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Gives the launches of cooperative kernels (a warp or block per work item, decided by the
 * backend, see {@link KernelBackend#itemsPerBlock}) their geometry: {@code items_per_block}
 * and a grid of ceil(extent / items_per_block) blocks under the same cap as every launch
 * (kernels stride over the rest). Thread-per-item launches are left exactly as lowered, so
 * their bundles do not change.
 */
final class CooperativeLaunches {
  private CooperativeLaunches() {}

  static ProgramLowering.Result apply(ProgramLowering.Result lowered, KernelBackend backend) {
    Map<String, Kernel> byName = new HashMap<>();
    for (Kernel k : lowered.kernels()) byName.put(k.name(), k);
    List<Step> steps = rewrite(lowered.steps(), byName, backend);
    return new ProgramLowering.Result(lowered.buffers(), steps, lowered.kernels(), lowered.weights(), lowered.stepOfKernel(),
        lowered.groups(), lowered.controls(), lowered.dims(), lowered.maxBinding(), lowered.uncompiled());
  }

  private static List<Step> rewrite(List<Step> steps, Map<String, Kernel> kernels, KernelBackend backend) {
    List<Step> out = new ArrayList<>(steps.size());
    for (Step s : steps) {
      out.add(switch (s) {
        case Step.Launch l when l.geometry() != null && kernels.containsKey(l.kernel()) -> launch(l, kernels.get(l.kernel()), backend);
        case Step.If i -> new Step.If(i.cond(), rewrite(i.then(), kernels, backend), rewrite(i.otherwise(), kernels, backend));
        case Step.Loop p -> new Step.Loop(p.maxTrips(), p.cond(), p.iter(), rewrite(p.body(), kernels, backend), p.scans());
        default -> s;
      });
    }
    return out;
  }

  private static Step.Launch launch(Step.Launch l, Kernel k, KernelBackend backend) {
    int items = backend.itemsPerBlock(k);
    long block = l.geometry().block().get(0);
    if (items == block) return l;
    long grid = LaunchGrid.blocks(k.extent(), items);
    Geometry g = Geometry.of(grid, block, l.geometry().sharedBytes(), items);
    return new Step.Launch(l.kernel(), l.args(), l.dims(), l.extent(), g, l.group(), l.nodes());
  }
}
