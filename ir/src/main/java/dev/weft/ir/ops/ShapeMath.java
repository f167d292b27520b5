package dev.weft.ir.ops;

import dev.weft.bundle.DType;
import dev.weft.bundle.Tensor;
import dev.weft.ir.Dim;
import dev.weft.ir.InferContext;
import dev.weft.ir.Shape;
import dev.weft.ir.interp.KernelContext;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Index arithmetic shared by the data-movement ops: axis normalization, ONNX Slice clamping,
 * reshape resolution (static and symbolic), row-major strides and exact element copies.
 */
public final class ShapeMath {
  private ShapeMath() {}

  /** A negative axis counts from the end; out of {@code [-rank, rank)} is an error. */
  public static int axis(long axis, int rank) {
    if (axis < -rank || axis >= rank) {
      throw new IllegalArgumentException("axis " + axis + " is out of range for rank " + rank);
    }
    return (int) (axis < 0 ? axis + rank : axis);
  }

  /** Normalizes several axes, rejecting duplicates. */
  public static int[] axes(long[] axes, int rank) {
    int[] out = new int[axes.length];
    boolean[] seen = new boolean[rank];
    for (int i = 0; i < axes.length; i++) {
      out[i] = axis(axes[i], rank);
      if (seen[out[i]]) throw new IllegalArgumentException("axis " + axes[i] + " is repeated in " + Arrays.toString(axes));
      seen[out[i]] = true;
    }
    return out;
  }

  public static long[] strides(long[] shape) {
    long[] st = new long[shape.length];
    long acc = 1;
    for (int i = shape.length - 1; i >= 0; i--) {
      st[i] = acc;
      acc = Math.multiplyExact(acc, shape[i]);
    }
    return st;
  }

  public static long product(long[] shape, int from, int to) {
    long n = 1;
    for (int i = from; i < to; i++) n = Math.multiplyExact(n, shape[i]);
    return n;
  }

  /** Copies {@code n} consecutive elements exactly (raw bits; strings by reference). */
  public static void copy(Tensor src, long si, Tensor dst, long di, long n) {
    if (n == 0) return;
    if (src.dtype() == DType.STRING) {
      for (long k = 0; k < n; k++) dst.setString(di + k, src.getString(si + k));
      return;
    }
    long bs = src.dtype().byteSize();
    MemorySegment.copy(src.data(), si * bs, dst.data(), di * bs, n * bs);
  }

  /**
   * ONNX Slice on one axis of size {@code dim}: {start, step, count} after clamping exactly as
   * the spec says (negative indices count from the end; with a negative step the start is
   * clamped to {@code [0, dim-1]} and the end to {@code [-1, dim-1]}).
   */
  public static long[] slice(long dim, long start, long end, long step) {
    if (step == 0) throw new IllegalArgumentException("slice step is 0");
    if (start < 0) start += dim;
    if (end < 0) end += dim;
    long count;
    if (step > 0) {
      start = clamp(start, 0, dim);
      end = clamp(end, 0, dim);
      count = end <= start ? 0 : (end - start - 1) / step + 1;
    } else {
      start = clamp(start, 0, dim - 1);
      end = clamp(end, -1, dim - 1);
      count = start <= end ? 0 : (start - end - 1) / (-step) + 1;
    }
    return new long[] {start, step, count};
  }

  static long clamp(long v, long lo, long hi) { return Math.max(lo, Math.min(hi, v)); }

  /**
   * Resolves an ONNX reshape target against a static input shape: 0 copies the input dim
   * (unless {@code allowzero}), one -1 takes the remaining element count.
   */
  public static long[] reshape(long[] in, long[] target, boolean allowzero) {
    long[] out = target.clone();
    int infer = -1;
    long known = 1;
    for (int i = 0; i < out.length; i++) {
      if (out[i] == 0 && !allowzero) {
        if (i >= in.length) throw new IllegalArgumentException("reshape: 0 at position " + i + " but input has rank " + in.length);
        out[i] = in[i];
      }
      if (out[i] == -1) {
        if (infer >= 0) throw new IllegalArgumentException("reshape: more than one -1 in " + Arrays.toString(target));
        infer = i;
      } else if (out[i] < 0) {
        throw new IllegalArgumentException("reshape: invalid dim " + out[i] + " in " + Arrays.toString(target));
      } else {
        known = Math.multiplyExact(known, out[i]);
      }
    }
    long total = Tensor.elementCount(in);
    if (infer >= 0) {
      if (known == 0 || total % known != 0) {
        throw new IllegalArgumentException("cannot reshape " + Arrays.toString(in) + " to " + Arrays.toString(target));
      }
      out[infer] = total / known;
    } else if (known != total) {
      throw new IllegalArgumentException("cannot reshape " + Arrays.toString(in) + " to " + Arrays.toString(target));
    }
    return out;
  }

  /**
   * {@code prod(num) / prod(den)} over dims when it can be named: a static size, or the one
   * symbol left after cancelling symbols on both sides; else a fresh symbol.
   */
  public static Dim quotient(List<Dim> num, List<Dim> den, InferContext c) {
    List<Dim> syms = new ArrayList<>();
    long n = 1;
    for (Dim d : num) {
      if (d.isStatic()) n = Math.multiplyExact(n, d.size());
      else syms.add(d);
    }
    long q = 1;
    for (Dim d : den) {
      if (d.isStatic()) q = Math.multiplyExact(q, d.size());
      else if (!syms.remove(d)) return c.fresh();
    }
    if (syms.isEmpty()) {
      if (q == 0 || n % q != 0) throw c.fail("cannot reshape: " + n + " elements do not divide by " + q);
      return Dim.of(n / q);
    }
    if (syms.size() == 1 && n == q) return syms.get(0);
    return c.fresh();
  }

  /** Two dims that must agree at run time: the static one wins, equal symbols stay. */
  public static Dim unify(Dim a, Dim b, InferContext c, String what) {
    if (a.equals(b)) return a;
    if (a.isStatic() && b.isStatic()) throw c.fail(what + ": " + a + " does not match " + b);
    return a.isStatic() ? a : b;
  }

  /** An ints argument given as attribute {@code attr} or as a constant operand; null if dynamic or absent. */
  public static long[] staticInts(InferContext c, String attr, int operand) {
    if (c.attrs().has(attr)) return c.attrs().getInts(attr);
    if (operand >= 0 && c.hasInput(operand)) {
      Tensor t = c.constant(operand);
      return t == null ? null : t.toLongArray();
    }
    return null;
  }

  /** Whether the ints argument is given at all (attribute or operand). */
  public static boolean given(InferContext c, String attr, int operand) {
    return c.attrs().has(attr) || (operand >= 0 && c.hasInput(operand));
  }

  /** The ints argument at run time: attribute, else operand values, else null. */
  public static long[] ints(KernelContext c, String attr, int operand) {
    if (c.attrs().has(attr)) return c.attrs().getInts(attr);
    if (operand >= 0 && c.has(operand)) return c.tensor(operand).toLongArray();
    return null;
  }

  /** The static length of a 1-D operand, or -1. */
  public static long length(InferContext c, int operand) {
    Shape s = c.shape(operand);
    if (!s.isRanked() || s.rank() != 1 || !s.dim(0).isStatic()) return -1;
    return s.dim(0).size();
  }

  /** n fresh symbols. */
  public static List<Dim> freshDims(InferContext c, long n) {
    List<Dim> out = new ArrayList<>();
    for (long i = 0; i < n; i++) out.add(c.fresh());
    return out;
  }

  public static long[] toLongs(int[] v) {
    long[] out = new long[v.length];
    for (int i = 0; i < v.length; i++) out[i] = v[i];
    return out;
  }

  /**
   * Visits every index of {@code shape} in row-major order, keeping a running offset into a
   * source with the given strides (plus {@code base}); calls {@code f(flatOut, srcOffset)}.
   */
  public static void walk(long[] shape, long[] srcStrides, long base, IndexVisitor f) {
    long n = Tensor.elementCount(shape);
    if (n == 0) return;
    int rank = shape.length;
    long[] idx = new long[rank];
    long off = base;
    for (long o = 0; o < n; o++) {
      f.visit(o, off);
      for (int d = rank - 1; d >= 0; d--) {
        idx[d]++;
        off += srcStrides[d];
        if (idx[d] < shape[d]) break;
        off -= srcStrides[d] * idx[d];
        idx[d] = 0;
      }
    }
  }

  @FunctionalInterface
  public interface IndexVisitor {
    void visit(long out, long src);
  }

  /** A one-element copy helper for kernels that move single elements. */
  public static void copy1(Tensor src, long si, Tensor dst, long di) {
    if (src.dtype() == DType.STRING) dst.setString(di, src.getString(si));
    else copy(src, si, dst, di, 1);
  }

  /**
   * Allocates a kernel result, refusing one larger than the JVM could ever hold (a 150-byte
   * model can ask for 2^44 elements), with an error naming the node instead of an OOM.
   */
  public static Tensor alloc(KernelContext c, DType dtype, long[] shape) {
    long n;
    try {
      n = Tensor.elementCount(shape);
    } catch (ArithmeticException e) {
      throw c.fail("result shape " + Arrays.toString(shape) + " overflows int64");
    }
    long bytes = n * Math.max(dtype.byteSize(), 8);
    if (n > Integer.MAX_VALUE && dtype == DType.STRING || bytes / Math.max(dtype.byteSize(), 8) != n
        || bytes > Runtime.getRuntime().maxMemory()) {
      throw c.fail("result " + dtype + Arrays.toString(shape) + " exceeds the memory budget");
    }
    return Tensor.zeros(dtype, shape);
  }

  /**
   * The general data-movement kernel: {@code y[i0..ik] = x[coord[0][i0], ..., coord[k][ik]]},
   * where a coordinate of -1 on any axis selects {@code fill} (element 0; zero when null).
   * Slice, pad, tile and center-crop are this with different coordinate tables.
   */
  public static Tensor gatherAxes(KernelContext c, Tensor x, long[] shape, long[][] coord, Tensor fill) {
    Tensor y = alloc(c, x.dtype(), shape);
    long n = y.size();
    if (n == 0) return y;
    int rank = shape.length;
    long[] st = strides(x.shape());
    long[] idx = new long[rank];
    long off = 0;
    int missing = 0;
    for (int a = 0; a < rank; a++) {
      long v = coord[a][0];
      if (v < 0) missing++;
      else off += v * st[a];
    }
    for (long o = 0; o < n; o++) {
      if (missing == 0) copy1(x, off, y, o);
      else if (fill != null) copy1(fill, 0, y, o);
      for (int d = rank - 1; d >= 0; d--) {
        long old = coord[d][(int) idx[d]];
        idx[d]++;
        boolean wrap = idx[d] == shape[d];
        if (wrap) idx[d] = 0;
        long now = coord[d][(int) idx[d]];
        if (old < 0) missing--;
        else off -= old * st[d];
        if (now < 0) missing++;
        else off += now * st[d];
        if (!wrap) break;
      }
    }
    return y;
  }

  /** Advances a row-major multi-index; false after the last one. */
  public static boolean next(long[] idx, long[] shape) {
    for (int d = idx.length - 1; d >= 0; d--) {
      if (++idx[d] < shape[d]) return true;
      idx[d] = 0;
    }
    return false;
  }

  public static long offset(long[] idx, long[] strides) {
    long off = 0;
    for (int i = 0; i < idx.length; i++) off += idx[i] * strides[i];
    return off;
  }
}
