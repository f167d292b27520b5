package dev.weft.codegen.lower.ops;

import dev.weft.bundle.DType;
import dev.weft.bundle.Tensor;
import dev.weft.codegen.kir.Expr;
import dev.weft.codegen.kir.ExprFactory;
import dev.weft.codegen.kir.ReduceOp;
import dev.weft.codegen.lower.LowerContext;
import dev.weft.codegen.lower.LoweringTable;
import java.util.Arrays;
import java.util.List;

/**
 * scatter_elements and scatter_nd as gathers: each result element is a reduction over the
 * updates that target it, so the kernel has no write conflicts. Reduction none keeps the last
 * update in the interpreter's (row-major) order, found as the largest targeting position;
 * add/mul/max/min combine the data element with the reduction of the targeting updates (float
 * sums and products therefore associate differently from the interpreter's sequential order).
 * Work is the result size times the candidate updates: linear in the axis for
 * scatter_elements, O(result x index tuples) for scatter_nd. Out-of-range indices are
 * normalized like gather's (negative from the end, then clamped).
 */
final class ScatterLowerings {
  private ScatterLowerings() {}

  static final List<String> REDUCTIONS = List.of("none", "add", "mul", "max", "min");

  static void register(LoweringTable t) {
    t.add("scatter_elements", (c, k, idx) -> scatterElements(c, idx));
    t.add("scatter_nd", (c, k, idx) -> scatterNd(c, idx));
  }

  /** How the updates at targeting positions combine with the data element. */
  private interface Candidates {
    /** Whether candidate {@code r} targets the element. */
    Expr targets(Expr r);

    /** Candidate {@code r}'s update (r is in range). */
    Expr update(Expr r);
  }

  private static Expr combine(LowerContext c, Expr data, long count, Candidates cand) {
    ExprFactory f = c.f();
    String red = c.attrs().getString("reduction");
    if (!REDUCTIONS.contains(red)) throw c.fail("unknown reduction '" + red + "'");
    if (count == 0) return data;
    Expr r = c.newVar("u");
    if (red.equals("none")) {
      Expr last = f.reduce(ReduceOp.MAX, r, count, f.select(cand.targets(r), r, f.index(-1)));
      Expr u = cand.update(f.max(last, f.index(0)));
      return f.select(f.lt(last, f.index(0)), data, u);
    }
    DType t = data.type();
    // Bools: add is or, mul is and (the interpreter's rules), reduced as 0/1 in i32.
    DType acc = t == DType.BOOL ? DType.I32 : t;
    ReduceOp op = switch (red) {
      case "add" -> t == DType.BOOL ? ReduceOp.MAX : ReduceOp.SUM;
      case "mul" -> t == DType.BOOL ? ReduceOp.MIN : ReduceOp.PROD;
      case "max" -> ReduceOp.MAX;
      default -> ReduceOp.MIN;
    };
    Expr identity = switch (op) {
      case SUM -> f.constant(acc, 0);
      case PROD -> f.constant(acc, 1);
      case MAX -> IndexMath.lowest(f, acc);
      case MIN -> IndexMath.highest(f, acc);
    };
    Expr body = f.select(cand.targets(r), f.cast(acc, cand.update(r)), identity);
    Expr reduced = f.reduce(op, r, count, body);
    Expr result = f.binary(op.combine(), f.cast(acc, data), reduced);
    return f.cast(t, result);
  }

  private static Expr scatterElements(LowerContext c, Expr[] idx) {
    long[] xs = c.inShape(0);
    long[] is = c.inShape(1);
    if (is.length != xs.length || !Arrays.equals(is, c.inShape(2))) {
      throw c.fail("indices " + Arrays.toString(is) + " and updates " + Arrays.toString(c.inShape(2))
          + " must have the same shape and the data's rank " + xs.length);
    }
    int axis = IndexMath.axis(c, c.attrs().getInt("axis"), xs.length);
    for (int d = 0; d < xs.length; d++) {
      if (d != axis && is[d] > xs[d]) throw c.fail("indices shape " + Arrays.toString(is) + " exceeds data shape " + Arrays.toString(xs));
    }
    if (IndexMath.empty(xs)) return IndexMath.zero(c, 0);
    ExprFactory f = c.f();
    Expr data = c.in(0, idx);
    if (IndexMath.empty(is)) return combine(c, data, 0, null);
    // Only updates whose other coordinates equal the element's can target it: one per position on the axis.
    Expr covered = f.bool(true);
    Expr[] at = new Expr[xs.length];
    for (int d = 0; d < xs.length; d++) {
      if (d == axis) continue;
      if (is[d] < xs[d]) covered = f.and(covered, f.lt(idx[d], f.index(is[d])));
      at[d] = is[d] < xs[d] ? f.min(idx[d], f.index(is[d] - 1)) : idx[d];
    }
    Expr inRange = covered;
    return combine(c, data, is[axis], new Candidates() {
      @Override
      public Expr targets(Expr r) {
        Expr[] p = at.clone();
        p[axis] = r;
        return f.and(inRange, IndexMath.eq(f, IndexMath.dataIndex(f, c.in(1, p), xs[axis]), idx[axis]));
      }

      @Override
      public Expr update(Expr r) {
        Expr[] p = at.clone();
        p[axis] = r;
        return c.in(2, p);
      }
    });
  }

  private static Expr scatterNd(LowerContext c, Expr[] idx) {
    long[] xs = c.inShape(0);
    long[] is = c.inShape(1);
    long[] us = c.inShape(2);
    if (is.length == 0) throw c.fail("scatter_nd indices must have rank >= 1");
    int k = (int) is[is.length - 1];
    if (k > xs.length) throw c.fail("index depth " + k + " exceeds data rank " + xs.length);
    long[] want = new long[is.length - 1 + xs.length - k];
    System.arraycopy(is, 0, want, 0, is.length - 1);
    System.arraycopy(xs, k, want, is.length - 1, xs.length - k);
    if (!Arrays.equals(want, us)) throw c.fail("updates have shape " + Arrays.toString(us) + ", expected " + Arrays.toString(want));
    if (IndexMath.empty(xs)) return IndexMath.zero(c, 0);
    ExprFactory f = c.f();
    Expr data = c.in(0, idx);
    long[] tupleShape = Arrays.copyOf(is, is.length - 1);
    long tuples = Tensor.elementCount(tupleShape);
    if (tuples == 0) return combine(c, data, 0, null);
    return combine(c, data, tuples, new Candidates() {
      @Override
      public Expr targets(Expr t) {
        Expr[] tuple = f.delinear(t, tupleShape);
        Expr hit = f.bool(true);
        Expr[] p = Arrays.copyOf(tuple, is.length);
        for (int a = 0; a < k; a++) {
          p[is.length - 1] = f.index(a);
          hit = f.and(hit, IndexMath.eq(f, IndexMath.dataIndex(f, c.in(1, p.clone()), xs[a]), idx[a]));
        }
        return hit;
      }

      @Override
      public Expr update(Expr t) {
        Expr[] tuple = f.delinear(t, tupleShape);
        Expr[] p = Arrays.copyOf(tuple, us.length);
        System.arraycopy(idx, k, p, tuple.length, xs.length - k);
        return c.in(2, p);
      }
    });
  }
}
