package dev.weft.codegen.kir;

import java.util.Arrays;

/**
 * A whole-number polynomial of degree at most 2 in two dims {@code b} and {@code s}:
 * {@code c0 + cb*b + cs*s + cbs*b*s + cbb*b^2 + css*s^2}, fitted from a quantity's values at
 * {@link #SAMPLES} points around the maxima {@code (B, S)} and checked at {@link #CHECK}. This is
 * the two-dim counterpart of {@link DimFit}'s one-dim quadratic ({@link DimFit#fitTwo}; docs/KERNELS.md,
 * "Two range dims").
 *
 * <p>Why these points: three along each axis through {@code (B, S)} fix the pure terms of that
 * dim (as the one-dim fit does), {@code (B+1, S+1)} fixes the cross term, and the check point
 * {@code (B+3, S+3)} lies off every line the fit used, so each single term of degree 3 (a
 * cubic {@code b^3}, a product of extents {@code h*b*s*s}) leaves a non-zero residual there for
 * every {@code (B, S)} and is refused rather than guessed. One check point cannot see every sum
 * of such terms ({@code b^2*s - b*s^2} leaves none at it), as the one-dim fit's single check
 * cannot see a quartic; kernel quantities are products of extents, so single terms are what occurs.
 *
 * @param c coefficients {@code {c0, cb, cs, cbs, cbb, css}}
 */
public record TwoDimPolynomial(long[] c) {
  /** Offsets {@code (b - B, s - S)} of the fit points, in the order of the values {@link #fit} takes. */
  public static final long[][] SAMPLES = {{0, 0}, {1, 0}, {2, 0}, {0, 1}, {0, 2}, {1, 1}};
  /** Offset of the point the fit is checked at. */
  public static final long[] CHECK = {3, 3};

  public TwoDimPolynomial {
    if (c.length != 6) throw new IllegalArgumentException("six coefficients, not " + c.length);
    c = c.clone();
  }

  @Override
  public long[] c() { return c.clone(); }

  /**
   * The polynomial through {@code values} at {@code (B, S)} + {@link #SAMPLES} that also gives
   * {@code check} at {@code (B, S)} + {@link #CHECK}.
   *
   * @throws KirException naming {@code what} when no whole-number polynomial of degree 2 or less fits
   */
  public static TwoDimPolynomial fit(long[] values, long check, long maxB, long maxS, String what) {
    if (values.length != SAMPLES.length) throw new KirException("a two-dim fit takes " + SAMPLES.length + " values");
    try {
      long v00 = values[0], v10 = values[1], v20 = values[2], v01 = values[3], v02 = values[4], v11 = values[5];
      // in local coordinates x = b - B, y = s - S: a0 + a1 x + a2 x^2 + a3 y + a4 y^2 + a5 x y
      long dxx = v20 - 2 * v10 + v00;
      long dyy = v02 - 2 * v01 + v00;
      if (dxx % 2 != 0 || dyy % 2 != 0) throw notPolynomial(what, values, check);
      long a2 = dxx / 2;
      long a4 = dyy / 2;
      long a1 = v10 - v00 - a2;
      long a3 = v01 - v00 - a4;
      long a5 = v11 - v10 - v01 + v00;
      long bb = maxB;
      long ss = maxS;
      // expanded at x = b - B, y = s - S
      long c0 = Math.addExact(Math.addExact(Math.subtractExact(v00, Math.multiplyExact(a1, bb)), Math.multiplyExact(a2, Math.multiplyExact(bb, bb))),
          Math.addExact(Math.subtractExact(Math.multiplyExact(a4, Math.multiplyExact(ss, ss)), Math.multiplyExact(a3, ss)),
              Math.multiplyExact(a5, Math.multiplyExact(bb, ss))));
      long cb = Math.subtractExact(Math.subtractExact(a1, Math.multiplyExact(2 * a2, bb)), Math.multiplyExact(a5, ss));
      long cs = Math.subtractExact(Math.subtractExact(a3, Math.multiplyExact(2 * a4, ss)), Math.multiplyExact(a5, bb));
      TwoDimPolynomial p = new TwoDimPolynomial(new long[] {c0, cb, cs, a5, a2, a4});
      for (int i = 0; i < SAMPLES.length; i++) {
        if (p.at(maxB + SAMPLES[i][0], maxS + SAMPLES[i][1]) != values[i]) throw notPolynomial(what, values, check);
      }
      if (p.at(maxB + CHECK[0], maxS + CHECK[1]) != check) throw notPolynomial(what, values, check);
      return p;
    } catch (ArithmeticException overflow) {
      throw new KirException(what + " overflows 64 bits when fitted over two dims (" + Arrays.toString(values) + ", " + check + ")");
    }
  }

  /** The value at {@code (b, s)}. */
  public long at(long b, long s) {
    return Math.addExact(Math.addExact(c[0], Math.addExact(Math.multiplyExact(c[1], b), Math.multiplyExact(c[2], s))),
        Math.addExact(Math.multiplyExact(c[3], Math.multiplyExact(b, s)),
            Math.addExact(Math.multiplyExact(c[4], Math.multiplyExact(b, b)), Math.multiplyExact(c[5], Math.multiplyExact(s, s)))));
  }

  public boolean isConstant() { return c[1] == 0 && c[2] == 0 && c[3] == 0 && c[4] == 0 && c[5] == 0; }

  public boolean readsB() { return c[1] != 0 || c[3] != 0 || c[4] != 0; }

  public boolean readsS() { return c[2] != 0 || c[3] != 0 || c[5] != 0; }

  /**
   * Null when every value over {@code [minB, maxB] x [minS, maxS]} lies in {@code [0, bound]}
   * (a run-time trip count never above the static one), else the first point outside.
   */
  public long[] outside(long minB, long maxB, long minS, long maxS, long bound) {
    for (long b = minB; b <= maxB; b++) {
      for (long s = minS; s <= maxS; s++) {
        long v = at(b, s);
        if (v < 0 || v > bound) return new long[] {b, s, v};
      }
    }
    return null;
  }

  /**
   * {@code c0 + b*(cb + cbb*b + cbs*s) + s*(cs + css*s)} as i64 index arithmetic, zero terms
   * left out; {@code b} or {@code s} may be null when the polynomial does not read it.
   */
  public Expr expr(ExprFactory f, Expr b, Expr s) {
    if ((readsB() && b == null) || (readsS() && s == null)) throw new KirException("polynomial " + this + " reads a dim it was not given");
    Expr out = f.index(c[0]);
    if (readsB()) {
      Expr inner = f.index(c[1]);
      if (c[4] != 0) inner = f.add(inner, f.mul(f.index(c[4]), b));
      if (c[3] != 0) inner = f.add(inner, f.mul(f.index(c[3]), s));
      out = f.add(out, f.mul(b, inner));
    }
    if (c[2] != 0 || c[5] != 0) {
      Expr inner = c[5] == 0 ? f.index(c[2]) : f.add(f.index(c[2]), f.mul(f.index(c[5]), s));
      out = f.add(out, f.mul(s, inner));
    }
    return out;
  }

  private static KirException notPolynomial(String what, long[] values, long check) {
    return new KirException(what + " changes with the two dims as no whole-number polynomial of degree 2 or less (values "
        + Arrays.toString(values) + " at offsets " + Arrays.deepToString(SAMPLES) + ", " + check + " at " + Arrays.toString(CHECK) + ")");
  }

  @Override
  public boolean equals(Object o) { return o instanceof TwoDimPolynomial p && Arrays.equals(c, p.c); }

  @Override
  public int hashCode() { return Arrays.hashCode(c); }

  @Override
  public String toString() {
    return c[0] + " + " + c[1] + "*b + " + c[2] + "*s + " + c[3] + "*b*s + " + c[4] + "*b^2 + " + c[5] + "*s^2";
  }
}
