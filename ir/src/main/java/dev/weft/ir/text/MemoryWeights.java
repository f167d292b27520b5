package dev.weft.ir.text;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.file.NoSuchFileException;
import java.util.Arrays;

/**
 * A weights file held in memory: the printer's sink and the parser's source at once, for
 * round trips that never touch the disk (tests, crash reproducers in memory).
 */
public final class MemoryWeights implements WeightsSink, WeightsSource {
  private final String fileName;
  private byte[] bytes = new byte[0];
  private int size;

  public MemoryWeights(String fileName) { this.fileName = fileName; }

  @Override
  public String fileName() { return fileName; }

  @Override
  public long append(MemorySegment data) {
    long offset = WeightsSink.alignUp(size);
    long end = offset + data.byteSize();
    if (end > Integer.MAX_VALUE - 8) throw new IllegalStateException("in-memory weights exceed 2 GiB; write to a file instead");
    if (end > bytes.length) bytes = Arrays.copyOf(bytes, (int) Math.max(end, Math.min(Integer.MAX_VALUE - 8, 2L * bytes.length)));
    MemorySegment.copy(data, 0, MemorySegment.ofArray(bytes), offset, data.byteSize());
    size = (int) end;
    return offset;
  }

  /** A copy of the file's bytes. */
  public byte[] bytes() { return Arrays.copyOf(bytes, size); }

  @Override
  public long size(String name) throws IOException {
    check(name);
    return size;
  }

  @Override
  public void read(String name, long offset, MemorySegment dst) throws IOException {
    check(name);
    MemorySegment.copy(MemorySegment.ofArray(bytes), offset, dst, 0, dst.byteSize());
  }

  private void check(String name) throws NoSuchFileException {
    if (!name.equals(fileName)) throw new NoSuchFileException(name, null, "in-memory weights are named " + fileName);
  }
}
