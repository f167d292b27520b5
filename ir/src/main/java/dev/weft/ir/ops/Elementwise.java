package dev.weft.ir.ops;

import dev.weft.bundle.DType;
import dev.weft.bundle.Tensor;
import dev.weft.ir.InferContext;
import dev.weft.ir.Shape;
import dev.weft.ir.TensorType;
import dev.weft.ir.Type;
import dev.weft.ir.interp.Kernel;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.function.DoubleBinaryOperator;
import java.util.function.DoubleUnaryOperator;
import java.util.function.LongBinaryOperator;
import java.util.function.LongUnaryOperator;

/**
 * Shared machinery for elementwise ops: operand dtype checks, broadcasting shape functions and
 * kernels built from a scalar function per numeric class. Floats are computed in double then
 * rounded to the element type; integers in long, wrapped to the element width; unsigned
 * operands may use a separate function (u64 order, division and shifts differ from signed).
 * f32, f64 and i64 run over primitive arrays; other dtypes go through the tensor accessors.
 */
public final class Elementwise {
  private Elementwise() {}

  /** Which element types an operand accepts. */
  public enum Domain {
    FLOAT("a float type"),
    SIGNED_OR_FLOAT("a signed integer or float type"),
    NUMERIC("a numeric type"),
    INTEGER("an integer type"),
    BOOL("bool"),
    INTEGER_OR_BOOL("an integer type or bool"),
    NUMERIC_OR_BOOL("a numeric type or bool"),
    ANY("any type");

    final String what;

    Domain(String what) { this.what = what; }

    public boolean accepts(DType t) {
      boolean numeric = t.isFloat() || t.isInteger();
      return switch (this) {
        case FLOAT -> t.isFloat();
        case SIGNED_OR_FLOAT -> t.isFloat() || t.isSigned();
        case NUMERIC -> numeric;
        case INTEGER -> t.isInteger();
        case BOOL -> t == DType.BOOL;
        case INTEGER_OR_BOOL -> t.isInteger() || t == DType.BOOL;
        case NUMERIC_OR_BOOL -> numeric || t == DType.BOOL;
        case ANY -> true;
      };
    }
  }

  /** Fails unless operand i (when present) has a dtype in {@code d}. */
  public static DType check(InferContext c, int i, Domain d) {
    DType t = c.dtype(i);
    if (!d.accepts(t)) throw c.fail("operand " + i + " is " + t + ", expected " + d.what);
    return t;
  }

  /** Result has operand 0's type. */
  public static List<Type> sameAsFirst(InferContext c) { return List.of(c.tensor(0)); }

  /** Operands share a dtype; result is their broadcast with that dtype (or {@code resultType}). */
  public static List<Type> broadcast(InferContext c, DType resultType) {
    List<Shape> shapes = new ArrayList<>();
    DType dt = c.dtype(0);
    for (int i = 0; i < c.inputCount(); i++) {
      if (c.hasInput(i)) shapes.add(c.tensor(i).shape());
    }
    try {
      return List.of(new TensorType(resultType == null ? dt : resultType, Broadcast.shapes(shapes)));
    } catch (RuntimeException e) {
      throw c.fail(e.getMessage());
    }
  }

  /** Checks operands {@code from..to} share operand {@code from}'s dtype. */
  public static void sameDType(InferContext c, int from, int to) {
    DType d = c.dtype(from);
    for (int i = from + 1; i <= to && i < c.inputCount(); i++) {
      if (c.hasInput(i) && c.dtype(i) != d) {
        throw c.fail("operand " + i + " is " + c.dtype(i) + ", operand " + from + " is " + d);
      }
    }
  }

  private static final long[] SCALAR = new long[0];

  /** Operand index table: null = same shape, empty = one element, else per-output indices. */
  static long[] map(long[] in, long[] out) {
    if (java.util.Arrays.equals(in, out)) return null;
    if (Tensor.elementCount(in) == 1) return SCALAR;
    return Broadcast.indexMap(in, out);
  }

  static int at(long[] m, int i) { return m == null ? i : m.length == 0 ? 0 : (int) m[i]; }

  public static Kernel unary(DoubleUnaryOperator f, LongUnaryOperator g) { return unary(f, g, g); }

  /**
   * A unary kernel: {@code f} for floats (null: floats unsupported), {@code s} for signed
   * integers and bool, {@code u} for unsigned integers. When the integer function is null,
   * integers are computed through {@code f} and converted back.
   */
  public static Kernel unary(DoubleUnaryOperator f, LongUnaryOperator s, LongUnaryOperator u) {
    return c -> {
      Tensor x = c.tensor(0);
      DType in = x.dtype();
      DType out = c.outputType(0).dtype();
      int n = Math.toIntExact(x.size());
      LongUnaryOperator g = in.kind() == DType.Kind.UNSIGNED ? u : s;
      if (in.isFloat() || g == null) {
        if (f == null) throw c.fail("not defined for " + in);
        if (in == DType.F32 && out == DType.F32) {
          float[] a = x.toFloatArray();
          for (int i = 0; i < n; i++) a[i] = (float) f.applyAsDouble(a[i]);
          return new Object[] {Tensor.ofFloats(x.shape(), a)};
        }
        if (in == DType.F64 && out == DType.F64) {
          double[] a = x.toDoubleArray();
          for (int i = 0; i < n; i++) a[i] = f.applyAsDouble(a[i]);
          return new Object[] {Tensor.ofDoubles(x.shape(), a)};
        }
        Tensor y = Tensor.zeros(out, x.shape());
        for (int i = 0; i < n; i++) y.setDouble(i, f.applyAsDouble(x.getDouble(i)));
        return new Object[] {y};
      }
      if (in == DType.I64 && out == DType.I64) {
        long[] a = x.toLongArray();
        for (int i = 0; i < n; i++) a[i] = g.applyAsLong(a[i]);
        return new Object[] {Tensor.ofLongs(x.shape(), a)};
      }
      Tensor y = Tensor.zeros(out, x.shape());
      for (int i = 0; i < n; i++) y.setLong(i, g.applyAsLong(x.getLong(i)));
      return new Object[] {y};
    };
  }

  public static Kernel binary(DoubleBinaryOperator f, LongBinaryOperator g) { return binary(f, g, g); }

  /**
   * A broadcasting binary kernel; {@code f} for floats, {@code s} for signed integers and bool,
   * {@code u} for unsigned integers (null: unsupported). The operands' dtype picks the function;
   * the result dtype (e.g. bool for comparisons) is the node's declared one.
   */
  public static Kernel binary(DoubleBinaryOperator f, LongBinaryOperator s, LongBinaryOperator u) {
    return c -> {
      Tensor a = c.tensor(0);
      Tensor b = c.tensor(1);
      DType in = a.dtype();
      DType out = c.outputType(0).dtype();
      long[] shape = Broadcast.sizes(a.shape(), b.shape());
      long[] ma = map(a.shape(), shape);
      long[] mb = map(b.shape(), shape);
      int n = Math.toIntExact(Tensor.elementCount(shape));
      if (in.isFloat()) {
        if (f == null) throw c.fail("not defined for " + in);
        if (in == DType.F32 && b.dtype() == DType.F32 && out == DType.F32) {
          float[] x = a.toFloatArray();
          float[] y = b.toFloatArray();
          float[] r = new float[n];
          for (int i = 0; i < n; i++) r[i] = (float) f.applyAsDouble(x[at(ma, i)], y[at(mb, i)]);
          return new Object[] {Tensor.ofFloats(shape, r)};
        }
        if (in == DType.F64 && b.dtype() == DType.F64 && out == DType.F64) {
          double[] x = a.toDoubleArray();
          double[] y = b.toDoubleArray();
          double[] r = new double[n];
          for (int i = 0; i < n; i++) r[i] = f.applyAsDouble(x[at(ma, i)], y[at(mb, i)]);
          return new Object[] {Tensor.ofDoubles(shape, r)};
        }
        Tensor r = Tensor.zeros(out, shape);
        for (int i = 0; i < n; i++) r.setDouble(i, f.applyAsDouble(a.getDouble(at(ma, i)), b.getDouble(at(mb, i))));
        return new Object[] {r};
      }
      LongBinaryOperator g = in.kind() == DType.Kind.UNSIGNED ? u : s;
      if (g == null) throw c.fail("not defined for " + in);
      if (in == DType.I64 && b.dtype() == DType.I64 && out == DType.I64) {
        long[] x = a.toLongArray();
        long[] y = b.toLongArray();
        long[] r = new long[n];
        for (int i = 0; i < n; i++) r[i] = g.applyAsLong(x[at(ma, i)], y[at(mb, i)]);
        return new Object[] {Tensor.ofLongs(shape, r)};
      }
      Tensor r = Tensor.zeros(out, shape);
      for (int i = 0; i < n; i++) r.setLong(i, g.applyAsLong(a.getLong(at(ma, i)), b.getLong(at(mb, i))));
      return new Object[] {r};
    };
  }

  /** {@code select(cond, a, b)}: a where cond else b, all three broadcast; any element type. */
  public static final Kernel SELECT = c -> {
    Tensor cond = c.tensor(0);
    Tensor a = c.tensor(1);
    Tensor b = c.tensor(2);
    long[] shape = Broadcast.sizes(cond.shape(), a.shape(), b.shape());
    long[] mc = map(cond.shape(), shape);
    long[] ma = map(a.shape(), shape);
    long[] mb = map(b.shape(), shape);
    int n = Math.toIntExact(Tensor.elementCount(shape));
    Tensor r = Tensor.zeros(a.dtype(), shape);
    if (a.dtype() == DType.STRING) {
      for (int i = 0; i < n; i++) r.setString(i, cond.getBool(at(mc, i)) ? a.getString(at(ma, i)) : b.getString(at(mb, i)));
      return new Object[] {r};
    }
    long es = a.dtype().byteSize();
    MemorySegment dst = r.data();
    for (int i = 0; i < n; i++) {
      boolean pick = cond.getBool(at(mc, i));
      MemorySegment src = pick ? a.data() : b.data();
      long j = pick ? at(ma, i) : at(mb, i);
      MemorySegment.copy(src, j * es, dst, i * es, es);
    }
    return new Object[] {r};
  };
}
