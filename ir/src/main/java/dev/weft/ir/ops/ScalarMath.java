package dev.weft.ir.ops;

/**
 * Scalar functions the JDK lacks or defines differently from ONNX: erf, integer power and
 * modulus with ONNX's sign rules, the inverse hyperbolics, NaN-propagating max/min.
 */
public final class ScalarMath {
  private ScalarMath() {}

  private static final double TWO_OVER_SQRT_PI = 1.1283791670955126;
  private static final double ONE_OVER_SQRT_PI = 0.5641895835477563;

  /**
   * The error function to about 1e-15 relative: a positive-term series for |x| < 3 (no
   * cancellation), the continued fraction of erfc beyond, exactly +-1 past 6.
   */
  public static double erf(double x) {
    if (Double.isNaN(x) || x == 0) return x;
    double a = Math.abs(x);
    double r;
    if (a >= 6) {
      r = 1.0;
    } else if (a < 3) {
      // erf(x) = 2/sqrt(pi) exp(-x^2) sum_n 2^n x^(2n+1) / (1*3*...*(2n+1))
      double term = a;
      double sum = a;
      double x2 = a * a;
      for (int n = 0; n < SERIES.length; n++) {
        term *= x2 * SERIES[n];
        sum += term;
        if (term < sum * 1e-17) break;
      }
      r = TWO_OVER_SQRT_PI * Math.exp(-x2) * sum;
    } else {
      r = 1.0 - erfcLarge(a);
    }
    return x < 0 ? -r : r;
  }

  /** 2 / (2n + 3): the ratio of consecutive series terms over x^2, tabulated to avoid divisions. */
  private static final double[] SERIES = new double[120];

  static {
    for (int n = 0; n < SERIES.length; n++) SERIES[n] = 2.0 / (2 * n + 3);
  }

  /** erfc(a) for a >= 3 by the Laplace continued fraction, evaluated bottom-up. */
  private static double erfcLarge(double a) {
    double f = a;
    for (int k = 40; k >= 1; k--) f = a + (k * 0.5) / f;
    return ONE_OVER_SQRT_PI * Math.exp(-a * a) / f;
  }

  public static double asinh(double x) {
    if (Double.isInfinite(x)) return x;
    double a = Math.abs(x);
    double r = a < 1e-8 ? a : Math.log(a + Math.sqrt(a * a + 1));
    if (a > 1e150) r = Math.log(a) + Math.log(2);
    return Math.copySign(r, x);
  }

  public static double acosh(double x) {
    if (x > 1e150) return Math.log(x) + Math.log(2);
    return Math.log(x + Math.sqrt(x * x - 1));
  }

  public static double atanh(double x) { return 0.5 * Math.log1p(2 * x / (1 - x)); }

  public static double sigmoid(double x) {
    // Two branches keep exp from overflowing to inf/inf.
    if (x >= 0) return 1.0 / (1.0 + Math.exp(-x));
    double e = Math.exp(x);
    return e / (1.0 + e);
  }

  public static double nanMax(double a, double b) { return Double.isNaN(a) || Double.isNaN(b) ? Double.NaN : Math.max(a, b); }

  public static double nanMin(double a, double b) { return Double.isNaN(a) || Double.isNaN(b) ? Double.NaN : Math.min(a, b); }

  /** Integer division truncating toward zero (ONNX Div); x/0 gives 0 rather than a trap. */
  public static long div(long a, long b) { return b == 0 ? 0 : a / b; }

  public static long divUnsigned(long a, long b) { return b == 0 ? 0 : Long.divideUnsigned(a, b); }

  /** ONNX Mod with fmod=0 on integers: the result takes the divisor's sign (Python's %). */
  public static long floorMod(long a, long b) { return b == 0 ? 0 : Math.floorMod(a, b); }

  /** C fmod on integers: the result takes the dividend's sign. */
  public static long truncMod(long a, long b) { return b == 0 ? 0 : a % b; }

  public static long modUnsigned(long a, long b) { return b == 0 ? 0 : Long.remainderUnsigned(a, b); }

  /** Float modulus with the divisor's sign (numpy.mod), used for fmod=0 on floats. */
  public static double floorMod(double a, double b) {
    double r = a % b;
    if (r != 0 && (r < 0) != (b < 0)) r += b;
    return r;
  }

  /** Integer power with wrap-around; negative exponents truncate 1/a^-b toward zero. */
  public static long ipow(long base, long exp) {
    if (exp < 0) {
      if (base == 1) return 1;
      if (base == -1) return (exp & 1) == 0 ? 1 : -1;
      return 0;
    }
    long r = 1;
    long b = base;
    long e = exp;
    while (e != 0) {
      if ((e & 1) != 0) r *= b;
      b *= b;
      e >>>= 1;
    }
    return r;
  }

  /** Logical shift by an unsigned amount; shifting all bits out gives 0. */
  public static long shiftLeft(long x, long s) { return Long.compareUnsigned(s, 64) >= 0 ? 0 : x << s; }

  public static long shiftRight(long x, long s) { return Long.compareUnsigned(s, 64) >= 0 ? 0 : x >>> s; }
}
