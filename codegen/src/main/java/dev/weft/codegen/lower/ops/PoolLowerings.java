package dev.weft.codegen.lower.ops;

import dev.weft.bundle.DType;
import dev.weft.codegen.kir.BinaryOp;
import dev.weft.codegen.kir.Expr;
import dev.weft.codegen.kir.ExprFactory;
import dev.weft.codegen.kir.ReduceOp;
import dev.weft.codegen.kir.UnaryOp;
import dev.weft.codegen.lower.LowerContext;
import dev.weft.codegen.lower.LoweringTable;
import java.util.Arrays;

/**
 * {@code max_pool} (with its optional i64 indices, row- or column-major) and {@code avg_pool}
 * (count_include_pad) over (N, C, spatial...), matching the interpreter's PoolOps: pads read as
 * -inf for max (the type's least value for integers) and are skipped by avg, which divides by the
 * number of in-bounds taps, or with count_include_pad by the taps inside the padded extent (a
 * ceil_mode window hanging past the end pad counts only up to it).
 *
 * <p>{@code lp_pool} has a rule of its own: its decomposition, avg_pool(|x|^p, count_include_pad)
 * times the window size, counts a ceil_mode window that hangs past the end pad as smaller than the
 * window and so scales its sum up, where the interpreter's kernel (pads contribute 0) does not.
 */
final class PoolLowerings {
  private PoolLowerings() {}

  static void register(LoweringTable t) {
    t.add("max_pool", PoolLowerings::maxPool);
    t.add("avg_pool", PoolLowerings::avgPool);
    t.add("lp_pool", PoolLowerings::lpPool);
  }

  /** Per-dim window taps of one output element: the clamped input index and its validity (null: always valid). */
  private record Taps(Expr[] index, Expr valid) { }

  private static WindowGeometry geometry(LowerContext c) {
    long[] xs = c.inShape(0);
    int r = xs.length - 2;
    long[] k = c.attrs().getInts("kernel_shape");
    if (r < 1 || k.length != r) throw c.fail("kernel_shape " + Arrays.toString(k) + " does not fit input " + Arrays.toString(xs));
    WindowGeometry w = WindowGeometry.of(c, Arrays.copyOfRange(xs, 2, xs.length), k);
    w.requireOut(c, c.outShape(0), 2);
    return w;
  }

  private static Taps taps(ExprFactory f, WindowGeometry w, Expr[] idx, Expr[] k) {
    int r = w.rank();
    Expr[] xi = new Expr[r + 2];
    xi[0] = idx[0];
    xi[1] = idx[1];
    Expr valid = null;
    for (int d = 0; d < r; d++) {
      Expr ip = f.add(f.sub(f.mul(idx[2 + d], f.index(w.strides()[d])), f.index(w.padBegin()[d])), f.mul(k[d], f.index(w.dilations()[d])));
      if (!Reductions.inRange(lo(w, d), hi(w, d), w.in()[d])) {
        valid = Reductions.all(f, valid, Reductions.inBounds(f, ip, w.in()[d]));
        ip = f.clamp(ip, 0, w.in()[d] - 1);
      }
      xi[2 + d] = ip;
    }
    return new Taps(xi, valid);
  }

  /** Least and greatest input index any tap of dim d reads. */
  private static long lo(WindowGeometry w, int d) { return -w.padBegin()[d]; }

  private static long hi(WindowGeometry w, int d) {
    return (w.out()[d] - 1) * w.strides()[d] - w.padBegin()[d] + (w.kernel()[d] - 1) * w.dilations()[d];
  }

  private static boolean emptyInput(WindowGeometry w) {
    for (long v : w.in()) if (v == 0) return true;
    return false;
  }

  private static Expr lowest(ExprFactory f, DType t) {
    if (t.isFloat()) return f.constant(t, Double.NEGATIVE_INFINITY);
    long min = t.isSigned() ? -(1L << (t.bits() - 1)) : 0;
    return f.constantLong(t, min);
  }

  private static Expr windowMax(LowerContext c, WindowGeometry w, Expr[] idx) {
    ExprFactory f = c.f();
    DType t = ExprFactory.computeType(c.inDType(0));
    if (emptyInput(w)) return lowest(f, t);
    return Reductions.nest(c, ReduceOp.MAX, w.kernel(), k -> {
      Taps tp = taps(f, w, idx, k);
      Expr x = c.in(0, tp.index());
      return tp.valid() == null ? x : f.select(tp.valid(), x, lowest(f, t));
    });
  }

  private static Expr maxPool(LowerContext c, int output, Expr[] idx) {
    WindowGeometry w = geometry(c);
    Expr max = windowMax(c, w, idx);
    if (output == 0) return max;
    return argMax(c, w, idx, max);
  }

  /**
   * The flat input index of the first tap (in window order) holding the max, as the interpreter's
   * strict {@code v > acc} scan finds it: the first NaN if there is one; none (-1) when the max is
   * -inf, which the scan never takes. Taps advance the row-major input offset monotonically in
   * window order, so the first tap is the least offset among the matching ones.
   */
  private static Expr argMax(LowerContext c, WindowGeometry w, Expr[] idx, Expr max) {
    ExprFactory f = c.f();
    int r = w.rank();
    long[] xs = c.inShape(0);
    long inSp = 1;
    for (long v : w.in()) inSp *= v;
    Expr plane = f.mul(f.add(f.mul(idx[0], f.index(xs[1])), idx[1]), f.index(inSp));
    if (emptyInput(w)) return f.index(-1);
    boolean isFloat = max.type().isFloat();
    Expr none = f.index(Long.MAX_VALUE);
    Expr first = Reductions.nest(c, ReduceOp.MIN, w.kernel(), k -> {
      Taps tp = taps(f, w, idx, k);
      Expr x = c.in(0, tp.index());
      Expr match;
      if (isFloat) {
        Expr eq = f.and(f.binary(BinaryOp.EQ, x, max), f.binary(BinaryOp.NE, max, f.like(max, Double.NEGATIVE_INFINITY)));
        match = f.select(f.unary(UnaryOp.IS_NAN, max), f.unary(UnaryOp.IS_NAN, x), eq);
      } else {
        match = f.binary(BinaryOp.EQ, x, max);
      }
      if (tp.valid() != null) match = f.and(tp.valid(), match);
      return f.select(match, f.linear(Arrays.copyOfRange(tp.index(), 2, r + 2), w.in()), none);
    });
    Expr off = first;
    if (c.attrs().getInt("storage_order") == 1) {
      Expr[] ip = f.delinear(first, w.in());
      off = f.index(0);
      long stride = 1;
      for (int d = 0; d < r; d++) {
        off = f.add(off, f.mul(ip[d], f.index(stride)));
        stride *= w.in()[d];
      }
    }
    return f.select(f.binary(BinaryOp.EQ, first, none), f.index(-1), f.add(plane, off));
  }

  private static Expr avgPool(LowerContext c, int output, Expr[] idx) {
    ExprFactory f = c.f();
    WindowGeometry w = geometry(c);
    DType t = ExprFactory.computeType(c.inDType(0));
    boolean includePad = c.attrs().getBool("count_include_pad");
    Expr sum = emptyInput(w) ? f.constant(t, 0) : Reductions.nest(c, ReduceOp.SUM, w.kernel(), k -> {
      Taps tp = taps(f, w, idx, k);
      Expr x = c.in(0, tp.index());
      return tp.valid() == null ? x : f.select(tp.valid(), x, f.like(x, 0));
    });
    Expr count = f.index(1);
    for (int d = 0; d < w.rank(); d++) count = f.mul(count, tapCount(c, w, idx[2 + d], d, includePad));
    return f.div(sum, f.cast(t, count));
  }

  /** (sum over in-bounds taps of |x|^p)^(1/p). */
  private static Expr lpPool(LowerContext c, int output, Expr[] idx) {
    ExprFactory f = c.f();
    WindowGeometry w = geometry(c);
    DType t = ExprFactory.computeType(c.inDType(0));
    long p = c.attrs().getInt("p");
    if (p < 1) throw c.fail("p must be >= 1, got " + p);
    Expr sum = emptyInput(w) ? f.constant(t, 0) : Reductions.nest(c, ReduceOp.SUM, w.kernel(), k -> {
      Taps tp = taps(f, w, idx, k);
      Expr x = c.math().pow(f.unary(UnaryOp.ABS, c.in(0, tp.index())), f.constant(t, p));
      return tp.valid() == null ? x : f.select(tp.valid(), x, f.like(x, 0));
    });
    return c.math().pow(sum, f.constant(t, 1.0 / p));
  }

  /** Taps of dim d inside the input (or inside the padded extent), as an i64 expression of the output index o. */
  private static Expr tapCount(LowerContext c, WindowGeometry w, Expr o, int d, boolean includePad) {
    ExprFactory f = c.f();
    long from = includePad ? -w.padBegin()[d] : 0;
    long to = includePad ? w.in()[d] + w.padEnd()[d] : w.in()[d];
    if (lo(w, d) >= from && hi(w, d) < to) return f.index(w.kernel()[d]);
    Expr kv = c.newVar("t");
    Expr ip = f.add(f.sub(f.mul(o, f.index(w.strides()[d])), f.index(w.padBegin()[d])), f.mul(kv, f.index(w.dilations()[d])));
    Expr inside = f.and(f.binary(BinaryOp.GE, ip, f.index(from)), f.lt(ip, f.index(to)));
    return f.reduce(ReduceOp.SUM, kv, w.kernel()[d], f.select(inside, f.index(1), f.index(0)));
  }
}
