package dev.weft.codegen.lower.ops;

import dev.weft.codegen.kir.Expr;
import dev.weft.codegen.kir.MathLib;
import dev.weft.codegen.lower.LoweringTable;
import java.util.function.BiFunction;

/** Elementwise circular and hyperbolic functions and softplus, through {@link MathLib}. */
final class TrigLowerings {
  private TrigLowerings() {}

  static void register(LoweringTable t) {
    unary(t, "sin", MathLib::sin);
    unary(t, "cos", MathLib::cos);
    unary(t, "tan", MathLib::tan);
    unary(t, "asin", MathLib::asin);
    unary(t, "acos", MathLib::acos);
    unary(t, "atan", MathLib::atan);
    unary(t, "sinh", MathLib::sinh);
    unary(t, "cosh", MathLib::cosh);
    unary(t, "asinh", MathLib::asinh);
    unary(t, "acosh", MathLib::acosh);
    unary(t, "atanh", MathLib::atanh);
    // A rule of its own: the decomposition's log(1 + exp(-|x|)) loses the tail below -17.
    unary(t, "softplus", MathLib::softplus);
  }

  private static void unary(LoweringTable t, String op, BiFunction<MathLib, Expr, Expr> fn) {
    t.add(op, (c, k, idx) -> fn.apply(c.math(), c.in(0, idx)));
  }
}
