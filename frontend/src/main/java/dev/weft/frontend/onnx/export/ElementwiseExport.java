package dev.weft.frontend.onnx.export;

import static dev.weft.frontend.onnx.export.ExportContext.stringAttr;

import java.util.List;
import java.util.Locale;

/** Elementwise, activation and reduction rows: mostly one ONNX op each, same operands. */
final class ElementwiseExport implements ExportFamily {
  @Override
  public void register(ExportTable t) {
    String[][] same = {
        {"abs", "Abs"}, {"neg", "Neg"}, {"relu", "Relu"}, {"exp", "Exp"}, {"log", "Log"}, {"sqrt", "Sqrt"},
        {"tanh", "Tanh"}, {"sigmoid", "Sigmoid"}, {"acos", "Acos"}, {"acosh", "Acosh"}, {"asin", "Asin"},
        {"asinh", "Asinh"}, {"atan", "Atan"}, {"atanh", "Atanh"}, {"ceil", "Ceil"}, {"cos", "Cos"}, {"cosh", "Cosh"},
        {"erf", "Erf"}, {"floor", "Floor"}, {"not", "Not"}, {"reciprocal", "Reciprocal"}, {"round", "Round"},
        {"sign", "Sign"}, {"sin", "Sin"}, {"sinh", "Sinh"}, {"tan", "Tan"}, {"bitwise_not", "BitwiseNot"},
        {"is_nan", "IsNaN"}, {"is_inf", "IsInf"},
        {"add", "Add"}, {"sub", "Sub"}, {"mul", "Mul"}, {"div", "Div"}, {"max", "Max"}, {"min", "Min"},
        {"pow", "Pow"}, {"and", "And"}, {"or", "Or"}, {"xor", "Xor"}, {"equal", "Equal"}, {"greater", "Greater"},
        {"greater_equal", "GreaterOrEqual"}, {"less", "Less"}, {"less_equal", "LessOrEqual"},
        {"bitwise_and", "BitwiseAnd"}, {"bitwise_or", "BitwiseOr"}, {"bitwise_xor", "BitwiseXor"}, {"mod", "Mod"},
        {"select", "Where"}, {"cast", "Cast"}, {"argmax", "ArgMax"}, {"argmin", "ArgMin"},
        // Composites with an ONNX op of their own (all at or below opset 21).
        {"celu", "Celu"}, {"elu", "Elu"}, {"gelu", "Gelu"}, {"hard_sigmoid", "HardSigmoid"}, {"hard_swish", "HardSwish"},
        {"leaky_relu", "LeakyRelu"}, {"mish", "Mish"}, {"prelu", "PRelu"}, {"selu", "Selu"}, {"shrink", "Shrink"},
        {"softplus", "Softplus"}, {"softsign", "Softsign"}, {"thresholded_relu", "ThresholdedRelu"}, {"clip", "Clip"},
    };
    for (String[] r : same) t.add(r[0], Rules.same(r[1]));
    // ONNX spells the direction in capitals.
    t.add("bit_shift", (n, cx) -> cx.node("BitShift", cx.ins(n), cx.outs(n),
        List.of(stringAttr("direction", n.attrs().getString("direction").toUpperCase(Locale.ROOT)))));
    t.add("rsqrt", (n, cx) -> cx.node("Reciprocal", List.of(cx.tmp("Sqrt", cx.out(n, 0) + "_sqrt", List.of(cx.in(n, 0)), List.of())),
        cx.outs(n), List.of()));
    t.add("bitcast", Rules.weft("ONNX BitCast needs opset 26"));
    // Reductions: axes as an attribute or operand 1 become the opset-18 axes input.
    String[][] reductions = {{"reduce_sum", "ReduceSum"}, {"reduce_max", "ReduceMax"}, {"reduce_min", "ReduceMin"},
        {"reduce_prod", "ReduceProd"}, {"reduce_mean", "ReduceMean"}, {"reduce_log_sum_exp", "ReduceLogSumExp"},
        {"reduce_l1", "ReduceL1"}, {"reduce_l2", "ReduceL2"}, {"reduce_log_sum", "ReduceLogSum"},
        {"reduce_sum_square", "ReduceSumSquare"}};
    for (String[] r : reductions) {
      t.add(r[0], (n, cx) -> cx.node(r[1], List.of(cx.in(n, 0), cx.intsOr(n, "axes", 1)), cx.outs(n),
          cx.attrs(n, "keepdims", "noop_with_empty_axes")));
    }
  }
}
