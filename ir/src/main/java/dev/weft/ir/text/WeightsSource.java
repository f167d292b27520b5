package dev.weft.ir.text;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.channels.FileChannel;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Where {@link WirParser} reads {@code dense_resource} bytes from. The parser has already
 * rejected names that leave the folder ({@code ..}, absolute paths) and checked offset and
 * length against {@link #size}.
 */
public interface WeightsSource {
  /** The size of the named file in bytes; {@link NoSuchFileException} when absent. */
  long size(String fileName) throws IOException;

  /** Fills {@code dst} with the bytes at {@code offset} of the named file. */
  void read(String fileName, long offset, MemorySegment dst) throws IOException;

  /** Files in {@code folder}; a symlink that leads outside it is refused as well. */
  static WeightsSource folder(Path folder) {
    Path root = folder.toAbsolutePath().normalize();
    return new WeightsSource() {
      private Path resolve(String name) throws IOException {
        Path p = root.resolve(name).normalize();
        if (!p.startsWith(root) || !p.toRealPath().startsWith(root.toRealPath())) {
          throw new IOException("weights file " + name + " is outside " + root);
        }
        return p;
      }

      @Override
      public long size(String name) throws IOException {
        try (FileChannel ch = FileChannel.open(resolve(name), StandardOpenOption.READ)) {
          return ch.size();
        }
      }

      @Override
      public void read(String name, long offset, MemorySegment dst) throws IOException {
        try (FileChannel ch = FileChannel.open(resolve(name), StandardOpenOption.READ)) {
          long done = 0;
          // Chunks, because a ByteBuffer view cannot exceed 2 GiB.
          while (done < dst.byteSize()) {
            long chunk = Math.min(dst.byteSize() - done, 1L << 30);
            var buf = dst.asSlice(done, chunk).asByteBuffer();
            while (buf.hasRemaining()) {
              if (ch.read(buf, offset + done + buf.position()) < 0) throw new IOException("weights file " + name + " ended early");
            }
            done += chunk;
          }
        }
      }
    };
  }

  /** A source with no files: any {@code dense_resource} is an error. */
  static WeightsSource none() {
    return new WeightsSource() {
      @Override public long size(String name) throws IOException { throw new NoSuchFileException(name, null, "no weights source given"); }

      @Override public void read(String name, long offset, MemorySegment dst) throws IOException { throw new NoSuchFileException(name); }
    };
  }
}
