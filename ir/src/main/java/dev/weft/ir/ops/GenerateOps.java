package dev.weft.ir.ops;

import static dev.weft.ir.InferContext.one;

import dev.weft.bundle.DType;
import dev.weft.bundle.Tensor;
import dev.weft.ir.Attribute;
import dev.weft.ir.Dim;
import dev.weft.ir.InferContext;
import dev.weft.ir.OpDef;
import dev.weft.ir.OpLibrary;
import dev.weft.ir.Shape;
import dev.weft.ir.TensorType;
import dev.weft.ir.Type;
import dev.weft.ir.interp.KernelContext;
import java.util.List;

/**
 * Ops that make tensors from shapes rather than moving data: shape_of, size, fill (ONNX
 * ConstantOfShape), iota (ONNX Range) and eye_like.
 */
public final class GenerateOps implements OpLibrary {
  @Override
  public List<OpDef> ops() {
    return List.of(
        OpDef.core("shape_of").inputs(1)
            .attr("start", Attribute.of(0L)).optional("end", Attribute.Kind.INT)
            .infer(GenerateOps::inferShapeOf).kernel(GenerateOps::shapeOf)
            .doc("ONNX Shape-15: dims [start, end) as i64; negative bounds count from the end, then clamp.")
            .build(),
        OpDef.core("size").inputs(1)
            .infer(c -> one(new TensorType(DType.I64, Shape.scalar())))
            .kernel(c -> new Object[] {Tensor.ofLongs(new long[0], c.tensor(0).size())})
            .build(),
        OpDef.core("fill").inputs(0, 1)
            .optional("shape", Attribute.Kind.INTS).optional("value", Attribute.Kind.TENSOR)
            .infer(GenerateOps::inferFill).kernel(GenerateOps::fill)
            .doc("ONNX ConstantOfShape: shape as attribute or i64 operand; value a one-element tensor "
                + "(default f32 0).").build(),
        OpDef.core("iota").inputs(3)
            .infer(GenerateOps::inferIota).kernel(GenerateOps::iota)
            .doc("ONNX Range: start, start+delta, ... below limit (above it when delta < 0); scalars.")
            .build(),
        OpDef.custom("eye_like").inputs(1)
            .attr("k", Attribute.of(0L)).optional("dtype", Attribute.Kind.DTYPE)
            .infer(c -> {
              TensorType x = c.tensor(0);
              if (x.shape().isRanked() && x.rank() != 2) throw c.fail("eye_like needs a 2-D operand, got " + x);
              DType dt = c.attrs().hasValue("dtype") ? c.attrs().getDType("dtype") : x.dtype();
              return one(new TensorType(dt, x.shape()));
            })
            .kernel(c -> {
              Tensor x = c.tensor(0);
              Tensor y = Tensor.zeros(c.outputType(0).dtype(), x.shape());
              long k = c.attrs().getInt("k");
              for (long i = 0; i < x.dim(0); i++) {
                long j = i + k;
                if (j >= 0 && j < x.dim(1)) y.setLong(i * x.dim(1) + j, 1);
              }
              return new Object[] {y};
            })
            .build());
  }

  /** ONNX Shape-15 bounds {start, end} on a rank: negative from the end, clamped, end >= start. */
  public static long[] shapeRange(long start, Long end, int rank) {
    long s = start < 0 ? start + rank : start;
    long e = end == null ? rank : end < 0 ? end + rank : end;
    s = ShapeMath.clamp(s, 0, rank);
    e = ShapeMath.clamp(e, 0, rank);
    return new long[] {s, Math.max(s, e)};
  }

  static Long end(dev.weft.ir.Attrs a) { return a.has("end") ? a.getInt("end") : null; }

  static List<Type> inferShapeOf(InferContext c) {
    Shape s = c.shape(0);
    if (!s.isRanked()) return one(new TensorType(DType.I64, new Shape(List.of(c.fresh()))));
    long[] r = shapeRange(c.attrs().getInt("start"), end(c.attrs()), s.rank());
    return one(TensorType.of(DType.I64, r[1] - r[0]));
  }

  static Object[] shapeOf(KernelContext c) {
    Tensor x = c.tensor(0);
    long[] r = shapeRange(c.attrs().getInt("start"), end(c.attrs()), x.rank());
    long[] dims = java.util.Arrays.copyOfRange(x.shape(), (int) r[0], (int) r[1]);
    return new Object[] {Tensor.ofLongs(new long[] {dims.length}, dims)};
  }

  static Tensor fillValue(dev.weft.ir.Attrs a) {
    return a.has("value") ? a.getTensor("value") : Tensor.scalar(DType.F32, 0);
  }

  static List<Type> inferFill(InferContext c) {
    Tensor v = fillValue(c.attrs());
    if (v.size() != 1) throw c.fail("value must hold one element, has " + v.size());
    if (!ShapeMath.given(c, "shape", 0)) throw c.fail("fill needs a shape");
    long[] shape = ShapeMath.staticInts(c, "shape", 0);
    if (shape != null) {
      for (long d : shape) if (d < 0) throw c.fail("negative dim in shape " + java.util.Arrays.toString(shape));
      return one(TensorType.of(v.dtype(), shape));
    }
    long n = ShapeMath.length(c, 0);
    return one(new TensorType(v.dtype(), n < 0 ? Shape.unranked() : new Shape(ShapeMath.freshDims(c, n))));
  }

  static Object[] fill(KernelContext c) {
    Tensor v = fillValue(c.attrs());
    long[] shape = ShapeMath.ints(c, "shape", 0);
    for (long d : shape) if (d < 0) throw c.fail("negative dim in shape " + java.util.Arrays.toString(shape));
    Tensor y = ShapeMath.alloc(c, v.dtype(), shape);
    for (long i = 0; i < y.size(); i++) ShapeMath.copy1(v, 0, y, i);
    return new Object[] {y};
  }

  /** Element count of a range; integers in exact arithmetic, floats as ceil in double. */
  static long rangeCount(Tensor start, Tensor limit, Tensor delta) {
    if (start.dtype().isFloat()) {
      double d = delta.getDouble(0);
      if (d == 0) throw new IllegalArgumentException("range delta is 0");
      double n = Math.ceil((limit.getDouble(0) - start.getDouble(0)) / d);
      if (!(n <= Integer.MAX_VALUE)) throw new IllegalArgumentException("range of " + n + " elements");
      return Math.max(0, (long) n);
    }
    long s = start.getLong(0);
    long l = limit.getLong(0);
    long d = delta.getLong(0);
    if (d == 0) throw new IllegalArgumentException("range delta is 0");
    long span = Math.subtractExact(l, s);
    long n = span / d + ((span % d != 0 && (span ^ d) >= 0) ? 1 : 0);
    return Math.max(0, n);
  }

  static List<Type> inferIota(InferContext c) {
    DType dt = c.dtype(0);
    Elementwise.sameDType(c, 0, 2);
    if (dt == DType.STRING || dt == DType.BOOL) throw c.fail("range is not defined for " + dt);
    for (int i = 0; i < 3; i++) {
      Shape s = c.shape(i);
      if (s.isRanked() && s.elementCount() != 1) throw c.fail("operand " + i + " must be a scalar, has shape " + s);
    }
    Tensor s = c.constant(0);
    Tensor l = c.constant(1);
    Tensor d = c.constant(2);
    Dim n;
    if (s != null && l != null && d != null) {
      try {
        n = Dim.of(rangeCount(s, l, d));
      } catch (RuntimeException e) {
        throw c.fail(e.getMessage());
      }
    } else {
      n = c.fresh();
    }
    return one(new TensorType(dt, new Shape(List.of(n))));
  }

  static Object[] iota(KernelContext c) {
    Tensor s = c.tensor(0);
    Tensor d = c.tensor(2);
    long n = rangeCount(s, c.tensor(1), d);
    Tensor y = ShapeMath.alloc(c, s.dtype(), new long[] {n});
    if (s.dtype().isFloat()) {
      double start = s.getDouble(0);
      double delta = d.getDouble(0);
      for (long i = 0; i < n; i++) y.setDouble(i, start + i * delta);
    } else {
      long start = s.getLong(0);
      long delta = d.getLong(0);
      for (long i = 0; i < n; i++) y.setLong(i, start + i * delta);
    }
    return new Object[] {y};
  }
}
