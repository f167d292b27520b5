package dev.weft.codegen.lower.ops;

import dev.weft.bundle.DType;
import dev.weft.codegen.kir.BinaryOp;
import dev.weft.codegen.kir.Expr;
import dev.weft.codegen.kir.ExprFactory;
import dev.weft.codegen.kir.UnaryOp;
import dev.weft.codegen.lower.LowerContext;
import dev.weft.codegen.lower.LoweringLibrary;
import dev.weft.codegen.lower.LoweringTable;
import java.util.function.BiFunction;

/**
 * Elementwise ops with numpy broadcasting, matching the interpreter's ElementwiseOps: integer
 * arithmetic wraps, integer division truncates (by zero gives 0), max/min/relu propagate NaN.
 */
public final class ElementwiseLowerings implements LoweringLibrary {
  @Override
  public void register(LoweringTable t) {
    unary(t, "neg", (c, x) -> c.f().neg(x));
    unary(t, "abs", (c, x) -> x.type() == DType.BOOL ? x : c.f().unary(UnaryOp.ABS, x));
    unary(t, "sqrt", (c, x) -> c.f().unary(UnaryOp.SQRT, x));
    unary(t, "rsqrt", (c, x) -> c.f().div(c.f().like(x, 1), c.f().unary(UnaryOp.SQRT, x)));
    unary(t, "reciprocal", (c, x) -> c.f().div(c.f().like(x, 1), x));
    unary(t, "floor", (c, x) -> c.f().unary(UnaryOp.FLOOR, x));
    unary(t, "ceil", (c, x) -> c.f().unary(UnaryOp.CEIL, x));
    unary(t, "round", (c, x) -> c.f().unary(UnaryOp.ROUND_EVEN, x));
    unary(t, "exp", (c, x) -> c.math().exp(x));
    unary(t, "log", (c, x) -> c.math().log(x));
    unary(t, "tanh", (c, x) -> c.math().tanh(x));
    unary(t, "sigmoid", (c, x) -> c.math().sigmoid(x));
    unary(t, "erf", ElementwiseLowerings::erf);
    unary(t, "relu", ElementwiseLowerings::relu);
    unary(t, "sign", ElementwiseLowerings::sign);
    unary(t, "not", (c, x) -> c.f().not(x));
    unary(t, "bitwise_not", (c, x) -> c.f().not(x));
    unary(t, "is_nan", (c, x) -> c.f().unary(UnaryOp.IS_NAN, x));
    unary(t, "is_inf", ElementwiseLowerings::isInf);
    t.add("identity", (c, k, idx) -> c.in(0, idx));

    binary(t, "add", BinaryOp.ADD);
    binary(t, "sub", BinaryOp.SUB);
    binary(t, "mul", BinaryOp.MUL);
    binary(t, "div", BinaryOp.DIV);
    binary(t, "max", BinaryOp.MAX);
    binary(t, "min", BinaryOp.MIN);
    binary(t, "bitwise_and", BinaryOp.AND);
    binary(t, "bitwise_or", BinaryOp.OR);
    binary(t, "bitwise_xor", BinaryOp.XOR);
    binary(t, "and", BinaryOp.AND);
    binary(t, "or", BinaryOp.OR);
    binary(t, "xor", BinaryOp.XOR);
    binary(t, "equal", BinaryOp.EQ);
    binary(t, "less", BinaryOp.LT);
    binary(t, "less_equal", BinaryOp.LE);
    binary(t, "greater", BinaryOp.GT);
    binary(t, "greater_equal", BinaryOp.GE);
    t.add("mod", (c, k, idx) -> mod(c, c.inBroadcast(0, idx), c.inBroadcast(1, idx)));
    t.add("pow", (c, k, idx) -> pow(c, c.inBroadcast(0, idx), c.inBroadcast(1, idx)));
    t.add("bit_shift", (c, k, idx) -> c.f().binary(
        "left".equals(c.attrs().getString("direction")) ? BinaryOp.SHL : BinaryOp.SHR, c.inBroadcast(0, idx), c.inBroadcast(1, idx)));
    t.add("select", (c, k, idx) -> c.f().select(c.inBroadcast(0, idx), c.inBroadcast(1, idx), c.inBroadcast(2, idx)));
    t.add("cast", (c, k, idx) -> cast(c, c.in(0, idx)));
  }

  static void unary(LoweringTable t, String op, BiFunction<LowerContext, Expr, Expr> fn) {
    t.add(op, (c, k, idx) -> fn.apply(c, c.in(0, idx)));
  }

  static void binary(LoweringTable t, String op, BinaryOp bop) {
    t.add(op, (c, k, idx) -> c.f().binary(bop, c.inBroadcast(0, idx), c.inBroadcast(1, idx)));
  }

  private static Expr relu(LowerContext c, Expr x) {
    ExprFactory f = c.f();
    if (!x.type().isFloat()) return f.max(x, f.like(x, 0));
    // x > 0 || isnan(x) ? x : 0, as the interpreter (max would do too, but keeps -0 distinct)
    return f.select(f.or(f.binary(BinaryOp.GT, x, f.like(x, 0)), f.unary(UnaryOp.IS_NAN, x)), x, f.like(x, 0));
  }

  private static Expr sign(LowerContext c, Expr x) {
    ExprFactory f = c.f();
    if (x.type() == DType.BOOL) return x;
    Expr zero = f.like(x, 0);
    Expr pos = f.binary(BinaryOp.GT, x, zero);
    Expr neg = f.lt(x, zero);
    Expr s = f.select(pos, f.like(x, 1), f.select(neg, f.like(x, -1), zero));
    return x.type().isFloat() ? f.select(f.unary(UnaryOp.IS_NAN, x), x, s) : s;
  }

  private static Expr erf(LowerContext c, Expr x) {
    if (x.type().isFloat()) return c.math().erf(x);
    // integers: computed in float, truncated back (as ONNX's tests and the interpreter do)
    return c.f().cast(x.type(), c.math().erf(c.f().cast(DType.F64, x)));
  }

  private static Expr isInf(LowerContext c, Expr x) {
    ExprFactory f = c.f();
    boolean pos = c.attrs().getBool("detect_positive");
    boolean neg = c.attrs().getBool("detect_negative");
    Expr p = f.binary(BinaryOp.EQ, x, f.like(x, Double.POSITIVE_INFINITY));
    Expr n = f.binary(BinaryOp.EQ, x, f.like(x, Double.NEGATIVE_INFINITY));
    if (pos && neg) return f.or(p, n);
    if (pos) return p;
    if (neg) return n;
    return f.bool(false);
  }

  private static Expr mod(LowerContext c, Expr a, Expr b) {
    ExprFactory f = c.f();
    Expr r = f.rem(a, b);
    if (c.attrs().getBool("fmod") || a.type() == DType.U64 || (!a.type().isSigned() && !a.type().isFloat())) return r;
    // Python %: the result takes the divisor's sign
    Expr zero = f.like(a, 0);
    Expr adjust = f.and(f.binary(BinaryOp.NE, r, zero), f.binary(BinaryOp.NE, f.lt(r, zero), f.lt(b, zero)));
    return f.select(adjust, f.add(r, b), r);
  }

  private static Expr pow(LowerContext c, Expr base, Expr exponent) {
    ExprFactory f = c.f();
    DType bt = base.type();
    if (bt.isFloat()) {
      Expr e = exponent.type() == bt ? exponent : f.cast(bt, exponent);
      return c.math().pow(base, e);
    }
    // integer base: computed in f64 and truncated back, as the interpreter does
    Expr r = c.math().pow(f.cast(DType.F64, base), f.cast(DType.F64, exponent));
    return f.cast(bt, r);
  }

  private static Expr cast(LowerContext c, Expr x) {
    DType to = c.outDType(0);
    if (to.isNarrowFloat() && to != DType.F16 && to != DType.BF16) throw c.fail("cast to " + to.textName() + " has no kernel lowering yet");
    return c.f().cast(ExprFactory.computeType(to), x);
  }

}
