package dev.weft.frontend.onnx.ops;

import static dev.weft.frontend.onnx.ops.ElementwiseOnnxOps.dtype;
import static dev.weft.frontend.onnx.ops.ElementwiseOnnxOps.one;

import dev.weft.bundle.DType;
import dev.weft.bundle.Tensor;
import dev.weft.frontend.onnx.ImportContext;
import dev.weft.frontend.onnx.OnnxNode;
import dev.weft.frontend.onnx.OnnxOpHandler;
import dev.weft.frontend.onnx.OnnxOpLibrary;
import dev.weft.frontend.onnx.OnnxOpTable;
import dev.weft.ir.Attribute;
import dev.weft.ir.GraphBuilder;
import dev.weft.ir.Value;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * ONNX Reduce* and ArgMax/ArgMin. Axes come from the {@code axes} attribute up to opset 12
 * (ReduceSum) or 17 (the others) and from the second input after, where an empty or absent
 * list means every axis unless {@code noop_with_empty_axes=1} (then the input passes through).
 * Constant axes become the core op's attribute; others stay an operand. L1, L2, LogSum and SumSquare lower onto
 * reduce_sum; integer inputs to L2, LogSum and LogSumExp compute in f64 and cast back.
 */
public final class ReductionOnnxOps implements OnnxOpLibrary {
  /** Builds a core reduction over the node's axes (attribute or operand) and keepdims. */
  @FunctionalInterface
  private interface Reduce {
    Value apply(String op, Value x);
  }

  /** What an ONNX reduction lowers to, given its operand and a way to reduce over its axes. */
  @FunctionalInterface
  private interface Lowering {
    Value apply(GraphBuilder b, Value x, Reduce r);
  }

  @Override
  public void register(OnnxOpTable t) {
    add(t, "ReduceSum", 13, (b, x, a) -> a.apply("reduce_sum", x));
    add(t, "ReduceMax", 18, (b, x, a) -> a.apply("reduce_max", x));
    add(t, "ReduceMin", 18, (b, x, a) -> a.apply("reduce_min", x));
    add(t, "ReduceProd", 18, (b, x, a) -> a.apply("reduce_prod", x));
    add(t, "ReduceMean", 18, (b, x, a) -> a.apply("reduce_mean", x));
    add(t, "ReduceL1", 18, (b, x, a) -> a.apply("reduce_sum", b.op1("abs", x)));
    add(t, "ReduceSumSquare", 18, (b, x, a) -> a.apply("reduce_sum", b.op1("mul", x, x)));
    add(t, "ReduceL2", 18, inFloat((b, x, a) -> b.op1("sqrt", a.apply("reduce_sum", b.op1("mul", x, x)))));
    add(t, "ReduceLogSum", 18, inFloat((b, x, a) -> b.op1("log", a.apply("reduce_sum", x))));
    add(t, "ReduceLogSumExp", 18, inFloat((b, x, a) -> a.apply("reduce_log_sum_exp", x)));
    for (String op : List.of("ArgMax", "ArgMin")) {
      String ir = op.equals("ArgMax") ? "argmax" : "argmin";
      t.add(op, 1, (n, ctx) -> one(ctx.builder().op1(ir, Map.of(
          "axis", Attribute.of(n.attrInt("axis", 0)),
          "keepdims", Attribute.of(n.attrInt("keepdims", 1)),
          "select_last_index", Attribute.of(n.attrInt("select_last_index", 0))), n.required(0))));
    }
  }

  private static void add(OnnxOpTable t, String name, int axesInputSince, Lowering f) {
    t.add(name, 1, handler(f, false));
    t.add(name, axesInputSince, handler(f, true));
  }

  private static OnnxOpHandler handler(Lowering f, boolean axesInput) {
    return (n, ctx) -> {
      Value x = n.required(0);
      Value axesOperand = null;
      long[] axes;
      if (axesInput) {
        axes = axesFromInput(n, ctx);
        if (axes == null && n.hasInput(1)) axesOperand = n.input(1);   // known only at run time
        else if (axes == null || axes.length == 0) {
          if (n.attrInt("noop_with_empty_axes", 0) != 0) return one(ctx.builder().op1("identity", x));
          axes = null;
        }
      } else {
        axes = n.attrInts("axes", null);
        if (axes != null && axes.length == 0) axes = null;
      }
      Map<String, Attribute> a = new HashMap<>();
      if (axes != null) a.put("axes", Attribute.of(axes));
      a.put("keepdims", Attribute.of(n.attrInt("keepdims", 1)));
      a.put("noop_with_empty_axes", Attribute.of(n.attrInt("noop_with_empty_axes", 0)));
      Value dyn = axesOperand;
      GraphBuilder b = ctx.builder();
      Reduce r = (op, v) -> b.op(op, dyn == null ? List.of(v) : List.of(v, dyn), a).get(0);
      return one(f.apply(b, x, r));
    };
  }

  /** Constant axes from input 1; null when absent or only known at run time. */
  private static long[] axesFromInput(OnnxNode n, ImportContext ctx) {
    Value v = n.input(1);
    if (v == null) return null;
    Tensor t = ctx.constantValue(v);
    if (t == null) return null;
    if (t.dtype() != DType.I64 || t.rank() > 1) throw ctx.fail(n, "input 'axes' must be a 1-D i64 tensor, got " + t.dtype() + " of rank " + t.rank());
    return t.toLongArray();
  }

  /** Integer operands compute in f64 and cast back (truncating), as the ONNX reference does. */
  private static Lowering inFloat(Lowering f) {
    return (b, x, a) -> {
      DType t = dtype(x);
      if (t.isFloat()) return f.apply(b, x, a);
      Value y = f.apply(b, b.op1("cast", Map.of("to", Attribute.of(DType.F64)), x), a);
      return b.op1("cast", Map.of("to", Attribute.of(t)), y);
    };
  }
}
