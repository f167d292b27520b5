package dev.weft.codegen.kir;

import java.util.ArrayList;
import java.util.List;

/**
 * What a kernel's loop nest looks like, as far as choosing a tile goes ({@link TileShape},
 * {@code Target.preferredTile}). Only kernels whose loops are all parallel are tiled: a kernel
 * with serial loops (a row reduction) already runs its contiguous dim as an inner loop.
 */
public enum KernelKind {
  /** All loops parallel, no reduction: elementwise and broadcast chains, layout moves, gathers. */
  ELEMENTWISE,
  /**
   * All loops parallel, and every reduction that depends on the innermost loop is a SUM with no
   * reduction inside it (a matmul's or convolution's inner products, epilogue included): the
   * emitter runs such sums of one extent as one loop, so a tile's sums share their loads.
   */
  CONTRACTION,
  /** Anything else (serial loops, nested or non-SUM reductions over the innermost dim): kept untiled. */
  OTHER;

  public static KernelKind of(Kernel k) {
    if (k.parallelLoops() != k.loops().size() || k.loops().isEmpty()) return OTHER;
    List<Expr> roots = new ArrayList<>();
    for (Kernel.Store s : k.stores()) {
      if (s.guard() != null) return OTHER; // already tiled
      roots.add(s.index());
      roots.add(s.value());
    }
    List<Expr> reductions = FreeVars.reductions(roots);
    if (reductions.isEmpty()) return ELEMENTWISE;
    long inner = k.loops().get(k.loops().size() - 1).var().longValue();
    FreeVars free = new FreeVars();
    boolean contracts = false;
    for (Expr r : reductions) {
      boolean overInner = false;
      for (long v : free.of(r)) overInner |= v == inner;
      if (!overInner) continue;
      if (r.reduce() != ReduceOp.SUM || !FreeVars.reductions(List.of(r.a())).isEmpty()) return OTHER;
      contracts = true;
    }
    return contracts ? CONTRACTION : OTHER;
  }
}
