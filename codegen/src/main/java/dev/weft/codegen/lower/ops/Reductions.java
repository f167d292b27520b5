package dev.weft.codegen.lower.ops;

import dev.weft.codegen.kir.BinaryOp;
import dev.weft.codegen.kir.Expr;
import dev.weft.codegen.kir.ExprFactory;
import dev.weft.codegen.kir.ReduceOp;
import dev.weft.codegen.lower.LowerContext;
import java.util.function.Function;

/** Index helpers shared by the compute lowerings: nested reductions, guarded (padded) loads. */
final class Reductions {
  private Reductions() {}

  /**
   * {@code op} of {@code body(vars)} over the box {@code extents}, one REDUCE per dim with the
   * first dim outermost. Dims of extent 1 bind index 0 instead of a loop; an inner reduction
   * depends on the outer variables through its body, so it is never hoisted out wrongly.
   */
  static Expr nest(LowerContext c, ReduceOp op, long[] extents, Function<Expr[], Expr> body) {
    ExprFactory f = c.f();
    Expr[] vars = new Expr[extents.length];
    for (int d = 0; d < extents.length; d++) vars[d] = extents[d] == 1 ? f.index(0) : c.newVar("r");
    Expr e = body.apply(vars);
    for (int d = extents.length - 1; d >= 0; d--) {
      if (extents[d] != 1) e = f.reduce(op, vars[d], extents[d], e);
    }
    return e;
  }

  /** 0 <= i < n as a bool expression (folds to true when the range of i is known to fit: see {@link #inRange}). */
  static Expr inBounds(ExprFactory f, Expr i, long n) {
    return f.and(f.binary(BinaryOp.GE, i, f.index(0)), f.lt(i, f.index(n)));
  }

  /** Whether every value in [lo, hi] is a valid index below n. */
  static boolean inRange(long lo, long hi, long n) { return lo >= 0 && hi < n; }

  /** Conjunction of the non-null conditions, or null when there are none. */
  static Expr all(ExprFactory f, Expr... conds) {
    Expr acc = null;
    for (Expr e : conds) if (e != null) acc = acc == null ? e : f.and(acc, e);
    return acc;
  }
}
