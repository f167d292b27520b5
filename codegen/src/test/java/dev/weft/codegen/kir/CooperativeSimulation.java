package dev.weft.codegen.kir;

import dev.weft.bundle.Tensor;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Runs a kernel in Java the way a {@link CooperativePlan} runs it on a GPU, lane by lane, so
 * the decomposition can be checked against the reference interpreter on a machine without a
 * GPU. It follows the plan's documented order exactly: lane {@code l} folds terms {@code l, l +
 * lanes, ...} from the identity; the butterfly replaces every lane's value, for masks {@code
 * warpSize/2 .. 1}, by {@code combine(own, value of lane ^ mask)} (all lanes at once, as a
 * shuffle does); with several warps the warps' lane-0 values fold in warp order; and it fails
 * when lanes end with different bits (the emitted code would then give lanes different rows).
 * Split stores run the lanes in reverse order, so a plan that split a loop whose iterations
 * overlapped (or read what another lane wrote) would give a different result than the
 * interpreter's in-order run. What it cannot check is the LLVM the emitter makes from the same
 * plan: that is covered by ptxas/lld acceptance and the IR structure tests, and needs a GPU to run.
 */
public final class CooperativeSimulation {
  private CooperativeSimulation() {}

  public static void run(Kernel k, Map<Buffer, Tensor> memory, CooperativePlan plan) {
    if (plan == null) {
      Evaluator.run(k, memory);
      return;
    }
    Evaluator ev = Evaluator.stepwise(k, memory);
    List<Expr> roots = new ArrayList<>();
    for (Kernel.Store s : k.stores()) {
      roots.add(s.index());
      roots.add(s.value());
    }
    List<Expr> reductions = FreeVars.reductions(roots);
    Set<Expr> shared = Collections.newSetFromMap(new IdentityHashMap<>());
    shared.addAll(plan.reductions());
    Set<Long> items = new HashSet<>();
    for (int d = 0; d < k.parallelLoops(); d++) items.add(k.loops().get(d).var().longValue());
    FreeVars free = new FreeVars();
    for (long p = 0; p < k.extent(); p++) {
      long rest = p;
      for (int d = k.parallelLoops() - 1; d >= 0; d--) {
        Kernel.Loop l = k.loops().get(d);
        ev.set(l.var().longValue(), d == 0 ? rest : rest % l.extent());
        if (d > 0) rest /= l.extent();
      }
      for (Expr r : reductions) if (shared.contains(r) && free.boundBy(r, items)) ev.fix(r, cooperative(ev, r, plan));
      int first = k.parallelLoops();
      if (k.loops().size() > first && plan.splitStores()) {
        Kernel.Loop outer = k.loops().get(first);
        for (int lane = plan.lanes() - 1; lane >= 0; lane--) {
          for (long i = lane; i < outer.extent(); i += plan.lanes()) {
            ev.set(outer.var().longValue(), i);
            ev.loops(k, first + 1);
          }
        }
      } else {
        ev.loops(k, first); // lane 0 alone
      }
    }
  }

  private static long cooperative(Evaluator ev, Expr r, CooperativePlan plan) {
    int lanes = plan.lanes();
    BinaryOp op = r.reduce().combine();
    long[] v = new long[lanes];
    for (int lane = 0; lane < lanes; lane++) {
      long acc = Evaluator.identity(r);
      for (long t = lane; t < r.extent(); t += lanes) {
        ev.set(r.var().longValue(), t);
        acc = Scalars.binary(op, r.type(), acc, ev.eval(r.a()));
      }
      v[lane] = acc;
    }
    ev.unset(r.var().longValue());
    int w = plan.warpSize();
    for (int mask = w / 2; mask >= 1; mask >>= 1) {
      long[] next = new long[lanes];
      for (int lane = 0; lane < lanes; lane++) {
        int warpBase = lane - lane % w;
        next[lane] = Scalars.binary(op, r.type(), v[lane], v[warpBase + ((lane % w) ^ mask)]);
      }
      v = next;
    }
    for (int lane = 0; lane < lanes; lane++) {
      int warpBase = lane - lane % w;
      boolean bothNaN = r.type().isFloat() && Double.isNaN(Double.longBitsToDouble(v[lane])) && Double.isNaN(Double.longBitsToDouble(v[warpBase]));
      if (v[lane] != v[warpBase] && !bothNaN) throw new AssertionError("lane " + lane + " disagrees with its warp's lane 0 on " + r);
    }
    long acc = v[0];
    for (int warp = 1; warp < plan.warps(); warp++) acc = Scalars.binary(op, r.type(), acc, v[warp * w]);
    return acc;
  }
}
