package dev.weft.passes.recurrent;

import dev.weft.bundle.DType;
import dev.weft.bundle.Tensor;
import dev.weft.ir.Attribute;
import dev.weft.ir.GraphBuilder;
import dev.weft.ir.Value;
import dev.weft.ir.ops.RnnOps;
import java.util.List;
import java.util.Map;

/** The few core-op shapes the unrolled cells are written in, over one builder and one float dtype. */
final class StepBuilder {
  private final GraphBuilder b;
  private final DType dtype;
  private final double clip;

  StepBuilder(GraphBuilder b, DType dtype, double clip) {
    this.b = b;
    this.dtype = dtype;
    this.clip = clip;
  }

  GraphBuilder builder() { return b; }

  Value scalar(double v) { return b.constant(Tensor.scalar(dtype, v)); }

  /** {@code v[start:end]} along {@code axis}. */
  Value slice(Value v, long axis, long start, long end) {
    return b.op1("slice", Map.of("starts", Attribute.of(new long[] {start}), "ends", Attribute.of(new long[] {end}),
        "axes", Attribute.of(new long[] {axis})), v);
  }

  /** {@code v[i]} along axis 0, that axis dropped. */
  Value index0(Value v, long i) { return squeeze(slice(v, 0, i, i + 1), 0); }

  Value squeeze(Value v, long axis) { return b.op1("squeeze", Map.of("axes", Attribute.of(new long[] {axis})), v); }

  Value unsqueeze(Value v, long... axes) { return b.op1("unsqueeze", Map.of("axes", Attribute.of(axes)), v); }

  Value concat(List<Value> parts, long axis) {
    return parts.size() == 1 ? parts.get(0) : b.op("concat", parts, Map.of("axis", Attribute.of(axis))).get(0);
  }

  Value transpose(Value v, long... perm) { return b.op1("transpose", Map.of("perm", Attribute.of(perm)), v); }

  /** {@code a @ w^T}: the ONNX weights are stored [gates * hidden, in], rows per output unit. */
  Value matmulT(Value a, Value w) { return b.op1("matmul", Map.of("transpose_b", Attribute.of(1L)), a, w); }

  Value add(Value a, Value c) { return c == null ? a : b.op1("add", a, c); }

  Value sub(Value a, Value c) { return b.op1("sub", a, c); }

  Value mul(Value a, Value c) { return b.op1("mul", a, c); }

  Value select(Value cond, Value a, Value c) { return b.op1("select", cond, a, c); }

  /** The activation's argument clipped to [-clip, clip] when the op has a clip attribute. */
  Value clipped(Value v) {
    if (Double.isInfinite(clip)) return v;
    return b.op1("min", b.op1("max", v, scalar(-clip)), scalar(clip));
  }

  /** {@code act(clip(v))}, as the interpreter applies f and g. */
  Value activate(RnnOps.Activation a, Value v) { return apply(a, clipped(v)); }

  Value apply(RnnOps.Activation a, Value v) {
    return switch (a.name()) {
      case "sigmoid", "tanh", "relu", "softsign", "softplus" -> b.op1(a.name(), v);
      case "affine" -> add(mul(v, scalar(a.alpha())), scalar(a.beta()));
      case "leakyrelu" -> b.op1("leaky_relu", Map.of("alpha", Attribute.of(a.alpha())), v);
      case "thresholdedrelu" -> b.op1("thresholded_relu", Map.of("alpha", Attribute.of(a.alpha())), v);
      case "scaledtanh" -> mul(b.op1("tanh", mul(v, scalar(a.beta()))), scalar(a.alpha()));
      case "hardsigmoid" -> b.op1("hard_sigmoid", Map.of("alpha", Attribute.of(a.alpha()), "beta", Attribute.of(a.beta())), v);
      case "elu" -> b.op1("elu", Map.of("alpha", Attribute.of(a.alpha())), v);
      default -> throw new IllegalArgumentException("unknown activation '" + a.name() + "'");
    };
  }
}
