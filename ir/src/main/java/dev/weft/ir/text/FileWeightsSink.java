package dev.weft.ir.text;

import java.io.Closeable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/** Streams weights to a file, opened on the first blob so a module without large constants writes none. */
final class FileWeightsSink implements WeightsSink, Closeable {
  private final Path path;
  private FileChannel channel;
  private long size;

  FileWeightsSink(Path path) { this.path = path; }

  @Override
  public String fileName() { return path.getFileName().toString(); }

  boolean used() { return channel != null; }

  @Override
  public long append(MemorySegment data) {
    try {
      if (channel == null) {
        channel = FileChannel.open(path, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING);
      }
      long offset = WeightsSink.alignUp(size);
      writeFully(ByteBuffer.allocate((int) (offset - size)), size); // zero padding
      long done = 0;
      while (done < data.byteSize()) {
        long chunk = Math.min(data.byteSize() - done, 1L << 30);
        writeFully(data.asSlice(done, chunk).asByteBuffer(), offset + done);
        done += chunk;
      }
      size = offset + data.byteSize();
      return offset;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private void writeFully(ByteBuffer buf, long at) throws IOException {
    while (buf.hasRemaining()) channel.write(buf, at + buf.position());
  }

  @Override
  public void close() throws IOException {
    if (channel != null) channel.close();
  }
}
