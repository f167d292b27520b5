package dev.weft.ir.text;

import java.lang.foreign.MemorySegment;

/**
 * Where {@link WirPrinter} puts the bytes of large constants. The text then refers to them as
 * {@code dense_resource<T> "FILE" offset O length L}.
 */
public interface WeightsSink {
  /** Every blob starts at a multiple of this many bytes (cache-line and SIMD friendly, and what mmap users expect). */
  int ALIGNMENT = 64;

  /** The file name the text refers to, relative to the {@code .wir} file's folder. */
  String fileName();

  /** Appends raw little-endian element bytes at the next aligned offset and returns that offset. */
  long append(MemorySegment bytes);

  /** The offset the next blob gets when the sink currently holds {@code size} bytes. */
  static long alignUp(long size) { return (size + ALIGNMENT - 1) / ALIGNMENT * ALIGNMENT; }
}
