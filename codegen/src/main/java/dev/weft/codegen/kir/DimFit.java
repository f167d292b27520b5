package dev.weft.codegen.kir;

import dev.weft.bundle.DType;
import dev.weft.bundle.Tensor;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Makes one kernel take a symbolic dim at run time from the same kernel lowered at several
 * values of that dim. The kernels must agree in everything but integer and float constants,
 * loop extents and reduction extents; each quantity that differs is fitted as a polynomial of
 * degree at most 2 in the dim through the first three values and must match the fourth (so a
 * product of two extents of the dim, an attention score row offset {@code i*n*n}, fits, and a
 * quantity that is not polynomial is refused rather than guessed). The result is the kernel
 * lowered at the first value (the maximum, which sizes every buffer) with those quantities
 * replaced by expressions of {@link Expr.Kind#DIM}: loop and reduction extents become run-time
 * limits, strides and offsets become index arithmetic on the dim. Buffers are therefore packed
 * for the run-time value (row-major at {@code n}), within space reserved for the maximum.
 *
 * <p>A constant buffer (a weight) is stored once, at the maximum, and the caller lowers every
 * value with the weight's strides at the maximum ({@code maxLayout}): then only semantic uses
 * of the dim differ in its index (a row {@code n-1}), and a kernel run at {@code n} reads the
 * first {@code n} entries along each axis carrying the dim, which must equal the weight at
 * {@code n} (prefix consistency: an {@code arange}, a causal mask). Any other weight that
 * depends on the dim is refused.
 *
 * <p>What this cannot see: a lowering decision that depends on the dim's value only below the
 * maximum (a size-1 special case at {@code n = 1}) is not in any of the compared kernels. The
 * lowering rules take such decisions on static shapes that do not carry the dim; tests run
 * fitted kernels at 1, odd values and the maximum against the reference interpreter.
 */
public final class DimFit {
  private final List<Kernel> kernels;
  private final long[] points;
  private final long min;
  private final Expr dim;
  private final ExprFactory f = new ExprFactory();
  private final Map<List<Expr>, Expr> memo = new HashMap<>();
  private final Map<Expr, Expr> pool = new HashMap<>();
  private final List<Map<Buffer, Integer>> paramIndex = new ArrayList<>();
  private final java.util.Set<Buffer> maxLayout;
  /** The number of kernels compared: {@link #POINTS}, or {@link #TWO_DIM_KERNELS} for two dims. */
  private final int count;
  /** Two dims ({@link #fitTwo}): {@code {maxB, minB, maxS, minS}} and their DIM expressions; else null. */
  private final long[] two;
  private final Expr dimB;
  private final Expr dimS;

  private DimFit(List<Kernel> kernels, long[] points, long min, String symbol, java.util.Set<Buffer> maxLayout) {
    this.kernels = kernels;
    this.maxLayout = maxLayout;
    this.points = points;
    this.min = min;
    this.dim = f.dim(symbol, 0);
    this.count = POINTS;
    this.two = null;
    this.dimB = null;
    this.dimS = null;
  }

  private DimFit(List<Kernel> kernels, long[] two, String symbolB, String symbolS, boolean sFirst, java.util.Set<Buffer> maxLayout) {
    this.kernels = kernels;
    this.maxLayout = maxLayout;
    this.points = null;
    this.min = 0;
    this.dim = null;
    this.count = TWO_DIM_KERNELS;
    this.two = two;
    // DIM slots must be dense per kernel (Kernel.dims): one reading only s takes it in slot 0
    this.dimB = f.dim(symbolB, sFirst ? 1 : 0);
    this.dimS = f.dim(symbolS, sFirst ? 0 : 1);
  }

  /** Kernels a two-dim fit compares: at (MAX_b, MAX_s) + each of {@link TwoDimPolynomial#SAMPLES}, then + {@code CHECK}. */
  public static final int TWO_DIM_KERNELS = TwoDimPolynomial.SAMPLES.length + 1;

  /**
   * As {@link #fit(List, long[], long, String, java.util.Set)} over two dims {@code b} and
   * {@code s}: {@code kernels} lowered at (maxB, maxS) + {@link TwoDimPolynomial#SAMPLES}, in
   * order, then at + {@link TwoDimPolynomial#CHECK}; every quantity that differs is a
   * {@link TwoDimPolynomial}. The kernel's dims are {@code [b, s]}, {@code [b]} or {@code [s]}.
   */
  public static Kernel fitTwo(List<Kernel> kernels, String symbolB, long minB, long maxB, String symbolS, long minS, long maxS,
                              java.util.Set<Buffer> maxLayout) {
    if (kernels.size() != TWO_DIM_KERNELS) throw new KirException("a two-dim fit takes " + TWO_DIM_KERNELS + " kernels");
    long[] two = {maxB, minB, maxS, minS};
    Kernel k = new DimFit(kernels, two, symbolB, symbolS, false, maxLayout).run();
    try {
      k.dims();
      return k;
    } catch (KirException onlyS) {
      return new DimFit(kernels, two, symbolB, symbolS, true, maxLayout).run();
    }
  }

  /** The number of values a fit needs: three to determine a quadratic, one to check it. */
  public static final int POINTS = 4;

  /**
   * @param kernels one kernel per value of {@code points} (consecutive, ascending, the first the
   *     maximum {@code n} the fitted kernel runs with)
   * @param min the smallest run-time value
   * @throws KirException saying what differs in a way that cannot be fitted
   */
  public static Kernel fit(List<Kernel> kernels, long[] points, long min, String symbol) {
    return fit(kernels, points, min, symbol, java.util.Set.of());
  }

  /**
   * @param maxLayout parameters of the first kernel holding weights that every kernel reads with
   *     the strides of their shape at the maximum (the lowering's stride shapes), where they are
   *     stored: such a weight may carry the dim on any axes if it is {@link #prefixConsistent}
   */
  public static Kernel fit(List<Kernel> kernels, long[] points, long min, String symbol, java.util.Set<Buffer> maxLayout) {
    if (kernels.size() != POINTS || points.length != POINTS) throw new KirException("a fit takes " + POINTS + " kernels");
    for (int i = 1; i < POINTS; i++) if (points[i] != points[0] + i) throw new KirException("fit points must be consecutive");
    return new DimFit(kernels, points, min, symbol, maxLayout).run();
  }

  private Kernel run() {
    Kernel base = kernels.get(0);
    for (Kernel k : kernels) {
      if (!k.name().equals(base.name()) || k.params().size() != base.params().size() || k.loops().size() != base.loops().size()
          || k.parallelLoops() != base.parallelLoops() || k.stores().size() != base.stores().size()) {
        throw differs("its loop nest, parameters or stores change with the dim");
      }
      Map<Buffer, Integer> index = new java.util.IdentityHashMap<>();
      for (int i = 0; i < k.params().size(); i++) index.put(k.params().get(i), i);
      paramIndex.add(index);
    }
    for (int i = 0; i < base.params().size(); i++) param(i);
    List<Kernel.Loop> loops = new ArrayList<>();
    for (int d = 0; d < base.loops().size(); d++) {
      Kernel.Loop l = base.loops().get(d);
      long[] ext = new long[count];
      for (int p = 0; p < count; p++) {
        Kernel.Loop o = kernels.get(p).loops().get(d);
        if (o.var().longValue() != l.var().longValue()) throw differs("loop " + d + " changes with the dim");
        ext[p] = o.extent();
      }
      loops.add(new Kernel.Loop(l.var(), l.extent(), extentLimit(ext, "loop " + l.var().name())));
    }
    List<Kernel.Store> stores = new ArrayList<>();
    for (int s = 0; s < base.stores().size(); s++) {
      List<Expr> idx = new ArrayList<>();
      List<Expr> val = new ArrayList<>();
      for (int p = 0; p < count; p++) {
        Kernel.Store st = kernels.get(p).stores().get(s);
        if (paramIndex.get(p).get(st.buffer()) != paramIndex.get(0).get(base.stores().get(s).buffer())) {
          throw differs("store " + s + " writes another buffer at another value of the dim");
        }
        idx.add(st.index());
        val.add(st.value());
      }
      stores.add(new Kernel.Store(base.stores().get(s).buffer(), expr(idx), expr(val)));
    }
    return new Kernel(base.name(), base.params(), loops, base.parallelLoops(), stores, base.source());
  }

  /**
   * Checks parameter {@code i} across the kernels: same type; a weight (constant data) whose
   * shape changes with the dim must be read with the strides of its shape at the maximum in
   * every kernel ({@link #maxLayout}) and be prefix-consistent.
   */
  private void param(int i) {
    Buffer b0 = kernels.get(0).params().get(i);
    for (int p = 1; p < count; p++) {
      Buffer b = kernels.get(p).params().get(i);
      if (b.dtype() != b0.dtype() || b.rank() != b0.rank() || (b.data() == null) != (b0.data() == null)) {
        throw differs("parameter " + i + " (" + b0 + " vs " + b + ") changes type with the dim");
      }
      if (b0.data() == null) continue;
      List<Integer> axes = new ArrayList<>();
      for (int d = 0; d < b0.rank(); d++) if (b.dim(d) != b0.dim(d)) axes.add(d);
      if (axes.isEmpty()) {
        if (!same(b0.data().data(), b.data().data())) throw differs("weight " + b0.name() + " holds values computed from the dim");
        continue;
      }
      if (!maxLayout.contains(b0)) throw differs("weight " + b0.name() + " carries the dim and is read in a layout of its own (a relaid copy)");
      String why = prefixConsistent(b0.data(), b.data(), axes.stream().mapToInt(Integer::intValue).toArray());
      if (why != null) throw differs("weight " + b0.name() + ": " + why);
    }
  }

  private static boolean same(MemorySegment a, MemorySegment b) { return a.byteSize() == b.byteSize() && a.mismatch(b) < 0; }

  private Expr expr(List<Expr> at) {
    Expr have = memo.get(at);
    if (have != null) return have;
    Expr e0 = at.get(0);
    for (Expr e : at) {
      if (e.kind != e0.kind || e.type != e0.type || e.op != e0.op || (e.a == null) != (e0.a == null) || (e.b == null) != (e0.b == null)
          || (e.c == null) != (e0.c == null) || (e.var == null) != (e0.var == null)) {
        throw differs("an expression changes form with the dim: " + clip(e0) + " vs " + clip(e));
      }
    }
    Expr out = switch (e0.kind) {
      case CONST -> constant(at);
      case VAR -> {
        for (Expr e : at) if (e.id != e0.id) throw differs("a variable changes with the dim");
        yield e0;
      }
      case DIM -> throw differs("it already reads a symbolic dim");
      default -> rebuild(at);
    };
    memo.put(at, out);
    return out;
  }

  private Expr rebuild(List<Expr> at) {
    Expr e0 = at.get(0);
    if (e0.kind == Expr.Kind.LOAD) {
      int index = paramIndex.get(0).get(e0.buffer);
      for (int p = 1; p < count; p++) {
        if (paramIndex.get(p).get(at.get(p).buffer) != index) throw differs("a load reads another buffer at another value of the dim");
      }
    }
    Expr a = e0.a == null ? null : expr(children(at, 0));
    Expr b = e0.kind == Expr.Kind.REDUCE || e0.b == null ? null : expr(children(at, 1));
    Expr c = e0.c == null ? null : expr(children(at, 2));
    Expr var = e0.var == null ? null : expr(children(at, 3));
    if (e0.kind == Expr.Kind.REDUCE) {
      long[] ext = new long[count];
      for (int p = 0; p < count; p++) {
        if (at.get(p).b != null) throw differs("a reduction already has a run-time trip count");
        ext[p] = at.get(p).extent;
      }
      b = extentLimit(ext, "reduction over " + e0.var.name);
    }
    Expr built = new Expr(e0.kind, e0.type, e0.op, e0.constant, e0.id, e0.name, e0.buffer, a, b, c, var, e0.extent);
    Expr have = pool.putIfAbsent(built, built);
    return have == null ? built : have;
  }

  private static List<Expr> children(List<Expr> at, int which) {
    List<Expr> out = new ArrayList<>(at.size());
    for (Expr e : at) out.add(switch (which) { case 0 -> e.a; case 1 -> e.b; case 2 -> e.c; default -> e.var; });
    return out;
  }

  /** A run-time trip count for a loop whose extents at the points are {@code ext}, or null when static. */
  private Expr extentLimit(long[] ext, String what) {
    if (allEqual(ext)) return null;
    if (two != null) {
      TwoDimPolynomial q = twoDim(ext, what);
      long[] bad = q.outside(two[1], two[0], two[3], two[2], ext[0]);
      if (bad != null) throw differs(what + " would run " + bad[2] + " times at (" + bad[0] + ", " + bad[1] + "), outside [0, " + ext[0] + "]");
      return q.expr(f, dimB, dimS);
    }
    long[] c = quadratic(ext, what);
    for (long n = min; n <= points[0]; n++) {
      long v = c[0] + n * (c[1] + c[2] * n);
      if (v < 0 || v > ext[0]) throw differs(what + " would run " + v + " times at " + n + ", outside [0, " + ext[0] + "]");
    }
    return poly(c);
  }

  private Expr constant(List<Expr> at) {
    Expr e0 = at.get(0);
    DType t = e0.type;
    if (t == DType.BOOL) {
      for (Expr e : at) if (e.id != e0.id) throw differs("a boolean constant changes with the dim");
      return e0;
    }
    if (!t.isFloat()) {
      long[] v = new long[count];
      for (int p = 0; p < count; p++) v[p] = at.get(p).id;
      if (allEqual(v)) return e0;
      Expr e = polyOf(v, "the constant " + v[0]);
      return t == DType.I64 ? e : f.cast(t, e);
    }
    double[] v = new double[count];
    for (int p = 0; p < count; p++) v[p] = at.get(p).constant;
    boolean same = true;
    for (double x : v) same &= Double.doubleToRawLongBits(x) == Double.doubleToRawLongBits(v[0]);
    if (same) return e0;
    // an integer-valued polynomial (a count such as n or n*h), or the reciprocal of one (1/n of a mean)
    long[] asInt = integral(v);
    if (asInt != null && fits(asInt)) return f.cast(t, polyOf(asInt, "the constant " + v[0]));
    double[] inv = new double[count];
    for (int p = 0; p < count; p++) inv[p] = 1.0 / v[p];
    long[] invInt = integral(inv);
    if (invInt != null && fits(invInt)) {
      Expr denominator = f.cast(t, polyOf(invInt, "the constant " + v[0]));
      boolean exact = true;
      for (int p = 0; p < count; p++) exact &= roundTo(t, 1.0 / invInt[p]) == v[p];
      if (exact) return f.binary(BinaryOp.DIV, f.constant(t, 1), denominator);
    }
    throw differs("the float constant " + v[0] + " changes with the dim (" + v[1] + " at " + (two != null ? "the next sample" : points[1])
        + ") and is no polynomial of it or its reciprocal");
  }

  private static double roundTo(DType t, double x) { return t == DType.F32 ? (float) x : x; }

  /** The values as integers when each is one (within the float's rounding of a count), else null. */
  private static long[] integral(double[] v) {
    long[] out = new long[v.length];
    for (int i = 0; i < v.length; i++) {
      long r = Math.round(v[i]);
      if (Double.isNaN(v[i]) || Math.abs(v[i] - r) > 1e-6 * Math.max(1, Math.abs(v[i])) || Math.abs(r) > (1L << 40)) return null;
      out[i] = r;
    }
    return out;
  }

  private boolean fits(long[] v) {
    try {
      if (two != null) twoDim(v, "");
      else quadratic(v, "");
      return true;
    } catch (KirException e) {
      return false;
    }
  }

  /**
   * Coefficients {@code {c0, c1, c2}} of {@code c0 + c1*n + c2*n^2} through the first three
   * values, checked at the fourth; integer coefficients only.
   */
  private long[] quadratic(long[] v, String what) {
    long d1 = v[1] - v[0];
    long d2 = v[2] - 2 * v[1] + v[0];
    if (d2 % 2 != 0) throw differs(what + " changes with the dim as no integer polynomial (" + java.util.Arrays.toString(v) + ")");
    long c2 = d2 / 2;
    long n0 = points[0];
    // v(n) = v0 + a*(n - n0) + c2*(n - n0)^2 with a = d1 - c2
    long a = d1 - c2;
    long c1 = a - 2 * c2 * n0;
    long c0 = v[0] - a * n0 + c2 * n0 * n0;
    for (int p = 0; p < count; p++) {
      long n = points[p];
      if (c0 + n * (c1 + c2 * n) != v[p]) {
        throw differs(what + " changes with the dim as no polynomial of degree 2 or less (" + java.util.Arrays.toString(v) + " at "
            + java.util.Arrays.toString(points) + ")");
      }
    }
    return new long[] {c0, c1, c2};
  }

  /** The fitted polynomial of {@code v} as index arithmetic: in the dim, or in both dims of a two-dim fit. */
  private Expr polyOf(long[] v, String what) {
    return two != null ? twoDim(v, what).expr(f, dimB, dimS) : poly(quadratic(v, what));
  }

  private TwoDimPolynomial twoDim(long[] v, String what) {
    try {
      return TwoDimPolynomial.fit(java.util.Arrays.copyOf(v, TwoDimPolynomial.SAMPLES.length), v[TwoDimPolynomial.SAMPLES.length], two[0], two[2], what);
    } catch (KirException e) {
      throw differs(e.getMessage());
    }
  }

  /** {@code c0 + n*(c1 + c2*n)} as i64 index arithmetic on the dim. */
  private Expr poly(long[] c) {
    Expr inner = c[2] == 0 ? f.index(c[1]) : f.add(f.index(c[1]), f.mul(f.index(c[2]), dim));
    return f.add(f.index(c[0]), f.mul(dim, inner));
  }

  private static boolean allEqual(long[] v) {
    for (long x : v) if (x != v[0]) return false;
    return true;
  }

  private static String clip(Expr e) {
    String s = ExprPrinter.print(e);
    return s.length() > 160 ? s.substring(0, 160) + "..." : s;
  }

  private KirException differs(String why) {
    return new KirException("kernel " + kernels.get(0).name() + " (" + kernels.get(0).source() + ") cannot take the dim at run time: " + why);
  }

  /**
   * Null when {@code atNext} restricted to the extent of {@code atMax} along {@code axes} (the
   * axes carrying the dim) equals {@code atMax} element for element, as an {@code arange} or a
   * causal mask is; else why not. Kernels read such a weight stored at the maximum with its
   * strides there, so at a smaller value they read exactly that value's prefix.
   */
  public static String prefixConsistent(Tensor atMax, Tensor atNext, int[] axes) {
    long[] s = atMax.shape();
    long[] t = atNext.shape();
    if (s.length != t.length) return "its rank changes with the dim";
    for (int d = 0; d < s.length; d++) {
      boolean carries = false;
      for (int a : axes) carries |= a == d;
      if (carries ? t[d] < s[d] : t[d] != s[d]) return "its axis " + d + " changes with the dim other than by growing";
    }
    long elem = atMax.dtype().byteSize();
    if (elem <= 0 || atMax.data() == null || atNext.data() == null) return "its element type has no byte layout";
    long n = atMax.size();
    long[] idx = new long[s.length];
    for (long flat = 0; flat < n; flat++) {
      long rest = flat;
      for (int d = s.length - 1; d >= 0; d--) {
        idx[d] = rest % s[d];
        rest /= s[d];
      }
      long other = 0;
      for (int d = 0; d < s.length; d++) other = other * t[d] + idx[d];
      if (atMax.data().asSlice(flat * elem, elem).mismatch(atNext.data().asSlice(other * elem, elem)) >= 0) {
        return "it is not prefix-consistent along the dim (its value at a larger dim differs at index " + java.util.Arrays.toString(idx) + ")";
      }
    }
    return null;
  }
}
