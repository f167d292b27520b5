package dev.weft.ir.ops;

import dev.weft.bundle.DType;
import dev.weft.bundle.Tensor;
import dev.weft.ir.Attribute;
import dev.weft.ir.Dim;
import dev.weft.ir.GraphBuilder;
import dev.weft.ir.InferContext;
import dev.weft.ir.Shape;
import dev.weft.ir.Value;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Shared helpers of the neural-network op family: primitive-array views of tensors (hot kernels
 * loop over float[]), axis and shape arithmetic, and the few core-op calls that decompositions
 * emit (kept in one place so a renamed core op is a one-line change).
 */
public final class NnSupport {
  private NnSupport() {}

  private static final ValueLayout.OfFloat FLOAT = ValueLayout.JAVA_FLOAT_UNALIGNED;

  // ---- data ----

  /** Elements as float[] (a bulk copy for f32). */
  public static float[] floats(Tensor t) { return t.toFloatArray(); }

  /** A tensor of {@code dtype} from float values (bulk copy for f32, rounding otherwise). */
  public static Tensor fromFloats(DType dtype, long[] shape, float[] v) {
    if (dtype == DType.F32) return Tensor.ofFloats(shape, v);
    Tensor t = Tensor.zeros(dtype, shape);
    for (int i = 0; i < v.length; i++) t.setDouble(i, v[i]);
    return t;
  }

  public static Tensor fromDoubles(DType dtype, long[] shape, double[] v) {
    if (dtype == DType.F64) return Tensor.ofDoubles(shape, v);
    if (dtype == DType.F32) {
      float[] f = new float[v.length];
      for (int i = 0; i < v.length; i++) f[i] = (float) v[i];
      return Tensor.ofFloats(shape, f);
    }
    Tensor t = Tensor.zeros(dtype, shape);
    for (int i = 0; i < v.length; i++) t.setDouble(i, v[i]);
    return t;
  }

  /** Copies float values into an f32 tensor's storage. */
  static void copyInto(Tensor t, float[] v) { MemorySegment.copy(v, 0, t.data(), FLOAT, 0, v.length); }

  /** Float math is carried in f64 only for f64 tensors; every other float type computes in f32. */
  public static boolean wide(DType t) { return t == DType.F64; }

  // ---- shapes ----

  public static int axis(long axis, int rank, InferContext c) {
    long a = axis < 0 ? axis + rank : axis;
    if (a < 0 || a >= rank) throw c.fail("axis " + axis + " is out of range for rank " + rank);
    return (int) a;
  }

  public static int axis(long axis, int rank) {
    long a = axis < 0 ? axis + rank : axis;
    if (a < 0 || a >= rank) throw new IllegalArgumentException("axis " + axis + " is out of range for rank " + rank);
    return (int) a;
  }

  public static long prod(long[] s, int from, int to) {
    long n = 1;
    for (int i = from; i < to; i++) n *= s[i];
    return n;
  }

  public static Shape shapeOf(long... sizes) { return Shape.of(sizes); }

  public static List<Dim> dims(Shape s) { return new ArrayList<>(s.dims()); }

  public static void requireFloat(InferContext c, int i, String what) {
    if (!c.dtype(i).isFloat()) throw c.fail(what + " must be a float tensor, got " + c.dtype(i));
  }

  public static void requireRanked(InferContext c, int i, String what) {
    if (!c.shape(i).isRanked()) throw c.fail(what + " must have a known rank");
  }

  // ---- core-op calls used by decompositions ----

  public static Value reduce(GraphBuilder b, String op, Value x, long[] axes, boolean keepdims) {
    return b.op1(op, Map.of("axes", Attribute.of(axes), "keepdims", Attribute.of(keepdims ? 1L : 0L)), x);
  }

  public static Value transpose(GraphBuilder b, Value x, long... perm) {
    return b.op1("transpose", Map.of("perm", Attribute.of(perm)), x);
  }

  /** Reshape to a constant shape (ONNX conventions: 0 copies the input dim, -1 is inferred). */
  public static Value reshape(GraphBuilder b, Value x, long... shape) {
    return b.op1("reshape", x, b.constant(Tensor.ofLongs(new long[] {shape.length}, shape)));
  }

  public static Value cast(GraphBuilder b, Value x, DType to) {
    return b.op1("cast", Map.of("to", Attribute.of(to)), x);
  }

  public static Value scalar(GraphBuilder b, DType t, double v) { return b.constant(Tensor.scalar(t, v)); }

  public static Value bin(GraphBuilder b, String op, Value x, Value y) { return b.op1(op, x, y); }
}
