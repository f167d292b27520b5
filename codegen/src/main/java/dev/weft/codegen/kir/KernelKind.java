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
   * All loops parallel, every reduction that depends on the innermost loop is a SUM with no
   * reduction inside it (a matmul's or a pointwise convolution's inner products, epilogue
   * included), and every load that depends on the innermost loop's variable has it as a plain
   * summand of its index (consecutive along that dim). The emitter runs sums of one extent as
   * one loop, so a tile's sums share their loads, and its lanes' loads are adjacent. A matmul
   * whose right operand is stored transposed (a column is a row of K elements) is not one:
   * GroupLowerer tiles those itself.
   */
  CONTRACTION,
  /**
   * All loops parallel, every reduction that depends on the innermost loop is a SUM, and some
   * of them hold further SUMs, all over variables of their own (a spatial or depthwise
   * convolution: sums over input channels and the window). The emitter runs the sums of a
   * tile's lanes as one loop nest (KernelEmitter's hoist), so the lanes share their weight
   * loads, index arithmetic and loop overhead. Only unit-stride windows along the innermost dim
   * qualify: no load index multiplies or divides the innermost variable (a stride-2 window's
   * lanes read every other element and measured slower tiled, testsuite/BENCHMARKS.md).
   */
  NESTED_SUMS,
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
    boolean nested = false;
    for (Expr r : reductions) {
      boolean overInner = false;
      for (long v : free.of(r)) overInner |= v == inner;
      if (!overInner) continue;
      if (r.reduce() != ReduceOp.SUM) return OTHER;
      nested |= !FreeVars.reductions(List.of(r.a())).isEmpty();
      contracts = true;
    }
    if (nested) return nestedSums(reductions, inner, free) && unitStride(roots, inner) ? NESTED_SUMS : OTHER;
    return contracts && contiguousAlong(roots, inner, free) ? CONTRACTION : OTHER;
  }

  /**
   * Whether every reduction over {@code inner} is a SUM whose nested reductions are SUMs reading
   * their parent's variable (so the emitter can run a tile's copies of it as one loop nest).
   */
  private static boolean nestedSums(List<Expr> reductions, long inner, FreeVars free) {
    for (Expr r : reductions) {
      boolean overInner = false;
      for (long v : free.of(r)) overInner |= v == inner;
      if (!overInner) continue;
      for (Expr n : FreeVars.reductions(List.of(r.a()))) {
        boolean readsParent = false;
        for (long v : free.of(n)) readsParent |= v == r.var().longValue();
        if (n.reduce() != ReduceOp.SUM || !readsParent) return false;
      }
    }
    return true;
  }

  /** Whether no load index has variable {@code var} as an operand of a MUL, DIV or REM (a strided window). */
  private static boolean unitStride(List<Expr> roots, long var) {
    java.util.Map<Expr, Boolean> seen = new java.util.IdentityHashMap<>();
    java.util.ArrayDeque<Expr> work = new java.util.ArrayDeque<>(roots);
    java.util.ArrayDeque<Expr> index = new java.util.ArrayDeque<>();
    while (!work.isEmpty()) {
      Expr e = work.pop();
      if (seen.put(e, Boolean.TRUE) != null) continue;
      if (e.kind == Expr.Kind.LOAD) index.push(e.a);
      for (Expr c : new Expr[] {e.a, e.b, e.c}) if (c != null) work.push(c);
    }
    seen.clear();
    while (!index.isEmpty()) {
      Expr e = index.pop();
      if (seen.put(e, Boolean.TRUE) != null) continue;
      if (e.kind == Expr.Kind.BINARY && (e.binary() == BinaryOp.MUL || e.binary() == BinaryOp.DIV || e.binary() == BinaryOp.REM)) {
        if (isVar(e.a, var) || isVar(e.b, var)) return false;
      }
      for (Expr c : new Expr[] {e.a, e.b, e.c}) if (c != null) index.push(c);
    }
    return true;
  }

  private static boolean isVar(Expr e, long var) { return e.kind == Expr.Kind.VAR && e.id == var; }

  /** Whether every load reading variable {@code var} has it as a plain summand of its index, and nowhere else. */
  static boolean contiguousAlong(List<Expr> roots, long var, FreeVars free) {
    java.util.Map<Expr, Boolean> seen = new java.util.IdentityHashMap<>();
    java.util.ArrayDeque<Expr> work = new java.util.ArrayDeque<>(roots);
    while (!work.isEmpty()) {
      Expr e = work.pop();
      if (seen.put(e, Boolean.TRUE) != null) continue;
      if (e.kind == Expr.Kind.LOAD) {
        boolean reads = false;
        for (long v : free.of(e.a)) reads |= v == var;
        if (reads && !plainSummand(e.a, var, free)) return false;
      }
      for (Expr c : new Expr[] {e.a, e.b, e.c}) if (c != null) work.push(c);
    }
    return true;
  }

  /** {@code index} is a sum in which {@code var} occurs once, as a summand of its own. */
  private static boolean plainSummand(Expr index, long var, FreeVars free) {
    if (index.kind == Expr.Kind.VAR) return index.id == var;
    if (index.kind != Expr.Kind.BINARY || index.binary() != BinaryOp.ADD) return false;
    boolean inA = false;
    boolean inB = false;
    for (long v : free.of(index.a)) inA |= v == var;
    for (long v : free.of(index.b)) inB |= v == var;
    if (inA == inB) return false;
    return plainSummand(inA ? index.a : index.b, var, free);
  }
}
