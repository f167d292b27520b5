package dev.weft.codegen.kir;

import dev.weft.bundle.DType;
import java.math.BigInteger;

/**
 * Circular and hyperbolic functions and log1p from kernel-IR primitives, reached through
 * {@link MathLib}. sin, cos and tan reduce the argument modulo pi/2 in f64 (a two-part
 * Cody-Waite reduction below 2^19) or, for larger f32 arguments, exactly in integers (a
 * Payne-Hanek style product of the 24-bit mantissa with a 96-bit window of 2/pi, giving the
 * quadrant and a 2.62 fixed-point remainder), so sin(1e30) is as accurate as sin(1); the
 * reduced argument then goes through Cephes' f32 polynomials. The inverse functions are
 * Cephes' (asinf, atanf) or identities over log1p that avoid cancellation. f64 arguments are
 * computed in f32 (see MathLib), except that the sin/cos/tan reduction below 2^19 uses the
 * full f64 argument.
 */
final class TrigMath {
  /** 2/pi in 32-bit words: WORDS[0] = 0 (bits before the point), WORDS[k] = bits 32(k-1)+1 .. 32k after it. */
  static final long[] WORDS = twoOverPiWords(7);

  /** pi/2 split for the f64 reduction: the first 33 bits (so n * PIO2_HI is exact for n < 2^20) and the rest. */
  static final double PIO2_HI = Double.longBitsToDouble(0x3FF921FB54400000L);
  static final double PIO2_LO = halfPiMinus(PIO2_HI);
  /** Above this magnitude the reduction is done in integers. */
  static final double LARGE = 0x1p19;

  private final ExprFactory f;
  private final MathLib math;

  TrigMath(ExprFactory f, MathLib math) {
    this.f = f;
    this.math = math;
  }

  private Expr c(double v) { return f.constant(DType.F32, v); }

  private Expr poly(Expr x, double... coeffs) {
    Expr acc = c(coeffs[0]);
    for (int i = 1; i < coeffs.length; i++) acc = f.add(f.mul(acc, x), c(coeffs[i]));
    return acc;
  }

  private Expr u64(long v) { return f.constantLong(DType.U64, v); }

  private Expr isNan(Expr x) { return f.unary(UnaryOp.IS_NAN, x); }

  /** True where the sign bit of f32 x is set (so -0 counts as negative). */
  private Expr signBit(Expr x) { return f.lt(f.unary(UnaryOp.BITS, x), f.constant(DType.I32, 0)); }

  private Expr withSign(Expr x, Expr r) { return f.select(signBit(x), f.neg(r), r); }

  // ---- argument reduction

  /** |x| reduced modulo pi/2: the f32 remainder in [-pi/4, pi/4] and the quadrant (i64, 0..3). */
  private record Reduced(Expr r, Expr quadrant) { }

  /** Reduces |x|; {@code x} is f32 or f64 (an f64 beyond 2^19 is reduced after rounding to f32). */
  private Reduced reduce(Expr x) {
    Expr xd = f.unary(UnaryOp.ABS, f.cast(DType.F64, x));
    Expr n = f.unary(UnaryOp.ROUND_EVEN, f.mul(xd, f.constant(DType.F64, 2 / Math.PI)));
    Expr rFast = f.sub(f.sub(xd, f.mul(n, f.constant(DType.F64, PIO2_HI))), f.mul(n, f.constant(DType.F64, PIO2_LO)));
    Expr qFast = f.cast(DType.I64, n);
    Expr ax = f.unary(UnaryOp.ABS, x.type() == DType.F32 ? x : f.cast(DType.F32, x));
    Expr bits = f.cast(DType.U64, f.unary(UnaryOp.BITS, ax));
    // ax = m * 2^(e - 23); the 2/pi bits before position e - 24 only add multiples of 4 quadrants.
    // With the biased exponent E (so e = E - 127), bit position e - 24 of 2/pi sits in word
    // (e + 7) / 32 at offset (e + 7) % 32 from its top; only |x| >= 2^19 takes this path, so
    // u = E - 120 is positive there.
    Expr biased = f.binary(BinaryOp.AND, f.binary(BinaryOp.SHR, bits, u64(23)), u64(0xff));
    Expr m = f.binary(BinaryOp.OR, f.binary(BinaryOp.AND, bits, u64(0x7fffff)), u64(0x800000));
    Expr u = f.sub(biased, u64(120));
    Expr q = f.binary(BinaryOp.SHR, u, u64(5));
    Expr off = f.binary(BinaryOp.AND, u, u64(31));
    Expr w0 = word(q, 0);
    Expr w1 = word(q, 1);
    Expr w2 = word(q, 2);
    Expr w3 = word(q, 3);
    Expr back = f.sub(u64(32), off);
    Expr hi = f.binary(BinaryOp.OR, f.binary(BinaryOp.OR,
        f.binary(BinaryOp.SHL, w0, f.add(off, u64(32))), f.binary(BinaryOp.SHL, w1, off)), f.binary(BinaryOp.SHR, w2, back));
    Expr lo = f.binary(BinaryOp.AND,
        f.binary(BinaryOp.OR, f.binary(BinaryOp.SHL, w2, off), f.binary(BinaryOp.SHR, w3, back)), u64(0xffffffffL));
    // (x * 2/pi) mod 4 in 2.62 fixed point: the top 64 bits of (m * window) mod 2^96.
    Expr prod = f.add(f.mul(m, hi), f.binary(BinaryOp.SHR, f.mul(m, lo), u64(32)));
    Expr nLarge = f.binary(BinaryOp.SHR, f.add(prod, u64(1L << 61)), u64(62));
    Expr rem = f.cast(DType.I64, f.sub(prod, f.binary(BinaryOp.SHL, nLarge, u64(62))));
    Expr rLarge = f.mul(f.cast(DType.F64, rem), f.constant(DType.F64, Math.PI / 2 * 0x1p-62));
    Expr large = f.binary(BinaryOp.GE, ax, c(LARGE));
    Expr r = f.cast(DType.F32, f.select(large, rLarge, rFast));
    Expr quadrant = f.binary(BinaryOp.AND, f.select(large, f.cast(DType.I64, nLarge), qFast), f.index(3));
    return new Reduced(r, quadrant);
  }

  /** WORDS[q + k] for a data-dependent q in [0, 4]. */
  private Expr word(Expr q, int k) {
    Expr w = u64(WORDS[Math.min(4 + k, WORDS.length - 1)]);
    for (int i = 3; i >= 0; i--) w = f.select(f.binary(BinaryOp.EQ, q, u64(i)), u64(WORDS[i + k]), w);
    return w;
  }

  private Expr sinPoly(Expr r) {
    Expr z = f.mul(r, r);
    return f.add(f.mul(f.mul(poly(z, -1.9515295891E-4, 8.3321608736E-3, -1.6666654611E-1), z), r), r);
  }

  private Expr cosPoly(Expr r) {
    Expr z = f.mul(r, r);
    Expr y = f.mul(f.mul(poly(z, 2.443315711809948E-005, -1.388731625493765E-003, 4.166664568298827E-002), z), z);
    return f.add(f.sub(y, f.mul(c(0.5), z)), c(1.0));
  }

  private Expr quadrantIs(Reduced red, long q) { return f.binary(BinaryOp.EQ, red.quadrant(), f.index(q)); }

  /** NaN for NaN and infinite x, else {@code v}. */
  private Expr finiteOnly(Expr x32, Expr v) {
    Expr bad = f.or(isNan(x32), f.binary(BinaryOp.EQ, f.unary(UnaryOp.ABS, x32), c(Double.POSITIVE_INFINITY)));
    return f.select(bad, c(Double.NaN), v);
  }

  private Expr narrow(Expr x) { return x.type() == DType.F32 ? x : f.cast(DType.F32, x); }

  private Expr widen(Expr like, Expr v) { return like.type() == DType.F32 ? v : f.cast(like.type(), v); }

  Expr sin(Expr x) {
    Reduced red = reduce(x);
    Expr s = sinPoly(red.r());
    Expr co = cosPoly(red.r());
    Expr v = f.select(quadrantIs(red, 0), s, f.select(quadrantIs(red, 1), co, f.select(quadrantIs(red, 2), f.neg(s), f.neg(co))));
    Expr x32 = narrow(x);
    return widen(x, finiteOnly(x32, withSign(x32, v)));
  }

  Expr cos(Expr x) {
    Reduced red = reduce(x);
    Expr s = sinPoly(red.r());
    Expr co = cosPoly(red.r());
    Expr v = f.select(quadrantIs(red, 0), co, f.select(quadrantIs(red, 1), f.neg(s), f.select(quadrantIs(red, 2), f.neg(co), s)));
    return widen(x, finiteOnly(narrow(x), v));
  }

  Expr tan(Expr x) {
    Reduced red = reduce(x);
    Expr r = red.r();
    Expr z = f.mul(r, r);
    Expr t = f.add(f.mul(f.mul(poly(z, 9.38540185543E-3, 3.11992232697E-3, 2.44301354525E-2, 5.34112807005E-2,
        1.33387994085E-1, 3.33331568548E-1), z), r), r);
    Expr odd = f.binary(BinaryOp.EQ, f.binary(BinaryOp.AND, red.quadrant(), f.index(1)), f.index(1));
    Expr v = f.select(odd, f.div(c(-1.0), t), t);
    Expr x32 = narrow(x);
    return widen(x, finiteOnly(x32, withSign(x32, v)));
  }

  // ---- inverse circular

  /** asin of a in [0, 1] (Cephes asinf); NaN above 1. */
  private Expr asinNonNeg(Expr a) {
    Expr big = f.binary(BinaryOp.GT, a, c(0.5));
    Expr z = f.select(big, f.mul(c(0.5), f.sub(c(1.0), a)), f.mul(a, a));
    Expr s = f.select(big, f.unary(UnaryOp.SQRT, z), a);
    Expr p = f.add(f.mul(f.mul(poly(z, 4.2163199048E-2, 2.4181311049E-2, 4.5470025998E-2, 7.4953002686E-2, 1.6666752422E-1), z), s), s);
    Expr v = f.select(big, f.sub(c(Math.PI / 2), f.add(p, p)), p);
    return f.select(f.binary(BinaryOp.GT, a, c(1.0)), c(Double.NaN), v);
  }

  Expr asin(Expr x) {
    Expr x32 = narrow(x);
    return widen(x, withSign(x32, asinNonNeg(f.unary(UnaryOp.ABS, x32))));
  }

  /** Cephes acosf: 2 asin(sqrt((1-x)/2)) near 1, pi - 2 asin(sqrt((1+x)/2)) near -1, pi/2 - asin(x) between. */
  Expr acos(Expr x) {
    Expr x32 = narrow(x);
    Expr hi = f.binary(BinaryOp.GT, x32, c(0.5));
    Expr lo = f.lt(x32, c(-0.5));
    Expr arg = f.select(hi, f.unary(UnaryOp.SQRT, f.mul(c(0.5), f.sub(c(1.0), x32))),
        f.select(lo, f.unary(UnaryOp.SQRT, f.mul(c(0.5), f.add(c(1.0), x32))), f.unary(UnaryOp.ABS, x32)));
    Expr as = asinNonNeg(arg);
    Expr twice = f.add(as, as);
    Expr mid = f.sub(c(Math.PI / 2), withSign(x32, as));
    return widen(x, f.select(hi, twice, f.select(lo, f.sub(c(Math.PI), twice), mid)));
  }

  /** Cephes atanf: reduced by tan(3pi/8) and tan(pi/8) to |x| <= 0.4142. */
  Expr atan(Expr x) {
    Expr x32 = narrow(x);
    Expr a = f.unary(UnaryOp.ABS, x32);
    Expr big = f.binary(BinaryOp.GT, a, c(2.414213562373095));
    Expr mid = f.binary(BinaryOp.GT, a, c(0.4142135623730950));
    Expr base = f.select(big, c(Math.PI / 2), f.select(mid, c(Math.PI / 4), c(0.0)));
    Expr t = f.select(big, f.neg(f.div(c(1.0), a)), f.select(mid, f.div(f.sub(a, c(1.0)), f.add(a, c(1.0))), a));
    Expr z = f.mul(t, t);
    Expr p = f.add(f.mul(f.mul(poly(z, 8.05374449538e-2, -1.38776856032E-1, 1.99777106478E-1, -3.33329491539E-1), z), t), t);
    return widen(x, withSign(x32, f.add(base, p)));
  }

  // ---- hyperbolic

  /** sinh: Cephes' odd polynomial up to 1; beyond, (h/2) h - 1/(2 h h) with h = e^(|x|/2), finite up to sinh's own overflow. */
  Expr sinh(Expr x) {
    Expr x32 = narrow(x);
    Expr a = f.unary(UnaryOp.ABS, x32);
    Expr z = f.mul(x32, x32);
    Expr small = f.add(f.mul(f.mul(poly(z, 2.03721912945E-4, 8.33028376239E-3, 1.66667160211E-1), z), x32), x32);
    Expr h = math.exp(f.mul(a, c(0.5)));
    Expr large = f.sub(f.mul(f.mul(c(0.5), h), h), f.div(c(0.5), f.mul(h, h)));
    return widen(x, f.select(f.binary(BinaryOp.GT, a, c(1.0)), withSign(x32, large), small));
  }

  Expr cosh(Expr x) {
    Expr x32 = narrow(x);
    Expr h = math.exp(f.mul(f.unary(UnaryOp.ABS, x32), c(0.5)));
    return widen(x, f.add(f.mul(f.mul(c(0.5), h), h), f.div(c(0.5), f.mul(h, h))));
  }

  /** log(1 + u) without cancellation: log(w) * u / (w - 1) with w = 1 + u rounded (exact where w == 1). */
  Expr log1p(Expr u) {
    Expr u32 = narrow(u);
    Expr w = f.add(c(1.0), u32);
    Expr ratio = f.div(u32, f.sub(w, c(1.0)));
    Expr v = f.mul(math.log(w), ratio);
    v = f.select(f.binary(BinaryOp.EQ, w, c(1.0)), u32, v);
    v = f.select(f.binary(BinaryOp.EQ, u32, c(Double.POSITIVE_INFINITY)), u32, v);
    return widen(u, v);
  }

  /** Above this the +1 under the roots of asinh/acosh no longer changes an f32: log(2x) is exact there. */
  private static final double HUGE = 4096;

  Expr asinh(Expr x) {
    Expr x32 = narrow(x);
    Expr a = f.unary(UnaryOp.ABS, x32);
    Expr a2 = f.mul(a, a);
    // asinh(a) = log1p(a + a^2 / (1 + sqrt(1 + a^2))), no cancellation for small a.
    Expr near = log1p(f.add(a, f.div(a2, f.add(c(1.0), f.unary(UnaryOp.SQRT, f.add(c(1.0), a2))))));
    Expr far = f.add(math.log(a), c(Math.log(2)));
    return widen(x, withSign(x32, f.select(f.binary(BinaryOp.GT, a, c(HUGE)), far, near)));
  }

  Expr acosh(Expr x) {
    Expr x32 = narrow(x);
    Expr t = f.sub(x32, c(1.0));
    // acosh(1 + t) = log1p(t + sqrt(2t + t^2)), no cancellation near 1.
    Expr near = log1p(f.add(t, f.unary(UnaryOp.SQRT, f.add(f.add(t, t), f.mul(t, t)))));
    Expr far = f.add(math.log(x32), c(Math.log(2)));
    Expr v = f.select(f.binary(BinaryOp.GT, x32, c(HUGE)), far, near);
    // Below 1 the result is NaN; the root alone would round to 0 for very negative x.
    return widen(x, f.select(f.lt(x32, c(1.0)), c(Double.NaN), v));
  }

  /**
   * atanh(x) = sign(x) log1p(2a / (1 - a)) / 2 with a = |x|: the interpreter's formula made odd,
   * because 1 - x near x = -1 cancels in f32 where 1 - a (a >= 1/2) is exact. inf at 1, NaN beyond.
   */
  Expr atanh(Expr x) {
    Expr x32 = narrow(x);
    Expr a = f.unary(UnaryOp.ABS, x32);
    Expr v = f.mul(c(0.5), log1p(f.div(f.add(a, a), f.sub(c(1.0), a))));
    return widen(x, withSign(x32, v));
  }

  /** softplus = max(x, 0) + log1p(exp(-|x|)): no overflow, and exact tails for very negative x. */
  Expr softplus(Expr x) {
    Expr x32 = narrow(x);
    Expr tail = log1p(math.exp(f.neg(f.unary(UnaryOp.ABS, x32))));
    return widen(x, f.add(f.max(x32, c(0.0)), tail));
  }

  // ---- constants

  /** pi to about 2^-(bits) by Machin's formula in fixed point: floor(pi * 2^bits) up to a few units. */
  static BigInteger piFixed(int bits) {
    BigInteger one = BigInteger.ONE.shiftLeft(bits + 16);
    BigInteger pi = atanInv(5, one).multiply(BigInteger.valueOf(16)).subtract(atanInv(239, one).multiply(BigInteger.valueOf(4)));
    return pi.shiftRight(16);
  }

  /** atan(1/k) * one by its alternating series. */
  private static BigInteger atanInv(int k, BigInteger one) {
    BigInteger kk = BigInteger.valueOf((long) k * k);
    BigInteger term = one.divide(BigInteger.valueOf(k));
    BigInteger sum = term;
    for (int n = 1; term.signum() != 0; n++) {
      term = term.divide(kk);
      BigInteger t = term.divide(BigInteger.valueOf(2L * n + 1));
      sum = (n & 1) == 1 ? sum.subtract(t) : sum.add(t);
    }
    return sum;
  }

  static long[] twoOverPiWords(int n) {
    int bits = 32 * n;
    BigInteger pi = piFixed(bits + 64);
    // floor(2/pi * 2^bits) = floor(2^(bits + 1 + bits + 64) / (pi * 2^(bits + 64)))
    BigInteger t = BigInteger.ONE.shiftLeft(2 * bits + 65).divide(pi);
    long[] w = new long[n + 1];
    for (int k = 1; k <= n; k++) w[k] = t.shiftRight(bits - 32 * k).longValue() & 0xffffffffL;
    return w;
  }

  private static double halfPiMinus(double hi) {
    int bits = 200;
    BigInteger pi = piFixed(bits);
    java.math.BigDecimal halfPi = new java.math.BigDecimal(pi).divide(new java.math.BigDecimal(BigInteger.ONE.shiftLeft(bits + 1)));
    return halfPi.subtract(new java.math.BigDecimal(hi)).doubleValue();
  }
}
