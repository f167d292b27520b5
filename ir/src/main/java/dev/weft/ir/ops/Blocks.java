package dev.weft.ir.ops;

import dev.weft.bundle.DType;
import dev.weft.bundle.Tensor;
import java.lang.foreign.MemorySegment;
import java.util.List;

/**
 * Moving blocks of elements between tensors of one dtype, by raw bytes (strings element by
 * element): slicing one index off an axis, stacking along a new axis, concatenating and
 * splitting along an existing one. Used by loop/scan outputs and sequence ops.
 */
public final class Blocks {
  private Blocks() {}

  /** Copies {@code n} elements, exactly (raw bits), from {@code src[srcOff..]} to {@code dst[dstOff..]}. */
  public static void copy(Tensor src, long srcOff, Tensor dst, long dstOff, long n) {
    if (src.dtype() != dst.dtype()) throw new IllegalArgumentException("copy from " + src.dtype() + " to " + dst.dtype());
    if (n == 0) return;
    if (src.dtype() == DType.STRING) {
      for (long i = 0; i < n; i++) dst.setString(dstOff + i, src.getString(srcOff + i));
      return;
    }
    long bs = src.dtype().byteSize();
    MemorySegment.copy(src.data(), srcOff * bs, dst.data(), dstOff * bs, n * bs);
  }

  static long prod(long[] s, int from, int to) {
    long n = 1;
    for (int i = from; i < to; i++) n = Math.multiplyExact(n, s[i]);
    return n;
  }

  /** Normalizes a possibly negative axis against {@code rank}; throws when out of range. */
  public static int axis(long axis, int rank) {
    long a = axis < 0 ? axis + rank : axis;
    if (a < 0 || a >= rank) throw new IllegalArgumentException("axis " + axis + " out of range for rank " + rank);
    return (int) a;
  }

  /** {@code t} at index {@code i} of {@code axis}, with that axis removed. */
  public static Tensor take(Tensor t, int axis, long i) {
    long[] s = t.shape();
    long outer = prod(s, 0, axis);
    long inner = prod(s, axis + 1, s.length);
    long[] os = new long[s.length - 1];
    for (int k = 0, j = 0; k < s.length; k++) if (k != axis) os[j++] = s[k];
    Tensor out = Tensor.zeros(t.dtype(), os);
    for (long o = 0; o < outer; o++) copy(t, (o * s[axis] + i) * inner, out, o * inner, inner);
    return out;
  }

  /** Elements {@code [start, end)} of {@code axis}. */
  public static Tensor range(Tensor t, int axis, long start, long end) {
    long[] s = t.shape();
    long outer = prod(s, 0, axis);
    long inner = prod(s, axis + 1, s.length);
    long[] os = s.clone();
    os[axis] = end - start;
    Tensor out = Tensor.zeros(t.dtype(), os);
    for (long o = 0; o < outer; o++) copy(t, (o * s[axis] + start) * inner, out, o * os[axis] * inner, os[axis] * inner);
    return out;
  }

  /** Stacks equal-shaped tensors along a new axis {@code axis} (0..rank). */
  public static Tensor stack(List<Tensor> parts, int axis, DType dtype, long[] elemShape) {
    long[] os = new long[elemShape.length + 1];
    for (int k = 0, j = 0; k < os.length; k++) os[k] = k == axis ? parts.size() : elemShape[j++];
    Tensor out = Tensor.zeros(dtype, os);
    long outer = prod(elemShape, 0, axis);
    long inner = prod(elemShape, axis, elemShape.length);
    for (int p = 0; p < parts.size(); p++) {
      Tensor t = parts.get(p);
      if (!java.util.Arrays.equals(t.shape(), elemShape) || t.dtype() != dtype) {
        throw new IllegalArgumentException("cannot stack " + t.dtype() + java.util.Arrays.toString(t.shape())
            + " with " + dtype + java.util.Arrays.toString(elemShape));
      }
      for (long o = 0; o < outer; o++) copy(t, o * inner, out, (o * parts.size() + p) * inner, inner);
    }
    return out;
  }

  /** Concatenates along an existing axis; all other dims must agree. */
  public static Tensor concat(List<Tensor> parts, int axis) {
    Tensor first = parts.get(0);
    long[] os = first.shape();
    long total = 0;
    for (Tensor t : parts) {
      long[] s = t.shape();
      if (s.length != os.length || t.dtype() != first.dtype()) throw new IllegalArgumentException("cannot concat "
          + t.dtype() + java.util.Arrays.toString(s) + " with " + first.dtype() + java.util.Arrays.toString(os));
      for (int k = 0; k < s.length; k++) {
        if (k != axis && s[k] != os[k]) throw new IllegalArgumentException("cannot concat "
            + java.util.Arrays.toString(s) + " with " + java.util.Arrays.toString(os) + " on axis " + axis);
      }
      total += s[axis];
    }
    os[axis] = total;
    Tensor out = Tensor.zeros(first.dtype(), os);
    long outer = prod(os, 0, axis);
    long inner = prod(os, axis + 1, os.length);
    long at = 0;
    for (Tensor t : parts) {
      long len = t.dim(axis);
      for (long o = 0; o < outer; o++) copy(t, o * len * inner, out, (o * total + at) * inner, len * inner);
      at += len;
    }
    return out;
  }
}
