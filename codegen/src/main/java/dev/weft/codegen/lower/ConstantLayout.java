package dev.weft.codegen.lower;

import dev.weft.bundle.Tensor;
import java.lang.foreign.MemorySegment;

/** Compile-time relayouts of constant tensors (element bytes copied as they are). */
final class ConstantLayout {
  private ConstantLayout() {}

  /** {@code t} with its last two dims swapped: [..., R, C] becomes [..., C, R]. */
  static Tensor transposeLastTwo(Tensor t) {
    long[] s = t.shape();
    int n = s.length;
    long rows = s[n - 2];
    long cols = s[n - 1];
    long[] out = s.clone();
    out[n - 2] = cols;
    out[n - 1] = rows;
    Tensor r = Tensor.zeros(t.dtype(), out);
    long es = t.dtype().byteSize();
    long matrix = rows * cols;
    long batches = matrix == 0 ? 0 : t.size() / matrix;
    MemorySegment src = t.data();
    MemorySegment dst = r.data();
    for (long bt = 0; bt < batches; bt++) {
      long base = bt * matrix;
      for (long i = 0; i < rows; i++) {
        for (long j = 0; j < cols; j++) {
          MemorySegment.copy(src, (base + i * cols + j) * es, dst, (base + j * rows + i) * es, es);
        }
      }
    }
    return r;
  }
}
