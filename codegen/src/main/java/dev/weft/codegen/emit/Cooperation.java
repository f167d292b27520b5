package dev.weft.codegen.emit;

import dev.weft.codegen.kir.CooperativePlan;
import dev.weft.codegen.kir.Kernel;
import dev.weft.codegen.target.Target;

/**
 * The one place that decides, from the Target's warp size, block size and shared memory, whether
 * a kernel runs cooperatively: the emitter builds the code from it and the compiler the launch
 * geometry ({@code items_per_block}), so the two cannot disagree.
 */
public final class Cooperation {
  private Cooperation() {}

  /** The plan {@link KernelEmitter} follows for {@code k} on {@code target}; null: one thread per work item (always on the host). */
  public static CooperativePlan plan(Kernel k, Target target) {
    if (!target.gpu()) return null;
    return CooperativePlan.of(k, target.warpSize(), target.defaultBlockSize(), target.sharedMemoryBytes());
  }

  /** Work items one block runs at a time: the block size, or fewer when warps (or the block) share items. */
  public static int itemsPerBlock(Kernel k, Target target) {
    CooperativePlan p = plan(k, target);
    return p == null ? target.defaultBlockSize() : p.itemsPerBlock(target.defaultBlockSize());
  }
}
