package dev.weft.codegen.kir;

import dev.weft.bundle.DType;

/**
 * Transcendental functions built from kernel-IR primitives (Cephes-style range reduction and
 * polynomials, about 1-2 ulp in f32), so every target computes the same values without libm or
 * target math libraries (a host {@code .so} linked without libc, PTX without libdevice). f64
 * arguments are evaluated in f32 and widened back: about 1e-7 relative error, inside the
 * compiled-vs-reference tolerance, and stated in the codegen docs.
 */
public final class MathLib {
  private final ExprFactory f;

  public MathLib(ExprFactory f) { this.f = f; }

  private Expr c(double v) { return f.constant(DType.F32, v); }

  private Expr mul(Expr a, Expr b) { return f.mul(a, b); }

  private Expr add(Expr a, Expr b) { return f.add(a, b); }

  private Expr sub(Expr a, Expr b) { return f.sub(a, b); }

  /** Horner evaluation of coeffs[0]*x^(n-1) + ... + coeffs[n-1]. */
  private Expr poly(Expr x, double... coeffs) {
    Expr acc = c(coeffs[0]);
    for (int i = 1; i < coeffs.length; i++) acc = add(mul(acc, x), c(coeffs[i]));
    return acc;
  }

  private Expr viaF32(Expr x, java.util.function.UnaryOperator<Expr> fn) {
    if (x.type() == DType.F32) return fn.apply(x);
    if (x.type() != DType.F64) throw new KirException("math function on " + x.type().textName());
    return f.cast(DType.F64, fn.apply(f.cast(DType.F32, x)));
  }

  /** 2^n for an integral f32 n in [-150, 128], as a product of two normal powers. */
  private Expr pow2(Expr n) {
    Expr half = f.unary(UnaryOp.TRUNC, mul(n, c(0.5)));
    Expr rest = sub(n, half);
    return mul(pow2Normal(half), pow2Normal(rest));
  }

  private Expr pow2Normal(Expr n) {
    Expr bits = f.binary(BinaryOp.SHL, f.add(f.cast(DType.I32, n), f.constant(DType.I32, 127)), f.constant(DType.I32, 23));
    return f.unary(UnaryOp.FROM_BITS, bits);
  }

  public Expr exp(Expr x) { return viaF32(x, this::expF32); }

  private Expr expF32(Expr x) {
    Expr xc = f.min(f.max(x, c(-104.0)), c(89.0));
    Expr n = f.unary(UnaryOp.ROUND_EVEN, mul(xc, c(1.44269504088896341)));
    Expr r = sub(sub(xc, mul(n, c(0.693359375))), mul(n, c(-2.12194440e-4)));
    Expr p = poly(r, 1.9875691500E-4, 1.3981999507E-3, 8.3334519073E-3, 4.1665795894E-2, 1.6666665459E-1, 5.0000001201E-1);
    Expr y = add(add(mul(mul(p, r), r), r), c(1.0));
    Expr scaled = mul(y, pow2(n));
    Expr big = f.binary(BinaryOp.GT, x, c(88.72283905206835));
    Expr small = f.binary(BinaryOp.LT, x, c(-103.972077083991796));
    Expr out = f.select(big, c(Double.POSITIVE_INFINITY), f.select(small, c(0.0), scaled));
    return f.select(f.unary(UnaryOp.IS_NAN, x), x, out);
  }

  public Expr log(Expr x) { return viaF32(x, this::logF32); }

  private Expr logF32(Expr x) {
    Expr tiny = f.lt(x, c(0x1p-126));
    Expr xs = f.select(tiny, mul(x, c(0x1p23)), x);
    Expr bits = f.unary(UnaryOp.BITS, xs);
    Expr expo = f.sub(f.binary(BinaryOp.AND, f.binary(BinaryOp.SHR, bits, f.constant(DType.I32, 23)), f.constant(DType.I32, 0xff)), f.constant(DType.I32, 126));
    Expr e = f.cast(DType.F32, expo);
    e = f.select(tiny, sub(e, c(23)), e);
    Expr mbits = f.binary(BinaryOp.OR, f.binary(BinaryOp.AND, bits, f.constant(DType.I32, 0x807fffff)), f.constant(DType.I32, 0x3f000000));
    Expr m = f.unary(UnaryOp.FROM_BITS, mbits);
    Expr lowM = f.lt(m, c(0.707106781186547524));
    e = f.select(lowM, sub(e, c(1)), e);
    m = f.select(lowM, sub(add(m, m), c(1)), sub(m, c(1)));
    Expr z = mul(m, m);
    Expr y = mul(mul(poly(m, 7.0376836292E-2, -1.1514610310E-1, 1.1676998740E-1, -1.2420140846E-1, 1.4249322787E-1,
        -1.6668057665E-1, 2.0000714765E-1, -2.4999993993E-1, 3.3333331174E-1), m), z);
    y = add(y, mul(c(-2.12194440e-4), e));
    y = add(y, mul(c(-0.5), z));
    Expr r = add(add(m, y), mul(c(0.693359375), e));
    Expr out = f.select(f.binary(BinaryOp.EQ, x, c(Double.POSITIVE_INFINITY)), x, r);
    out = f.select(f.binary(BinaryOp.EQ, x, c(0.0)), c(Double.NEGATIVE_INFINITY), out);
    out = f.select(f.lt(x, c(0.0)), c(Double.NaN), out);
    return f.select(f.unary(UnaryOp.IS_NAN, x), x, out);
  }

  public Expr tanh(Expr x) { return viaF32(x, this::tanhF32); }

  private Expr tanhF32(Expr x) {
    Expr ax = f.unary(UnaryOp.ABS, x);
    Expr z = mul(x, x);
    Expr small = add(mul(mul(poly(z, -5.70498872745E-3, 2.06390887954E-2, -5.37397155531E-2, 1.33314422036E-1,
        -3.33332819422E-1), z), x), x);
    Expr s = expF32(add(ax, ax));
    Expr large = sub(c(1.0), f.div(c(2.0), add(s, c(1.0))));
    large = f.select(f.lt(x, c(0.0)), f.neg(large), large);
    large = f.select(f.binary(BinaryOp.GT, ax, c(9.01)), f.select(f.lt(x, c(0.0)), c(-1.0), c(1.0)), large);
    return f.select(f.lt(ax, c(0.625)), small, large);
  }

  /** erf: Taylor series below 0.5, Abramowitz-Stegun 7.1.26 above (absolute error under 1.5e-7). */
  public Expr erf(Expr x) { return viaF32(x, this::erfF32); }

  private Expr erfF32(Expr x) {
    Expr ax = f.unary(UnaryOp.ABS, x);
    Expr x2 = mul(x, x);
    Expr series = mul(mul(x, c(1.1283791670955126)), poly(x2, 1.0 / 216, -1.0 / 42, 1.0 / 10, -1.0 / 3, 1.0));
    Expr t = f.div(c(1.0), add(c(1.0), mul(c(0.3275911), ax)));
    Expr p = mul(poly(t, 1.061405429, -1.453152027, 1.421413741, -0.284496736, 0.254829592), t);
    Expr y = sub(c(1.0), mul(p, expF32(f.neg(x2))));
    y = f.select(f.lt(x, c(0.0)), f.neg(y), y);
    Expr out = f.select(f.lt(ax, c(0.5)), series, y);
    return f.select(f.unary(UnaryOp.IS_NAN, x), x, out);
  }

  public Expr sigmoid(Expr x) {
    return viaF32(x, v -> f.div(c(1.0), add(c(1.0), expF32(f.neg(v)))));
  }

  /** x^y with the C pow special cases that models meet: negative bases with integral exponents, zero bases. */
  public Expr pow(Expr x, Expr y) {
    if (y.isConst()) {
      double e = y.constant();
      if (e == 1) return x;
      if (e == 2) return f.mul(x, x);
      if (e == 3) return f.mul(f.mul(x, x), x);
      if (e == 0.5) return f.unary(UnaryOp.SQRT, x);
      if (e == 0) return f.like(x, 1.0);
    }
    if (x.type() == DType.F64) return f.cast(DType.F64, pow(f.cast(DType.F32, x), f.cast(DType.F32, y)));
    Expr ax = f.unary(UnaryOp.ABS, x);
    Expr mag = expF32(mul(y, logF32(ax)));
    Expr yInt = f.binary(BinaryOp.EQ, f.unary(UnaryOp.FLOOR, y), y);
    Expr yOdd = f.binary(BinaryOp.NE, sub(y, mul(c(2.0), f.unary(UnaryOp.FLOOR, mul(y, c(0.5))))), c(0.0));
    Expr neg = f.lt(x, c(0.0));
    Expr signed = f.select(yOdd, f.neg(mag), mag);
    Expr out = f.select(neg, f.select(yInt, signed, c(Double.NaN)), mag);
    Expr zero = f.binary(BinaryOp.EQ, x, c(0.0));
    Expr zeroPow = f.select(f.lt(y, c(0.0)), c(Double.POSITIVE_INFINITY), f.select(f.binary(BinaryOp.EQ, y, c(0.0)), c(1.0), c(0.0)));
    out = f.select(zero, zeroPow, out);
    return f.select(f.binary(BinaryOp.EQ, y, c(0.0)), c(1.0), out);
  }

  private TrigMath trig;

  private TrigMath trig() {
    if (trig == null) trig = new TrigMath(f, this);
    return trig;
  }

  /** sin with exact range reduction for every f32 argument (see {@link TrigMath}). */
  public Expr sin(Expr x) { return trig().sin(x); }

  public Expr cos(Expr x) { return trig().cos(x); }

  public Expr tan(Expr x) { return trig().tan(x); }

  public Expr asin(Expr x) { return trig().asin(x); }

  public Expr acos(Expr x) { return trig().acos(x); }

  public Expr atan(Expr x) { return trig().atan(x); }

  public Expr sinh(Expr x) { return trig().sinh(x); }

  public Expr cosh(Expr x) { return trig().cosh(x); }

  public Expr asinh(Expr x) { return trig().asinh(x); }

  public Expr acosh(Expr x) { return trig().acosh(x); }

  public Expr atanh(Expr x) { return trig().atanh(x); }

  /** log(1 + x), accurate for tiny x. */
  public Expr log1p(Expr x) { return trig().log1p(x); }

  /** log(1 + exp(x)) without overflow. */
  public Expr softplus(Expr x) { return trig().softplus(x); }
}
