package dev.weft.ir.ops;

import dev.weft.bundle.DType;
import dev.weft.ir.InferContext;
import dev.weft.ir.OpDef;
import dev.weft.ir.OpLibrary;
import dev.weft.ir.Type;
import java.util.ArrayList;
import java.util.List;

/**
 * Elementwise core ops, one row each. Float semantics follow IEEE (NaN propagates through
 * max/min/relu); integer arithmetic wraps to the element width.
 */
public final class ElementwiseOps implements OpLibrary {
  @Override
  public List<OpDef> ops() {
    List<OpDef> ops = new ArrayList<>();
    // Unary: name, float function, integer function (null: floats only).
    ops.add(unary("neg", x -> -x, x -> -x));
    ops.add(unary("abs", Math::abs, Math::abs));
    ops.add(unary("relu", x -> x > 0 || Double.isNaN(x) ? x : 0.0, x -> Math.max(x, 0)));
    ops.add(unary("exp", Math::exp, null));
    ops.add(unary("log", Math::log, null));
    ops.add(unary("sqrt", Math::sqrt, null));
    ops.add(unary("tanh", Math::tanh, null));
    ops.add(unary("sigmoid", x -> 1.0 / (1.0 + Math.exp(-x)), null));
    // Binary: name, float function, integer function.
    ops.add(binary("add", Double::sum, Long::sum));
    ops.add(binary("sub", (a, b) -> a - b, (a, b) -> a - b));
    ops.add(binary("mul", (a, b) -> a * b, (a, b) -> a * b));
    ops.add(binary("div", (a, b) -> a / b, ElementwiseOps::intDiv));
    ops.add(binary("max", ElementwiseOps::nanMax, Math::max));
    ops.add(binary("min", ElementwiseOps::nanMin, Math::min));
    return ops;
  }

  static OpDef unary(String name, java.util.function.DoubleUnaryOperator f, java.util.function.LongUnaryOperator g) {
    return OpDef.core(name).inputs(1).infer(Elementwise::sameAsFirst).kernel(Elementwise.unary(f, g)).build();
  }

  static OpDef binary(String name, java.util.function.DoubleBinaryOperator f, java.util.function.LongBinaryOperator g) {
    return OpDef.core(name).inputs(2).infer(ElementwiseOps::inferBinary).kernel(Elementwise.binary(f, g)).build();
  }

  static List<Type> inferBinary(InferContext c) {
    Elementwise.sameDType(c, 0, 1);
    return Elementwise.broadcast(c, (DType) null);
  }

  /** Integer division truncates toward zero (C semantics, as ONNX Div specifies); x/0 is 0 rather than a trap. */
  static long intDiv(long a, long b) { return b == 0 ? 0 : a / b; }

  static double nanMax(double a, double b) { return Double.isNaN(a) || Double.isNaN(b) ? Double.NaN : Math.max(a, b); }

  static double nanMin(double a, double b) { return Double.isNaN(a) || Double.isNaN(b) ? Double.NaN : Math.min(a, b); }
}
