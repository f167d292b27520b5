package dev.weft.passes;

import dev.weft.ir.Module;
import dev.weft.ir.text.WeightsSink;
import dev.weft.ir.text.WirPrinter;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

/**
 * A module printed as {@code .wir} text whose large constants are kept by reference (no copy):
 * cheap enough to take before every pass for the crash reproducer, and the way instruments
 * print IR. Constant tensors are never mutated by passes (a rewrite makes a new constant), so
 * the references stay valid after the module changes.
 */
public final class ModuleText {
  private final String text;
  private final String weightsName;
  private final List<long[]> offsets;          // {offset}
  private final List<MemorySegment> blobs;

  private ModuleText(String text, String weightsName, List<long[]> offsets, List<MemorySegment> blobs) {
    this.text = text;
    this.weightsName = weightsName;
    this.offsets = offsets;
    this.blobs = blobs;
  }

  /** Prints {@code m}; tensors above the printer's inline limit refer to {@code weightsName}. */
  public static ModuleText of(Module m, String weightsName) {
    List<long[]> offsets = new ArrayList<>();
    List<MemorySegment> blobs = new ArrayList<>();
    WeightsSink sink = new WeightsSink() {
      long size;

      @Override public String fileName() { return weightsName; }

      @Override public long append(MemorySegment bytes) {
        long at = WeightsSink.alignUp(size);
        offsets.add(new long[] {at});
        blobs.add(bytes);
        size = at + bytes.byteSize();
        return at;
      }
    };
    String text = new WirPrinter().weights(sink).print(m);
    return new ModuleText(text, weightsName, offsets, blobs);
  }

  public String text() { return text; }

  /**
   * Writes the text to {@code wirFile} (after {@code header}, a block of {@code //} lines) and
   * the referenced constants to the weights file beside it, whose name was fixed at printing.
   */
  public void write(Path wirFile, String header) throws IOException {
    Path dir = wirFile.toAbsolutePath().getParent();
    if (dir != null) Files.createDirectories(dir);
    Files.writeString(wirFile, header + text, StandardCharsets.UTF_8);
    if (blobs.isEmpty()) return;
    try (FileChannel ch = FileChannel.open(wirFile.resolveSibling(weightsName),
        StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
      for (int i = 0; i < blobs.size(); i++) {
        long at = offsets.get(i)[0];
        MemorySegment seg = blobs.get(i);
        long done = 0;
        while (done < seg.byteSize()) {
          long chunk = Math.min(seg.byteSize() - done, 1L << 30);
          var buf = seg.asSlice(done, chunk).asByteBuffer();
          while (buf.hasRemaining()) ch.write(buf, at + done + buf.position());
          done += chunk;
        }
      }
    }
  }
}
