package dev.weft.frontend.torchscript;

import dev.weft.bundle.Tensor;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import java.util.function.Function;

/**
 * Materializes a strided view of a storage ({@code torch._utils._rebuild_tensor_v2}: offset, size,
 * stride in elements) as a dense row-major tensor. A view that is the whole storage, contiguous,
 * shares the storage's memory (as tied weights do in PyTorch); any other view is copied.
 */
final class TensorViews {
  private TensorViews() {}

  static final int MAX_RANK = 64;

  /** Bytes of tensor data an archive may still materialize. */
  static final class Budget {
    private long remaining;

    Budget(long bytes) { this.remaining = bytes; }

    boolean take(long bytes) {
      if (bytes > remaining) return false;
      remaining -= bytes;
      return true;
    }
  }

  static Tensor materialize(Unpickler.Storage s, long offset, long[] size, long[] stride, Budget budget,
      Function<String, ? extends RuntimeException> fail) {
    String what = "tensor view of storage '" + s.entry() + "' (offset " + offset + ", size " + Arrays.toString(size)
        + ", stride " + Arrays.toString(stride) + ")";
    if (size.length != stride.length) throw fail.apply(what + ": size and stride differ in rank");
    if (size.length > MAX_RANK) throw fail.apply(what + ": rank above " + MAX_RANK);
    if (offset < 0) throw fail.apply(what + ": negative offset");
    long count = 1;
    long last = offset; // greatest element index the view touches
    try {
      for (int i = 0; i < size.length; i++) {
        if (size[i] < 0) throw fail.apply(what + ": negative size");
        if (stride[i] < 0) throw fail.apply(what + ": negative stride");
        count = Math.multiplyExact(count, size[i]);
      }
      if (count > 0) {
        for (int i = 0; i < size.length; i++) last = Math.addExact(last, Math.multiplyExact(size[i] - 1, stride[i]));
      }
    } catch (ArithmeticException e) {
      throw fail.apply(what + ": element count or extent overflows int64");
    }
    if (count > 0 && last >= s.numel()) {
      throw fail.apply(what + ": reaches element " + last + " of a storage of " + s.numel());
    }
    int es = s.dtype().byteSize();
    long bytes;
    try {
      bytes = Math.multiplyExact(count, (long) es);
    } catch (ArithmeticException e) {
      throw fail.apply(what + ": byte size overflows int64");
    }
    if (offset == 0 && count == s.numel() && isContiguous(size, stride)) {
      return Tensor.wrap(s.dtype(), size, s.bytes()); // storage bytes were already charged when read
    }
    if (!budget.take(bytes)) throw fail.apply(what + ": materializing " + bytes + " bytes exceeds the tensor budget");
    Tensor t = Tensor.zeros(s.dtype(), size);
    if (count == 0) return t;
    MemorySegment src = s.bytes();
    MemorySegment dst = t.data();
    if (isContiguous(size, stride)) {
      MemorySegment.copy(src, offset * es, dst, 0, bytes);
      return t;
    }
    // Copy runs of the innermost dim when it is unit-stride, else element by element.
    int rank = size.length;
    boolean innerRun = rank > 0 && stride[rank - 1] == 1;
    long run = innerRun ? size[rank - 1] : 1;
    int outerRank = innerRun ? rank - 1 : rank;
    long[] idx = new long[outerRank];
    long dstOff = 0;
    long runBytes = run * es;
    while (true) {
      long srcElem = offset;
      for (int i = 0; i < outerRank; i++) srcElem += idx[i] * stride[i];
      MemorySegment.copy(src, srcElem * es, dst, dstOff, runBytes);
      dstOff += runBytes;
      int d = outerRank - 1;
      while (d >= 0 && ++idx[d] == size[d]) idx[d--] = 0;
      if (d < 0) break;
    }
    return t;
  }

  /** Row-major contiguity; dims of size 1 may have any stride. */
  static boolean isContiguous(long[] size, long[] stride) {
    long expected = 1;
    for (int i = size.length - 1; i >= 0; i--) {
      if (size[i] != 1 && stride[i] != expected) return false;
      expected *= size[i];
    }
    return true;
  }
}
