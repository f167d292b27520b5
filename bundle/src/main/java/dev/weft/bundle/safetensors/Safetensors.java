package dev.weft.bundle.safetensors;

import dev.weft.bundle.DType;
import dev.weft.bundle.Json;
import dev.weft.bundle.Tensor;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The safetensors format (huggingface/safetensors): an 8-byte little-endian header length N,
 * N bytes of JSON header ({@code {"__metadata__": {...}, "<name>": {"dtype": "F32", "shape":
 * [...], "data_offsets": [begin, end]}, ...}}) padded with spaces so the data starts 8-byte
 * aligned, then the tensors' bytes back to back.
 *
 * <p>Writing is deterministic whatever the map's order: tensors are laid out by element size,
 * largest first, then by name (as the reference implementation does), so every tensor starts
 * at a multiple of its element size; metadata keys are sorted. Reading: {@link SafetensorsFile}.
 */
public final class Safetensors {
  private Safetensors() {}

  /** The reference implementation's header size limit; anything larger is malformed. */
  public static final long MAX_HEADER_BYTES = 100_000_000L;
  static final String METADATA = "__metadata__";

  /** Writes {@code tensors} to {@code file} (created or replaced). */
  public static void write(Path file, Map<String, Tensor> tensors) { write(file, tensors, Map.of()); }

  /** Writes {@code tensors} and string {@code metadata} to {@code file} (created or replaced). */
  public static void write(Path file, Map<String, Tensor> tensors, Map<String, String> metadata) {
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
        StandardOpenOption.TRUNCATE_EXISTING)) {
      write(ch, file.getFileName().toString(), tensors, metadata);
    } catch (IOException e) {
      throw new SafetensorsException(file + ": cannot write: " + e.getMessage(), e);
    }
  }

  /** The whole file as bytes (for small sets of tensors and tests). */
  public static byte[] toBytes(Map<String, Tensor> tensors, Map<String, String> metadata) {
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
    try {
      write(java.nio.channels.Channels.newChannel(out), "(in memory)", tensors, metadata);
    } catch (IOException e) {
      throw new SafetensorsException("(in memory): " + e.getMessage(), e);
    }
    return out.toByteArray();
  }

  /** Writes the format to a channel; {@code name} names the target in errors. */
  public static void write(WritableByteChannel ch, String name, Map<String, Tensor> tensors, Map<String, String> metadata)
      throws IOException {
    List<Map.Entry<String, Tensor>> order = new ArrayList<>(tensors.entrySet());
    for (Map.Entry<String, Tensor> e : order) checkStorable(name, e.getKey(), e.getValue());
    order.sort(Comparator.<Map.Entry<String, Tensor>>comparingInt(e -> -e.getValue().dtype().byteSize())
        .thenComparing(Map.Entry::getKey));
    byte[] header = header(order, metadata);
    ByteBuffer len = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(0, header.length);
    writeFully(ch, len);
    writeFully(ch, ByteBuffer.wrap(header));
    for (Map.Entry<String, Tensor> e : order) {
      MemorySegment data = e.getValue().data();
      // asByteBuffer is limited to 2 GiB, so large tensors go out in slices.
      final long chunk = 1L << 24;
      for (long off = 0; off < data.byteSize(); off += chunk) {
        writeFully(ch, data.asSlice(off, Math.min(chunk, data.byteSize() - off)).asByteBuffer());
      }
    }
  }

  private static void checkStorable(String file, String name, Tensor t) {
    if (name.equals(METADATA)) throw new SafetensorsException(file + ": tensor name \"" + METADATA + "\" is reserved");
    if (SafetensorsDTypes.code(t.dtype()) == null) {
      throw new SafetensorsException(file + ": tensor \"" + name + "\" has dtype " + t.dtype()
          + ", which safetensors cannot store");
    }
  }

  /** The JSON header, compact, padded with spaces to make 8 + length a multiple of 8. */
  private static byte[] header(List<Map.Entry<String, Tensor>> order, Map<String, String> metadata) {
    StringBuilder sb = new StringBuilder("{");
    boolean first = true;
    if (!metadata.isEmpty()) {
      Json.quote(sb, METADATA);
      sb.append(":{");
      boolean f = true;
      for (Map.Entry<String, String> e : new TreeMap<>(metadata).entrySet()) {
        if (!f) sb.append(',');
        f = false;
        Json.quote(sb, e.getKey());
        sb.append(':');
        Json.quote(sb, e.getValue());
      }
      sb.append('}');
      first = false;
    }
    long offset = 0;
    for (Map.Entry<String, Tensor> e : order) {
      Tensor t = e.getValue();
      if (!first) sb.append(',');
      first = false;
      Json.quote(sb, e.getKey());
      sb.append(":{\"dtype\":\"").append(SafetensorsDTypes.code(t.dtype())).append("\",\"shape\":[");
      long[] shape = t.shape();
      for (int i = 0; i < shape.length; i++) {
        if (i > 0) sb.append(',');
        sb.append(shape[i]);
      }
      long end = offset + t.byteSize();
      sb.append("],\"data_offsets\":[").append(offset).append(',').append(end).append("]}");
      offset = end;
    }
    sb.append('}');
    byte[] raw = sb.toString().getBytes(StandardCharsets.UTF_8);
    int padded = (int) ((raw.length + 7L) / 8 * 8);
    byte[] out = java.util.Arrays.copyOf(raw, padded);
    java.util.Arrays.fill(out, raw.length, padded, (byte) ' ');
    return out;
  }

  private static void writeFully(WritableByteChannel ch, ByteBuffer b) throws IOException {
    while (b.hasRemaining()) ch.write(b);
  }

  /** Reads every tensor into memory (copies), in file order. */
  public static LinkedHashMap<String, Tensor> read(Path file) {
    try (SafetensorsFile f = SafetensorsFile.open(file)) {
      LinkedHashMap<String, Tensor> out = new LinkedHashMap<>();
      for (TensorInfo info : f.tensors()) out.put(info.name(), f.tensor(info.name()).copy());
      return out;
    }
  }

  /** Element type of a safetensors dtype code, or null (for tools that list headers). */
  public static DType dtypeOf(String code) { return SafetensorsDTypes.dtype(code); }
}
