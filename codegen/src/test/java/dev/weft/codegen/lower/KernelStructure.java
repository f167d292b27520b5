package dev.weft.codegen.lower;

import dev.weft.bundle.Tensor;
import dev.weft.codegen.kir.Expr;
import dev.weft.codegen.kir.FreeVars;
import dev.weft.codegen.kir.Kernel;
import dev.weft.codegen.kir.ReduceOp;
import dev.weft.ir.Attribute;
import dev.weft.ir.Graph;
import dev.weft.ir.GraphBuilder;
import dev.weft.ir.Shape;
import dev.weft.ir.TensorType;
import dev.weft.ir.Value;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Inspects the kernels a one-op graph lowers to, to check the cost model that the emitter relies
 * on: a reduction is computed once per iteration of the loops it depends on, so a row reduction
 * that does not depend on a serial (inner) loop variable is computed once per row.
 */
final class KernelStructure {
  private KernelStructure() {}

  /** One reduction of a kernel: its op, extent, and whether it depends on a serial loop variable. */
  record Reduction(ReduceOp op, long extent, boolean dependsOnSerialLoop, boolean nested) { }

  /** Lowers op(inputs) (tensors become graph inputs of their type) and returns its kernels. */
  static List<Kernel> lower(String op, Map<String, Attribute> attrs, Tensor... inputs) {
    Graph g = new Graph("structure_" + op);
    GraphBuilder b = new GraphBuilder(g);
    List<Value> operands = new ArrayList<>();
    for (int i = 0; i < inputs.length; i++) {
      Tensor t = inputs[i];
      operands.add(t == null ? null : g.addInput("x" + i, new TensorType(t.dtype(), Shape.of(t.shape()))));
    }
    for (Value v : b.op(op, operands, attrs)) g.addOutput(v);
    return GroupLowerer.lower("k", g, null, g.name()).kernels();
  }

  /** Every REDUCE reachable from the kernel's stores. */
  static List<Reduction> reductions(Kernel k) {
    List<Expr> roots = new ArrayList<>();
    for (Kernel.Store s : k.stores()) roots.add(s.value());
    Set<Long> serial = new HashSet<>();
    Set<Long> loopVars = new HashSet<>();
    for (int i = 0; i < k.loops().size(); i++) {
      loopVars.add(k.loops().get(i).var().longValue());
      if (i >= k.parallelLoops()) serial.add(k.loops().get(i).var().longValue());
    }
    FreeVars free = new FreeVars();
    List<Reduction> out = new ArrayList<>();
    for (Expr r : FreeVars.reductions(roots)) {
      boolean dep = false;
      boolean nested = false;
      for (long v : free.of(r)) {
        dep |= serial.contains(v);
        nested |= !loopVars.contains(v);
      }
      out.add(new Reduction(r.reduce(), r.extent(), dep, nested));
    }
    return out;
  }

  /**
   * Reduction-body evaluations of one launch under the emitter's cost model (what a count of
   * multiply-adds measures for a dot product): a reduction that binds only loop variables runs
   * once per iteration of the loops up to the innermost one it depends on (at least once per
   * work item); one that depends on an enclosing reduction's variable runs once per iteration of
   * that reduction. Each run costs its extent.
   */
  static long work(Kernel k) {
    Map<Long, Integer> loopAt = new java.util.HashMap<>();
    for (int i = 0; i < k.loops().size(); i++) loopAt.put(k.loops().get(i).var().longValue(), i);
    FreeVars free = new FreeVars();
    long[] total = {0};
    Set<Expr> seenTop = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
    for (Kernel.Store s : k.stores()) walk(s.value(), k, loopAt, free, null, 0, total, seenTop);
    return total[0];
  }

  private static void walk(Expr e, Kernel k, Map<Long, Integer> loopAt, FreeVars free, Expr parent, long parentRuns, long[] total, Set<Expr> seenTop) {
    if (e == null) return;
    if (e.kind() != Expr.Kind.REDUCE) {
      walk(e.a(), k, loopAt, free, parent, parentRuns, total, seenTop);
      walk(e.b(), k, loopAt, free, parent, parentRuns, total, seenTop);
      walk(e.c(), k, loopAt, free, parent, parentRuns, total, seenTop);
      return;
    }
    boolean nested = false;
    int deepest = k.parallelLoops() - 1;
    for (long v : free.of(e)) {
      Integer at = loopAt.get(v);
      if (at == null) nested = true;
      else deepest = Math.max(deepest, at);
    }
    long runs;
    if (nested && parent != null) {
      runs = parentRuns * parent.extent();
    } else {
      if (!seenTop.add(e)) return; // hoisted: computed once however often it is read
      runs = 1;
      for (int i = 0; i <= deepest; i++) runs *= k.loops().get(i).extent();
    }
    total[0] += runs * e.extent();
    walk(e.a(), k, loopAt, free, e, runs, total, seenTop);
  }
}
