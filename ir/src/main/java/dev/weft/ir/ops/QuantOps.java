package dev.weft.ir.ops;

import dev.weft.bundle.DType;
import dev.weft.bundle.MiniFloat;
import dev.weft.bundle.Tensor;
import dev.weft.ir.Attribute;
import dev.weft.ir.GraphBuilder;
import dev.weft.ir.InferContext;
import dev.weft.ir.Node;
import dev.weft.ir.OpDef;
import dev.weft.ir.OpLibrary;
import dev.weft.ir.Shape;
import dev.weft.ir.TensorType;
import dev.weft.ir.Type;
import dev.weft.ir.Value;
import dev.weft.ir.interp.KernelContext;
import java.util.List;
import java.util.Map;

/**
 * Linear (de)quantization: {@code quantize_linear} (y = saturate(round_half_even(x / scale) +
 * zero_point)), {@code dequantize_linear} (y = (x - zero_point) * scale), with per-tensor,
 * per-axis (1-D scale along {@code axis}) and blocked (scale of x's rank, {@code block_size}
 * elements per scale along {@code axis}) parameters; and the composite
 * {@code dynamic_quantize_linear} (u8, scale and zero point from the data range).
 */
public final class QuantOps implements OpLibrary {
  @Override
  public List<OpDef> ops() {
    return List.of(
        OpDef.core("quantize_linear").inputs(2, 3)
            .attr("axis", Attribute.of(1L)).attr("block_size", Attribute.of(0L)).attr("saturate", Attribute.of(1L))
            .optional("output_dtype", Attribute.Kind.DTYPE)
            .infer(QuantOps::inferQuantize).kernel(QuantOps::quantize).build(),
        OpDef.core("dequantize_linear").inputs(2, 3)
            .attr("axis", Attribute.of(1L)).attr("block_size", Attribute.of(0L))
            .optional("output_dtype", Attribute.Kind.DTYPE)
            .infer(QuantOps::inferDequantize).kernel(QuantOps::dequantize).build(),
        OpDef.composite("dynamic_quantize_linear").inputs(1).outputs(3)
            .infer(c -> {
              NnSupport.requireFloat(c, 0, "input");
              return List.of(c.tensor(0).withDType(DType.U8), new TensorType(DType.F32, Shape.scalar()), new TensorType(DType.U8, Shape.scalar()));
            })
            .kernel(QuantOps::dynamicQuantize).decompose(QuantOps::expandDynamic)
            .doc("u8 quantization over the range [min(0, min x), max(0, max x)]").build());
  }

  static List<Type> inferQuantize(InferContext c) {
    NnSupport.requireFloat(c, 0, "quantize_linear input");
    DType out = c.hasInput(2) ? c.dtype(2)
        : c.attrs().hasValue("output_dtype") ? c.attrs().getDType("output_dtype") : DType.U8;
    if (!(out.isInteger() || out.isNarrowFloat())) throw c.fail("cannot quantize to " + out);
    checkParams(c);
    return List.of(c.tensor(0).withDType(out));
  }

  static List<Type> inferDequantize(InferContext c) {
    DType out = c.attrs().hasValue("output_dtype") ? c.attrs().getDType("output_dtype") : c.dtype(1);
    if (!out.isFloat()) throw c.fail("dequantize_linear result must be float, got " + out);
    if (c.hasInput(2) && c.dtype(2) != c.dtype(0)) throw c.fail("zero point is " + c.dtype(2) + ", input is " + c.dtype(0));
    checkParams(c);
    return List.of(c.tensor(0).withDType(out));
  }

  private static void checkParams(InferContext c) {
    Shape x = c.shape(0);
    Shape s = c.shape(1);
    if (!x.isRanked() || !s.isRanked()) return;
    long block = c.attrs().getInt("block_size");
    if (block < 0) throw c.fail("block_size must be >= 0");
    if (s.rank() > 1 && block == 0 && s.rank() != x.rank()) throw c.fail("scale shape " + s + " does not fit input " + x);
    if (s.rank() >= 1 && x.rank() > 0) NnSupport.axis(c.attrs().getInt("axis"), x.rank(), c);
  }

  /** Maps each flat element of x to the flat index of its scale / zero point. */
  static int[] paramIndex(long[] xs, long[] ss, long axisAttr, long block) {
    int n = Math.toIntExact(Tensor.elementCount(xs));
    long sn = Tensor.elementCount(ss);
    int[] map = new int[n];
    if (sn == 1 && (block == 0 || ss.length <= 1)) return map;
    int axis = NnSupport.axis(axisAttr, xs.length);
    long inner = NnSupport.prod(xs, axis + 1, xs.length);
    long dim = xs[axis];
    if (block == 0) {
      if (ss.length > 1 || sn != dim) throw new IllegalArgumentException("per-axis scale has " + sn + " elements, axis " + axis + " has " + dim);
      for (int i = 0; i < n; i++) map[i] = (int) ((i / inner) % dim);
      return map;
    }
    long nb = (dim + block - 1) / block;
    if (ss.length != xs.length || ss[axis] != nb) {
      throw new IllegalArgumentException("blocked scale shape " + java.util.Arrays.toString(ss) + " does not fit " + java.util.Arrays.toString(xs) + " with block_size " + block);
    }
    for (int i = 0; i < n; i++) {
      long o = i / (inner * dim);
      long a = (i / inner) % dim;
      long in = i % inner;
      map[i] = (int) ((o * nb + a / block) * inner + in);
    }
    return map;
  }

  static Object[] quantize(KernelContext c) {
    Tensor x = c.tensor(0);
    Tensor scale = c.tensor(1);
    Tensor zp = c.has(2) ? c.tensor(2) : null;
    DType out = c.outputType(0).dtype();
    int[] map = paramIndex(x.shape(), scale.shape(), c.attrs().getInt("axis"), c.attrs().getInt("block_size"));
    boolean saturate = c.attrs().getBool("saturate");
    Tensor y = Tensor.zeros(out, x.shape());
    long lo = min(out), hi = max(out);
    boolean f32 = x.dtype() == DType.F32 || x.dtype().isNarrowFloat();
    for (int i = 0; i < map.length; i++) {
      int p = map[i];
      double s = scale.getDouble(p);
      double v = f32 ? (double) ((float) x.getDouble(i) / (float) s) : x.getDouble(i) / s;
      if (out.isInteger()) {
        double q = Math.rint(v) + (zp == null ? 0 : zp.getLong(p));
        long r = Double.isNaN(q) ? 0 : (long) Math.max(lo, Math.min(hi, q));
        y.setLong(i, r);
      } else {
        double z = zp == null ? 0 : zp.getDouble(p);
        writeFloat(y, i, v + z, saturate);
      }
    }
    return KernelContext.one(y);
  }

  private static void writeFloat(Tensor y, int i, double v, boolean saturate) {
    int bits = MiniFloat.encode(y.dtype(), v, saturate);
    y.data().set(java.lang.foreign.ValueLayout.JAVA_BYTE, i, (byte) bits);
  }

  static Object[] dequantize(KernelContext c) {
    Tensor x = c.tensor(0);
    Tensor scale = c.tensor(1);
    Tensor zp = c.has(2) ? c.tensor(2) : null;
    int[] map = paramIndex(x.shape(), scale.shape(), c.attrs().getInt("axis"), c.attrs().getInt("block_size"));
    DType out = c.outputType(0).dtype();
    float[] y = new float[map.length];
    double[] yd = out == DType.F64 ? new double[map.length] : null;
    boolean ints = x.dtype().isInteger();
    for (int i = 0; i < map.length; i++) {
      int p = map[i];
      double v = ints ? (double) (x.getLong(i) - (zp == null ? 0 : zp.getLong(p))) : x.getDouble(i) - (zp == null ? 0 : zp.getDouble(p));
      if (yd != null) yd[i] = v * scale.getDouble(p);
      else y[i] = (float) v * (float) scale.getDouble(p);
    }
    return KernelContext.one(yd != null ? Tensor.ofDoubles(x.shape(), yd) : NnSupport.fromFloats(out, x.shape(), y));
  }

  static long min(DType t) {
    return switch (t) {
      case U8, U16, U32, U64, U4, U2 -> 0;
      case I8 -> Byte.MIN_VALUE;
      case I16 -> Short.MIN_VALUE;
      case I32 -> Integer.MIN_VALUE;
      case I4 -> -8;
      case I2 -> -2;
      default -> Long.MIN_VALUE;
    };
  }

  static long max(DType t) {
    return switch (t) {
      case U8 -> 255;
      case U16 -> 65535;
      case U32 -> 0xFFFFFFFFL;
      case U4 -> 15;
      case U2 -> 3;
      case I8 -> Byte.MAX_VALUE;
      case I16 -> Short.MAX_VALUE;
      case I32 -> Integer.MAX_VALUE;
      case I4 -> 7;
      case I2 -> 1;
      default -> Long.MAX_VALUE;
    };
  }

  static Object[] dynamicQuantize(KernelContext c) {
    Tensor x = c.tensor(0);
    float[] v = x.toFloatArray();
    float lo = 0, hi = 0;
    for (float f : v) {
      lo = Math.min(lo, f);
      hi = Math.max(hi, f);
    }
    float scale = (hi - lo) / 255f;
    float zpf = scale == 0 ? 0 : (float) Math.rint(Math.max(0, Math.min(255, 0 - lo / scale)));
    Tensor y = Tensor.zeros(DType.U8, x.shape());
    for (int i = 0; i < v.length; i++) {
      double q = scale == 0 ? zpf : Math.rint(v[i] / scale) + zpf;
      y.setLong(i, (long) Math.max(0, Math.min(255, q)));
    }
    return new Object[] {y, Tensor.ofFloats(new long[0], scale), Tensor.of(DType.U8, new long[0], zpf)};
  }

  static List<Value> expandDynamic(Node n, GraphBuilder b) {
    Value x = n.input(0);
    DType t = x.tensorType().dtype();
    int r = x.tensorType().rank();
    long[] all = new long[r];
    for (int i = 0; i < r; i++) all[i] = i;
    Value zero = NnSupport.scalar(b, t, 0);
    Value lo = b.op1("min", NnSupport.reduce(b, "reduce_min", x, all, false), zero);
    Value hi = b.op1("max", NnSupport.reduce(b, "reduce_max", x, all, false), zero);
    Value scale = b.op1("div", b.op1("sub", hi, lo), NnSupport.scalar(b, t, 255));
    Value zpf = b.op1("round", b.op1("sub", zero, b.op1("div", lo, scale)));
    zpf = b.op1("min", b.op1("max", zpf, zero), NnSupport.scalar(b, t, 255));
    Value zp = NnSupport.cast(b, zpf, DType.U8);
    Value scale32 = t == DType.F32 ? scale : NnSupport.cast(b, scale, DType.F32);
    Value y = b.op1("quantize_linear", Map.of(), x, scale32, zp);
    return List.of(y, scale32, zp);
  }
}
