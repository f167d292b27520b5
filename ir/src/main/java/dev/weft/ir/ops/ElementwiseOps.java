package dev.weft.ir.ops;

import static dev.weft.ir.ops.Elementwise.Domain.ANY;
import static dev.weft.ir.ops.Elementwise.Domain.BOOL;
import static dev.weft.ir.ops.Elementwise.Domain.FLOAT;
import static dev.weft.ir.ops.Elementwise.Domain.INTEGER;
import static dev.weft.ir.ops.Elementwise.Domain.NUMERIC;
import static dev.weft.ir.ops.Elementwise.Domain.NUMERIC_OR_BOOL;
import static dev.weft.ir.ops.Elementwise.Domain.SIGNED_OR_FLOAT;

import dev.weft.bundle.DType;
import dev.weft.bundle.Tensor;
import dev.weft.ir.Attribute;
import dev.weft.ir.InferContext;
import dev.weft.ir.OpDef;
import dev.weft.ir.OpLibrary;
import dev.weft.ir.Type;
import dev.weft.ir.interp.Kernel;
import dev.weft.ir.interp.KernelContext;
import dev.weft.ir.ops.Elementwise.Domain;
import java.util.ArrayList;
import java.util.List;
import java.util.function.DoubleBinaryOperator;
import java.util.function.DoubleUnaryOperator;
import java.util.function.LongBinaryOperator;
import java.util.function.LongUnaryOperator;

/**
 * Elementwise core ops, one row each: name, accepted dtypes, float function, signed-integer
 * function, unsigned-integer function. Float semantics follow IEEE (NaN propagates through
 * max/min/relu); integer arithmetic wraps to the element width; integer division truncates.
 * Bool operands use the integer functions on 0/1.
 */
public final class ElementwiseOps implements OpLibrary {
  private static final double T = 1.0;
  private static final double F = 0.0;

  @Override
  public List<OpDef> ops() {
    List<OpDef> ops = new ArrayList<>();
    // Unary arithmetic.
    ops.add(unary("neg", SIGNED_OR_FLOAT, x -> -x, x -> -x, null));
    ops.add(unary("abs", NUMERIC, Math::abs, Math::abs, x -> x));
    ops.add(unary("sign", NUMERIC, Math::signum, Long::signum, x -> x == 0 ? 0 : 1));
    ops.add(unary("relu", SIGNED_OR_FLOAT, x -> x > 0 || Double.isNaN(x) ? x : 0.0, x -> Math.max(x, 0), null));
    ops.add(unary("reciprocal", FLOAT, x -> 1.0 / x, null, null));
    ops.add(unary("floor", FLOAT, Math::floor, null, null));
    ops.add(unary("ceil", FLOAT, Math::ceil, null, null));
    ops.add(unary("round", FLOAT, Math::rint, null, null));   // half to even
    ops.add(unary("exp", FLOAT, Math::exp, null, null));
    ops.add(unary("log", FLOAT, Math::log, null, null));
    ops.add(unary("sqrt", FLOAT, Math::sqrt, null, null));
    ops.add(unary("rsqrt", FLOAT, x -> 1.0 / Math.sqrt(x), null, null));
    ops.add(unary("sin", FLOAT, Math::sin, null, null));
    ops.add(unary("cos", FLOAT, Math::cos, null, null));
    ops.add(unary("tan", FLOAT, Math::tan, null, null));
    ops.add(unary("asin", FLOAT, Math::asin, null, null));
    ops.add(unary("acos", FLOAT, Math::acos, null, null));
    ops.add(unary("atan", FLOAT, Math::atan, null, null));
    ops.add(unary("sinh", FLOAT, Math::sinh, null, null));
    ops.add(unary("cosh", FLOAT, Math::cosh, null, null));
    ops.add(unary("asinh", FLOAT, ScalarMath::asinh, null, null));
    ops.add(unary("acosh", FLOAT, ScalarMath::acosh, null, null));
    ops.add(unary("atanh", FLOAT, ScalarMath::atanh, null, null));
    ops.add(unary("tanh", FLOAT, Math::tanh, null, null));
    ops.add(unary("sigmoid", FLOAT, ScalarMath::sigmoid, null, null));
    // ONNX Erf also takes integers: computed in float, truncated back.
    ops.add(unary("erf", NUMERIC, ScalarMath::erf, null, null));
    ops.add(unary("bitwise_not", INTEGER, null, x -> ~x, x -> ~x));
    ops.add(OpDef.core("not").inputs(1).infer(c -> unaryType(c, BOOL, null))
        .kernel(Elementwise.unary(null, x -> x ^ 1, null)).build());
    // Classification (bool results).
    ops.add(OpDef.core("is_nan").inputs(1).infer(c -> unaryType(c, FLOAT, DType.BOOL))
        .kernel(Elementwise.unary(x -> Double.isNaN(x) ? T : F, null, null)).build());
    ops.add(OpDef.core("is_inf").inputs(1)
        .attr("detect_positive", Attribute.of(1L))
        .attr("detect_negative", Attribute.of(1L))
        .infer(c -> unaryType(c, FLOAT, DType.BOOL))
        .kernel(ElementwiseOps::isInf).build());

    // Binary arithmetic.
    ops.add(binary("add", NUMERIC, Double::sum, Long::sum, Long::sum));
    ops.add(binary("sub", NUMERIC, (a, b) -> a - b, (a, b) -> a - b, (a, b) -> a - b));
    ops.add(binary("mul", NUMERIC, (a, b) -> a * b, (a, b) -> a * b, (a, b) -> a * b));
    ops.add(binary("div", NUMERIC, (a, b) -> a / b, ScalarMath::div, ScalarMath::divUnsigned));
    ops.add(binary("max", NUMERIC, ScalarMath::nanMax, Math::max, (a, b) -> Long.compareUnsigned(a, b) >= 0 ? a : b));
    ops.add(binary("min", NUMERIC, ScalarMath::nanMin, Math::min, (a, b) -> Long.compareUnsigned(a, b) <= 0 ? a : b));
    ops.add(OpDef.core("mod").inputs(2).attr("fmod", Attribute.of(0L))
        .infer(c -> binaryType(c, NUMERIC, null)).kernel(ElementwiseOps::mod)
        .doc("Remainder; fmod=0 takes the divisor's sign (Python %), fmod=1 the dividend's (C fmod).").build());
    ops.add(OpDef.core("pow").inputs(2).infer(ElementwiseOps::powType).kernel(ElementwiseOps::pow)
        .doc("Base and exponent may differ in dtype; the result has the base's.").build());
    // Bitwise and logical.
    ops.add(binary("bitwise_and", INTEGER, null, (a, b) -> a & b, (a, b) -> a & b));
    ops.add(binary("bitwise_or", INTEGER, null, (a, b) -> a | b, (a, b) -> a | b));
    ops.add(binary("bitwise_xor", INTEGER, null, (a, b) -> a ^ b, (a, b) -> a ^ b));
    ops.add(binary("and", BOOL, null, (a, b) -> a & b, null));
    ops.add(binary("or", BOOL, null, (a, b) -> a | b, null));
    ops.add(binary("xor", BOOL, null, (a, b) -> a ^ b, null));
    ops.add(OpDef.core("bit_shift").inputs(2).attr("direction", Attribute.of("left"))
        .infer(c -> binaryType(c, INTEGER, null)).kernel(ElementwiseOps::bitShift)
        .doc("direction: left | right (logical). Shifting by the bit width or more gives 0.").build());
    // Comparisons (bool results); u64 compares unsigned, NaN compares false.
    ops.add(OpDef.core("equal").inputs(2).infer(c -> binaryType(c, ANY, DType.BOOL)).kernel(ElementwiseOps::equal).build());
    ops.add(compare("less", (a, b) -> a < b ? T : F, (a, b) -> a < b ? 1 : 0, (a, b) -> Long.compareUnsigned(a, b) < 0 ? 1 : 0));
    ops.add(compare("less_equal", (a, b) -> a <= b ? T : F, (a, b) -> a <= b ? 1 : 0, (a, b) -> Long.compareUnsigned(a, b) <= 0 ? 1 : 0));
    ops.add(compare("greater", (a, b) -> a > b ? T : F, (a, b) -> a > b ? 1 : 0, (a, b) -> Long.compareUnsigned(a, b) > 0 ? 1 : 0));
    ops.add(compare("greater_equal", (a, b) -> a >= b ? T : F, (a, b) -> a >= b ? 1 : 0, (a, b) -> Long.compareUnsigned(a, b) >= 0 ? 1 : 0));
    // Ternary.
    ops.add(OpDef.core("select").inputs(3).infer(ElementwiseOps::selectType).kernel(Elementwise.SELECT)
        .doc("select(cond, a, b): a where cond, else b; the three broadcast.").build());
    return ops;
  }

  static OpDef unary(String name, Domain d, DoubleUnaryOperator f, LongUnaryOperator s, LongUnaryOperator u) {
    return OpDef.core(name).inputs(1).infer(c -> unaryType(c, d, null))
        .kernel(Elementwise.unary(f, s, u == null ? s : u)).build();
  }

  static OpDef binary(String name, Domain d, DoubleBinaryOperator f, LongBinaryOperator s, LongBinaryOperator u) {
    return OpDef.core(name).inputs(2).infer(c -> binaryType(c, d, null)).kernel(Elementwise.binary(f, s, u)).build();
  }

  static OpDef compare(String name, DoubleBinaryOperator f, LongBinaryOperator s, LongBinaryOperator u) {
    return OpDef.core(name).inputs(2).infer(c -> binaryType(c, NUMERIC_OR_BOOL, DType.BOOL))
        .kernel(Elementwise.binary(f, s, u)).build();
  }

  static List<Type> unaryType(InferContext c, Domain d, DType result) {
    DType t = Elementwise.check(c, 0, d);
    return List.of(c.tensor(0).withDType(result == null ? t : result));
  }

  static List<Type> binaryType(InferContext c, Domain d, DType result) {
    Elementwise.check(c, 0, d);
    Elementwise.sameDType(c, 0, 1);
    return Elementwise.broadcast(c, result);
  }

  static List<Type> powType(InferContext c) {
    Elementwise.check(c, 0, NUMERIC);
    Elementwise.check(c, 1, NUMERIC);
    return Elementwise.broadcast(c, c.dtype(0));
  }

  static List<Type> selectType(InferContext c) {
    Elementwise.check(c, 0, BOOL);
    Elementwise.sameDType(c, 1, 2);
    return Elementwise.broadcast(c, c.dtype(1));
  }

  private static Object[] isInf(KernelContext c) {
    boolean pos = c.attrs().getBool("detect_positive");
    boolean neg = c.attrs().getBool("detect_negative");
    DoubleUnaryOperator f = x -> (pos && x == Double.POSITIVE_INFINITY) || (neg && x == Double.NEGATIVE_INFINITY) ? T : F;
    return Elementwise.unary(f, null, null).run(c);
  }

  private static Object[] mod(KernelContext c) {
    boolean fmod = c.attrs().getBool("fmod");
    Kernel k = fmod
        ? Elementwise.binary((a, b) -> a % b, ScalarMath::truncMod, ScalarMath::modUnsigned)
        : Elementwise.binary(ScalarMath::floorMod, ScalarMath::floorMod, ScalarMath::modUnsigned);
    return k.run(c);
  }

  private static Object[] bitShift(KernelContext c) {
    String dir = c.attrs().getString("direction");
    LongBinaryOperator op = switch (dir) {
      case "left" -> ScalarMath::shiftLeft;
      case "right" -> ScalarMath::shiftRight;
      default -> throw c.fail("direction must be left or right, got '" + dir + "'");
    };
    // Signed operands shift arithmetically right: sign-extended values, logical shift of the width.
    LongBinaryOperator signed = dir.equals("right") ? (a, b) -> Long.compareUnsigned(b, 64) >= 0 ? (a < 0 ? -1 : 0) : a >> b : op;
    return Elementwise.binary(null, signed, op).run(c);
  }

  private static Object[] equal(KernelContext c) {
    Tensor a = c.tensor(0);
    if (a.dtype() != DType.STRING) {
      return Elementwise.binary((x, y) -> x == y ? T : F, (x, y) -> x == y ? 1 : 0, (x, y) -> x == y ? 1 : 0).run(c);
    }
    Tensor b = c.tensor(1);
    long[] shape = Broadcast.sizes(a.shape(), b.shape());
    long[] ma = Elementwise.map(a.shape(), shape);
    long[] mb = Elementwise.map(b.shape(), shape);
    Tensor r = Tensor.zeros(DType.BOOL, shape);
    for (int i = 0; i < r.size(); i++) {
      r.setBool(i, a.getString(Elementwise.at(ma, i)).equals(b.getString(Elementwise.at(mb, i))));
    }
    return new Object[] {r};
  }

  /**
   * ONNX Pow: float bases use floating pow whatever the exponent's dtype; integer bases with
   * integer exponents multiply exactly (wrapping); integer bases with float exponents compute in
   * double and truncate, as numpy's {@code power(a, b).astype(a.dtype)} does.
   */
  private static Object[] pow(KernelContext c) {
    Tensor a = c.tensor(0);
    Tensor b = c.tensor(1);
    long[] shape = Broadcast.sizes(a.shape(), b.shape());
    long[] ma = Elementwise.map(a.shape(), shape);
    long[] mb = Elementwise.map(b.shape(), shape);
    if (a.dtype() == b.dtype() && a.dtype().isFloat()) return Elementwise.binary(Math::pow, null, null).run(c);
    Tensor r = Tensor.zeros(a.dtype(), shape);
    boolean intExp = !b.dtype().isFloat();
    for (int i = 0; i < r.size(); i++) {
      int ia = Elementwise.at(ma, i);
      int ib = Elementwise.at(mb, i);
      if (a.dtype().isFloat() || !intExp) r.setDouble(i, Math.pow(a.getDouble(ia), b.getDouble(ib)));
      else r.setLong(i, ScalarMath.ipow(a.getLong(ia), b.getLong(ib)));
    }
    return new Object[] {r};
  }
}
