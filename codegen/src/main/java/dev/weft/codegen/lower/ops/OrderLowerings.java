package dev.weft.codegen.lower.ops;

import dev.weft.bundle.DType;
import dev.weft.codegen.kir.BinaryOp;
import dev.weft.codegen.kir.Expr;
import dev.weft.codegen.kir.ExprFactory;
import dev.weft.codegen.kir.ReduceOp;
import dev.weft.codegen.kir.UnaryOp;
import dev.weft.codegen.lower.LowerContext;
import dev.weft.codegen.lower.LoweringTable;

/**
 * Order-based ops as reductions along one axis: cum_sum / cum_prod (each element reduces its
 * prefix: quadratic in the axis, accumulated in f64 for floats and i64 for integers as the
 * interpreter does), argmax / argmin (the extreme, then the first or last position holding it;
 * NaN counts as the extreme), and sort / top_k by counting ranks: element j's rank is the
 * number of elements that precede it in the stable order (NaN above every number), and output
 * position p takes the element whose rank is p. That costs O(axis^2) per result element, so
 * long axes are refused rather than compiled into a kernel that would not finish.
 */
final class OrderLowerings {
  private OrderLowerings() {}

  /** Most comparisons a sort kernel may make per line (kept positions x axis^2). */
  static final long MAX_SORT_WORK = 1L << 31;

  static void register(LoweringTable t) {
    t.add("cum_sum", (c, k, idx) -> cumulative(c, idx, false));
    t.add("cum_prod", (c, k, idx) -> cumulative(c, idx, true));
    t.add("argmax", (c, k, idx) -> arg(c, idx, true));
    t.add("argmin", (c, k, idx) -> arg(c, idx, false));
    t.add("sort", (c, k, idx) -> sorted(c, k, idx, c.attrs().getBool("descending")));
    t.add("top_k", (c, k, idx) -> sorted(c, k, idx, c.attrs().getBool("largest")));
  }

  /** The compute type an order op works in: bools as i32, narrow floats as f32. */
  private static Expr widened(ExprFactory f, Expr x) {
    return x.type() == DType.BOOL ? f.cast(DType.I32, x) : x;
  }

  private static Expr cumulative(LowerContext c, Expr[] idx, boolean product) {
    long[] s = c.inShape(0);
    long ax;
    if (c.attrs().has("axis")) ax = c.attrs().getInt("axis");
    else if (c.inputCount() > 1 && c.has(1)) ax = c.requireConstant(1, "axis").getLong(0);
    else throw c.fail("needs an axis");
    int axis = IndexMath.axis(c, ax, Math.max(1, s.length));
    boolean exclusive = c.attrs().getBool("exclusive");
    boolean reverse = c.attrs().getBool("reverse");
    ExprFactory f = c.f();
    DType out = ExprFactory.computeType(c.outDType(0));
    DType acc = out.isFloat() ? DType.F64 : DType.I64;
    Expr unit = f.constant(acc, product ? 1 : 0);
    if (IndexMath.empty(s)) return IndexMath.zero(c, 0);
    if (s.length == 0) return exclusive ? f.cast(out, unit) : c.in(0);
    Expr j = c.newVar("j");
    Expr[] src = idx.clone();
    src[axis] = j;
    Expr i = idx[axis];
    Expr take = exclusive ? (reverse ? f.binary(BinaryOp.GT, j, i) : f.lt(j, i))
        : (reverse ? f.binary(BinaryOp.GE, j, i) : f.le(j, i));
    Expr body = f.select(take, f.cast(acc, c.in(0, src)), unit);
    return f.cast(out, f.reduce(product ? ReduceOp.PROD : ReduceOp.SUM, j, s[axis], body));
  }

  private static Expr arg(LowerContext c, Expr[] idx, boolean isMax) {
    long[] s = c.inShape(0);
    int axis = IndexMath.axis(c, c.attrs().getInt("axis"), s.length);
    boolean keep = c.attrs().getBool("keepdims");
    boolean last = c.attrs().getBool("select_last_index");
    long len = s[axis];
    if (IndexMath.empty(c.outShape(0))) return c.f().index(0);
    if (len == 0) throw c.fail("argmax/argmin over an empty axis " + axis);
    ExprFactory f = c.f();
    Expr[] src = new Expr[s.length];
    for (int d = 0, o = 0; d < s.length; d++) {
      if (d == axis) {
        src[d] = null;
        if (keep) o++;
      } else {
        src[d] = idx[o++];
      }
    }
    Expr j = c.newVar("j");
    src[axis] = j;
    Expr xj = widened(f, c.in(0, src));
    Expr m = f.reduce(isMax ? ReduceOp.MAX : ReduceOp.MIN, j, len, xj);
    Expr k = c.newVar("k");
    src[axis] = k;
    Expr xk = widened(f, c.in(0, src));
    Expr target = IndexMath.eq(f, xk, m);
    if (xk.type().isFloat()) {
      // A NaN anywhere makes m NaN (max/min propagate it): then the NaNs are the extremes.
      target = f.select(f.unary(UnaryOp.IS_NAN, m), f.unary(UnaryOp.IS_NAN, xk), target);
    }
    return last
        ? f.reduce(ReduceOp.MAX, k, len, f.select(target, k, f.index(-1)))
        : f.reduce(ReduceOp.MIN, k, len, f.select(target, k, f.index(len)));
  }

  private static Expr sorted(LowerContext c, int output, Expr[] idx, boolean descending) {
    long[] s = c.inShape(0);
    int axis = IndexMath.axis(c, c.attrs().getInt("axis"), s.length);
    long d = s[axis];
    long kept = c.outShape(0)[axis];
    if (kept > d) throw c.fail("k = " + kept + " exceeds axis " + axis + " of size " + d);
    if (IndexMath.empty(c.outShape(output))) return IndexMath.zero(c, output);
    if (d > 0 && kept > MAX_SORT_WORK / d / d) {
      throw c.fail("sorting " + kept + " of " + d + " elements by rank counting takes O(k*n^2) per line; axis too long for a kernel");
    }
    ExprFactory f = c.f();
    Expr j = c.newVar("j");
    Expr m = c.newVar("m");
    Expr[] at = idx.clone();
    at[axis] = j;
    Expr xj = widened(f, c.in(0, at));
    at[axis] = m;
    Expr xm = widened(f, c.in(0, at));
    Expr before = descending ? less(f, xj, xm) : less(f, xm, xj);
    Expr precedes = f.or(before, f.and(same(f, xm, xj), f.lt(m, j)));
    Expr rank = f.reduce(ReduceOp.SUM, m, d, f.select(precedes, f.index(1), f.index(0)));
    // Exactly one element has rank p, so the sum picks its position.
    Expr pick = f.reduce(ReduceOp.SUM, j, d, f.select(IndexMath.eq(f, rank, idx[axis]), j, f.index(0)));
    if (output == 1) return pick;
    at[axis] = f.clamp(pick, 0, d - 1);
    return c.in(0, at);
  }

  /** a < b with NaN above every number. */
  private static Expr less(ExprFactory f, Expr a, Expr b) {
    if (!a.type().isFloat()) return f.lt(a, b);
    return f.or(f.lt(a, b), f.and(f.not(f.unary(UnaryOp.IS_NAN, a)), f.unary(UnaryOp.IS_NAN, b)));
  }

  /** a == b with NaN equal to NaN. */
  private static Expr same(ExprFactory f, Expr a, Expr b) {
    Expr eq = IndexMath.eq(f, a, b);
    if (!a.type().isFloat()) return eq;
    return f.or(eq, f.and(f.unary(UnaryOp.IS_NAN, a), f.unary(UnaryOp.IS_NAN, b)));
  }
}
