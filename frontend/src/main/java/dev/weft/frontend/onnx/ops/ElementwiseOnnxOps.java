package dev.weft.frontend.onnx.ops;

import dev.weft.bundle.DType;
import dev.weft.bundle.Tensor;
import dev.weft.frontend.onnx.ImportContext;
import dev.weft.frontend.onnx.OnnxNode;
import dev.weft.frontend.onnx.OnnxOpHandler;
import dev.weft.frontend.onnx.OnnxOpLibrary;
import dev.weft.frontend.onnx.OnnxOpTable;
import dev.weft.frontend.onnx.proto.OnnxProto.AttributeProto;
import dev.weft.frontend.onnx.proto.OnnxProto.TensorProto;
import dev.weft.ir.Attribute;
import dev.weft.ir.GraphBuilder;
import dev.weft.ir.TensorType;
import dev.weft.ir.Value;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * ONNX elementwise ops: unary math, binary arithmetic (with the opset 1-6 {@code broadcast}/
 * {@code axis} form), variadic Sum/Mean/Max/Min, logic, bitwise, comparisons, Where, Cast,
 * CastLike and Clip. Versions that only widened the dtype list share one handler.
 */
public final class ElementwiseOnnxOps implements OnnxOpLibrary {
  @Override
  public void register(OnnxOpTable t) {
    unary(t, 1, "Neg", "Abs", "Reciprocal", "Floor", "Ceil", "Sqrt", "Exp", "Log", "Relu", "Sigmoid", "Tanh", "Not");
    unary(t, 7, "Sin", "Cos", "Tan", "Asin", "Acos", "Atan");
    unary(t, 9, "Sinh", "Cosh", "Asinh", "Acosh", "Atanh", "Erf", "Sign", "IsNaN");
    t.add("Round", 11, unaryHandler("round"));
    t.add("BitwiseNot", 18, unaryHandler("bitwise_not"));
    t.add("IsInf", 10, (n, ctx) -> one(ctx.builder().op1("is_inf", Map.of(
        "detect_positive", Attribute.of(n.attrInt("detect_positive", 1)),
        "detect_negative", Attribute.of(n.attrInt("detect_negative", 1))), n.required(0))));

    for (String[] p : new String[][] {{"Add", "add"}, {"Sub", "sub"}, {"Mul", "mul"}, {"Div", "div"}}) {
      t.add(p[0], 1, binaryHandler(p[1]));
      t.add(p[0], 7, binaryHandler(p[1]));
    }
    t.add("Pow", 1, binaryHandler("pow"));
    t.add("Pow", 7, binaryHandler("pow"));
    for (String[] p : new String[][] {{"And", "and"}, {"Or", "or"}, {"Xor", "xor"}, {"Equal", "equal"},
        {"Less", "less"}, {"Greater", "greater"}}) {
      t.add(p[0], 1, binaryHandler(p[1]));
      t.add(p[0], 7, binaryHandler(p[1]));
    }
    t.add("LessOrEqual", 12, binaryHandler("less_equal"));
    t.add("GreaterOrEqual", 12, binaryHandler("greater_equal"));
    t.add("BitwiseAnd", 18, binaryHandler("bitwise_and"));
    t.add("BitwiseOr", 18, binaryHandler("bitwise_or"));
    t.add("BitwiseXor", 18, binaryHandler("bitwise_xor"));
    t.add("Mod", 10, (n, ctx) -> one(ctx.builder().op1("mod", Map.of("fmod", Attribute.of(n.attrInt("fmod", 0))),
        n.required(0), n.required(1))));
    t.add("BitShift", 11, (n, ctx) -> {
      String dir = n.attrString("direction", "");
      if (!dir.equals("LEFT") && !dir.equals("RIGHT")) throw ctx.fail(n, "direction must be LEFT or RIGHT, got '" + dir + "'");
      return one(ctx.builder().op1("bit_shift", Map.of("direction", Attribute.of(dir.toLowerCase(Locale.ROOT))),
          n.required(0), n.required(1)));
    });
    t.add("Where", 9, (n, ctx) -> one(ctx.builder().op1("select", n.required(0), n.required(1), n.required(2))));

    for (String[] p : new String[][] {{"Sum", "add"}, {"Max", "max"}, {"Min", "min"}, {"Mean", "add"}}) {
      boolean mean = p[0].equals("Mean");
      t.add(p[0], 1, (n, ctx) -> one(variadic(n, ctx, p[1], mean)));
    }

    t.add("Cast", 1, ElementwiseOnnxOps::cast);
    t.add("BitCast", 26, (n, ctx) -> {
      DType to = DType.fromOnnx((int) n.attrInt("to", 0));
      if (to == null) throw ctx.fail(n, "attribute 'to' is not a known data type");
      return one(ctx.builder().op1("bitcast", Map.of("to", Attribute.of(to)), n.required(0)));
    });
    t.add("CastLike", 15, (n, ctx) -> one(castTo(n, ctx, n.required(0), dtype(n.required(1)))));
    t.add("Clip", 1, ElementwiseOnnxOps::clipAttrs);
    t.add("Clip", 11, (n, ctx) -> one(clip(ctx, n.required(0), n.input(1), n.input(2))));
  }

  static List<Value> one(Value v) { return List.of(v); }

  static DType dtype(Value v) { return v.tensorType().dtype(); }

  private static void unary(OnnxOpTable t, int since, String... names) {
    for (String name : names) t.add(name, since, unaryHandler(irName(name)));
  }

  /** ONNX op name to core op name, for the unary table (IsNaN -> is_nan, Neg -> neg, ...). */
  private static String irName(String onnx) {
    if (onnx.equals("IsNaN")) return "is_nan";
    return onnx.toLowerCase(Locale.ROOT);
  }

  static OnnxOpHandler unaryHandler(String op) {
    return (n, ctx) -> one(ctx.builder().op1(op, n.required(0)));
  }

  static OnnxOpHandler binaryHandler(String op) {
    return (n, ctx) -> {
      Value a = n.required(0);
      Value b = legacyBroadcast(n, ctx, a, n.required(1));
      return one(ctx.builder().op1(op, a, b));
    };
  }

  /**
   * Opsets 1-6 broadcast B onto A only with {@code broadcast=1}, aligning B's dims with A's from
   * {@code axis} (default: trailing, which is numpy's rule). Other axes become numpy broadcasting
   * by appending size-1 dims to B; that is done on constants (the form exporters emitted).
   */
  static Value legacyBroadcast(OnnxNode n, ImportContext ctx, Value a, Value b) {
    if (n.version() >= 7 || n.attrInt("broadcast", 0) == 0 || !n.hasAttr("axis")) return b;
    TensorType ta = a.tensorType();
    TensorType tb = b.tensorType();
    if (!ta.shape().isRanked() || !tb.shape().isRanked()) throw ctx.fail(n, "legacy broadcast needs ranked operands");
    int ra = ta.rank();
    int rb = tb.rank();
    long axis = n.attrInt("axis", 0);
    if (axis < 0) axis += ra;
    if (axis < 0 || axis + rb > ra) throw ctx.fail(n, "axis " + n.attrInt("axis", 0) + " does not fit B of rank " + rb + " in A of rank " + ra);
    int trailing = (int) (ra - axis - rb);
    if (trailing == 0) return b;
    Tensor c = ctx.constantValue(b);
    if (c == null) throw ctx.fail(n, "legacy broadcast with axis=" + axis + " on a non-constant operand is not supported");
    long[] s = Arrays.copyOf(c.shape(), rb + trailing);
    Arrays.fill(s, rb, s.length, 1);
    return ctx.constant(c.reshape(s));
  }

  /** Folds Sum/Max/Min/Mean over their operands left to right; Mean divides by the count. */
  private static Value variadic(OnnxNode n, ImportContext ctx, String op, boolean mean) {
    if (n.inputCount() == 0) throw ctx.fail(n, "needs at least one input");
    GraphBuilder b = ctx.builder();
    Value acc = n.required(0);
    for (int i = 1; i < n.inputCount(); i++) acc = b.op1(op, acc, n.required(i));
    if (n.inputCount() == 1) acc = b.op1("identity", acc);
    if (mean && n.inputCount() > 1) acc = b.op1("div", acc, ctx.scalar(dtype(acc), n.inputCount()));
    return acc;
  }

  private static List<Value> cast(OnnxNode n, ImportContext ctx) {
    AttributeProto to = n.requireAttr("to");
    DType target;
    if (to.hasS() || to.getType() == AttributeProto.AttributeType.STRING) {
      // Cast-1 names the type ("FLOAT", "INT64"); later versions give the enum value.
      String name = to.getS().toStringUtf8().toUpperCase(Locale.ROOT);
      TensorProto.DataType dt;
      try {
        dt = TensorProto.DataType.valueOf(name);
      } catch (IllegalArgumentException e) {
        throw ctx.fail(n, "unknown type name '" + name + "' in attribute 'to'");
      }
      target = DType.fromOnnx(dt.getNumber());
    } else {
      target = DType.fromOnnx((int) to.getI());
    }
    if (target == null) throw ctx.fail(n, "attribute 'to' is not a known data type: " + to);
    return one(castTo(n, ctx, n.required(0), target));
  }

  private static Value castTo(OnnxNode n, ImportContext ctx, Value x, DType target) {
    String mode = n.attrString("round_mode", "up");
    if (!mode.equals("up") && target == DType.F8E8M0) {
      throw ctx.fail(n, "round_mode '" + mode + "' for float8e8m0 is not supported (only 'up')");
    }
    return ctx.builder().op1("cast", Map.of("to", Attribute.of(target),
        "saturate", Attribute.of(n.attrInt("saturate", 1))), x);
  }

  /** Clip-1/6: bounds are float attributes; absent means unbounded. */
  private static List<Value> clipAttrs(OnnxNode n, ImportContext ctx) {
    Value x = n.required(0);
    DType t = dtype(x);
    Value lo = n.hasAttr("min") ? ctx.scalar(t, n.attrFloat("min", 0)) : null;
    Value hi = n.hasAttr("max") ? ctx.scalar(t, n.attrFloat("max", 0)) : null;
    return one(clip(ctx, x, lo, hi));
  }

  static Value clip(ImportContext ctx, Value x, Value lo, Value hi) {
    List<Value> in = hi != null ? Arrays.asList(x, lo, hi) : lo != null ? List.of(x, lo) : List.of(x);
    return ctx.builder().op("clip", in, Map.of()).get(0);
  }
}
