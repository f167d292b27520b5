package dev.weft.ir.ops;

import dev.weft.bundle.DType;
import dev.weft.bundle.Tensor;
import dev.weft.ir.InferContext;
import dev.weft.ir.Shape;
import dev.weft.ir.TensorType;
import dev.weft.ir.Type;
import dev.weft.ir.interp.Kernel;
import java.util.ArrayList;
import java.util.List;
import java.util.function.DoubleBinaryOperator;
import java.util.function.DoubleUnaryOperator;
import java.util.function.LongBinaryOperator;
import java.util.function.LongUnaryOperator;

/**
 * Shared machinery for elementwise ops: broadcasting shape functions and kernels built from a
 * scalar function per numeric class (floats computed in double then rounded to the element
 * type; integers in long, wrapped to the element width).
 */
public final class Elementwise {
  private Elementwise() {}

  /** Result has operand 0's type. */
  public static List<Type> sameAsFirst(InferContext c) { return List.of(c.tensor(0)); }

  /** Operands share a dtype; result is their broadcast with that dtype (or {@code resultType}). */
  public static List<Type> broadcast(InferContext c, DType resultType) {
    List<Shape> shapes = new ArrayList<>();
    DType dt = c.dtype(0);
    for (int i = 0; i < c.inputCount(); i++) {
      if (!c.hasInput(i)) continue;
      TensorType t = c.tensor(i);
      shapes.add(t.shape());
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

  public static Kernel unary(DoubleUnaryOperator f, LongUnaryOperator g) {
    return c -> {
      Tensor x = c.tensor(0);
      DType outType = c.outputType(0).dtype();
      Tensor y = Tensor.zeros(outType, x.shape());
      long n = x.size();
      if (x.dtype().isFloat() || g == null) {
        if (f == null) throw c.fail("not defined for " + x.dtype());
        if (x.dtype() == DType.F32 && outType == DType.F32) {
          for (long i = 0; i < n; i++) y.setFloat(i, (float) f.applyAsDouble(x.getFloat(i)));
        } else {
          for (long i = 0; i < n; i++) y.setDouble(i, f.applyAsDouble(x.getDouble(i)));
        }
      } else {
        for (long i = 0; i < n; i++) y.setLong(i, g.applyAsLong(x.getLong(i)));
      }
      return new Object[] {y};
    };
  }

  /** A binary kernel; {@code f} for floats, {@code g} for integers and bools (null: unsupported). */
  public static Kernel binary(DoubleBinaryOperator f, LongBinaryOperator g) {
    return c -> {
      Tensor a = c.tensor(0);
      Tensor b = c.tensor(1);
      DType outType = c.outputType(0).dtype();
      long[] shape = Broadcast.sizes(a.shape(), b.shape());
      Tensor y = Tensor.zeros(outType, shape);
      long[] ma = Broadcast.indexMap(a.shape(), shape);
      long[] mb = Broadcast.indexMap(b.shape(), shape);
      long n = y.size();
      boolean floats = a.dtype().isFloat();
      if (floats || g == null) {
        if (f == null) throw c.fail("not defined for " + a.dtype());
        if (a.dtype() == DType.F32 && outType == DType.F32) {
          for (int i = 0; i < n; i++) {
            float va = a.getFloat(ma == null ? i : ma[i]);
            float vb = b.getFloat(mb == null ? i : mb[i]);
            y.setFloat(i, (float) f.applyAsDouble(va, vb));
          }
        } else {
          for (int i = 0; i < n; i++) {
            y.setDouble(i, f.applyAsDouble(a.getDouble(ma == null ? i : ma[i]), b.getDouble(mb == null ? i : mb[i])));
          }
        }
      } else {
        for (int i = 0; i < n; i++) {
          y.setLong(i, g.applyAsLong(a.getLong(ma == null ? i : ma[i]), b.getLong(mb == null ? i : mb[i])));
        }
      }
      return new Object[] {y};
    };
  }

  /** Unsigned 64-bit operands need unsigned semantics for order and division. */
  public static boolean isUnsigned64(DType t) { return t == DType.U64; }
}
