package dev.weft.bundle.safetensors;

import dev.weft.bundle.DType;
import dev.weft.bundle.Tensor;
import dev.weft.bundle.json.JsonException;
import dev.weft.bundle.json.JsonFields;
import dev.weft.bundle.json.JsonReader;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A safetensors file opened for reading. The file is memory-mapped and {@link #tensor} returns
 * views of the mapping (no copy) that stay valid until {@link #close}.
 *
 * <p>Everything in the header is checked against the file before any tensor is handed out:
 * header length within the file and under {@link Safetensors#MAX_HEADER_BYTES}, strict JSON,
 * known dtypes, non-negative dims whose byte count does not overflow, offsets within the data
 * section that match the shape exactly, and tensors that tile the data section without
 * overlaps or gaps (as the reference implementation requires).
 */
public final class SafetensorsFile implements AutoCloseable {
  private final String source;
  private final Arena arena;
  private final MemorySegment data;
  private final Map<String, TensorInfo> tensors;
  private final Map<String, String> metadata;

  private SafetensorsFile(String source, Arena arena, MemorySegment data, Map<String, TensorInfo> tensors,
      Map<String, String> metadata) {
    this.source = source;
    this.arena = arena;
    this.data = data;
    this.tensors = tensors;
    this.metadata = metadata;
  }

  /** Maps and validates {@code file}. */
  public static SafetensorsFile open(Path file) {
    Arena arena = Arena.ofShared();
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
      long size = ch.size();
      MemorySegment whole = size == 0 ? MemorySegment.ofArray(new byte[0]) : ch.map(FileChannel.MapMode.READ_ONLY, 0, size, arena);
      return parse(file.toString(), whole, arena);
    } catch (IOException e) {
      arena.close();
      throw new SafetensorsException(file + ": cannot read: " + e.getMessage(), e);
    } catch (RuntimeException e) {
      arena.close();
      throw e;
    }
  }

  /** Validates an in-memory file; {@code source} names it in errors. Views share {@code bytes}. */
  public static SafetensorsFile of(String source, MemorySegment bytes) { return parse(source, bytes, null); }

  private static SafetensorsFile parse(String source, MemorySegment whole, Arena arena) {
    long size = whole.byteSize();
    if (size < 8) throw new SafetensorsException(source + ": truncated: " + size + " bytes, no room for the header length");
    long n = whole.get(ValueLayout.JAVA_LONG_UNALIGNED.withOrder(java.nio.ByteOrder.LITTLE_ENDIAN), 0);
    if (n < 0 || n > Safetensors.MAX_HEADER_BYTES) {
      throw new SafetensorsException(source + ": header length " + Long.toUnsignedString(n) + " exceeds the limit of "
          + Safetensors.MAX_HEADER_BYTES + " bytes");
    }
    if (n > size - 8) {
      throw new SafetensorsException(source + ": truncated: header length " + n + " but only " + (size - 8)
          + " bytes follow");
    }
    if (n < 2 || whole.get(ValueLayout.JAVA_BYTE, 8) != '{') {
      throw new SafetensorsException(source + ": header does not start with '{'");
    }
    byte[] headerBytes = whole.asSlice(8, n).toArray(ValueLayout.JAVA_BYTE);
    MemorySegment data = whole.asSlice(8 + n);
    Object parsed;
    try {
      parsed = JsonReader.parse(source + " header", headerBytes, 8, Safetensors.MAX_HEADER_BYTES);
    } catch (JsonException e) {
      throw new SafetensorsException(e.getMessage(), e);
    }
    JsonFields root;
    try {
      root = JsonFields.root(source + " header", parsed);
    } catch (JsonException e) {
      throw new SafetensorsException(e.getMessage(), e);
    }
    Map<String, String> metadata = Map.of();
    List<TensorInfo> infos = new ArrayList<>();
    try {
      for (String name : root.keys()) {
        if (name.equals(Safetensors.METADATA)) {
          metadata = Collections.unmodifiableMap(new TreeMap<>(root.stringMap(name)));
          continue;
        }
        infos.add(entry(source, name, root.object(name), data.byteSize()));
      }
    } catch (JsonException e) {
      throw new SafetensorsException(e.getMessage(), e);
    }
    List<TensorInfo> byOffset = new ArrayList<>(infos);
    byOffset.sort(Comparator.comparingLong(TensorInfo::begin).thenComparingLong(TensorInfo::end));
    long at = 0;
    TensorInfo prev = null;
    for (TensorInfo t : byOffset) {
      if (t.begin() < at) {
        throw new SafetensorsException(source + ": tensor \"" + t.name() + "\" [" + t.begin() + ", " + t.end()
            + ") overlaps \"" + prev.name() + "\" [" + prev.begin() + ", " + prev.end() + ")");
      }
      if (t.begin() > at) {
        throw new SafetensorsException(source + ": " + (t.begin() - at) + " unclaimed bytes before tensor \""
            + t.name() + "\" at data offset " + at);
      }
      at = t.end();
      prev = t;
    }
    if (at != data.byteSize()) {
      throw new SafetensorsException(source + ": data section is " + data.byteSize() + " bytes but the tensors cover "
          + at);
    }
    Map<String, TensorInfo> map = new LinkedHashMap<>();
    for (TensorInfo t : byOffset) map.put(t.name(), t);
    return new SafetensorsFile(source, arena, data, Collections.unmodifiableMap(map), metadata);
  }

  private static TensorInfo entry(String source, String name, JsonFields e, long dataBytes) {
    e.allowOnly("dtype", "shape", "data_offsets");
    String code = e.string("dtype");
    DType dtype = SafetensorsDTypes.dtype(code);
    if (dtype == null) throw new SafetensorsException(source + ": tensor \"" + name + "\": unknown dtype \"" + code + "\"");
    List<Long> shapeList = e.integers("shape");
    long[] shape = new long[shapeList.size()];
    long bytes = dtype.byteSize();
    for (int i = 0; i < shape.length; i++) {
      shape[i] = shapeList.get(i);
      if (shape[i] < 0) throw new SafetensorsException(source + ": tensor \"" + name + "\": negative dim " + shape[i]);
      try {
        bytes = Math.multiplyExact(bytes, shape[i]);
      } catch (ArithmeticException x) {
        throw new SafetensorsException(source + ": tensor \"" + name + "\": byte size of shape overflows 64 bits");
      }
    }
    List<Long> off = e.integers("data_offsets");
    if (off.size() != 2) throw new SafetensorsException(source + ": tensor \"" + name + "\": data_offsets needs 2 entries");
    long begin = off.get(0);
    long end = off.get(1);
    if (begin < 0 || end < begin || end > dataBytes) {
      throw new SafetensorsException(source + ": tensor \"" + name + "\": data_offsets [" + begin + ", " + end
          + ") outside the data section of " + dataBytes + " bytes");
    }
    if (end - begin != bytes) {
      throw new SafetensorsException(source + ": tensor \"" + name + "\": data_offsets span " + (end - begin)
          + " bytes but shape and dtype need " + bytes);
    }
    return new TensorInfo(name, dtype, shape, begin, end);
  }

  /** The file (or in-memory source) name. */
  public String source() { return source; }

  /** Tensor entries in data order. */
  public List<TensorInfo> tensors() { return List.copyOf(tensors.values()); }

  public TensorInfo info(String name) { return tensors.get(name); }

  public Map<String, String> metadata() { return metadata; }

  /** The tensor's bytes, not copied; valid until {@link #close}. */
  public MemorySegment bytes(String name) {
    TensorInfo t = require(name);
    return data.asSlice(t.begin(), t.byteSize());
  }

  /** A tensor viewing the mapped bytes (not copied; read-only when mapped); valid until {@link #close}. */
  public Tensor tensor(String name) {
    TensorInfo t = require(name);
    return Tensor.wrap(t.dtype(), t.shape(), data.asSlice(t.begin(), t.byteSize()));
  }

  private TensorInfo require(String name) {
    TensorInfo t = tensors.get(name);
    if (t == null) throw new SafetensorsException(source + ": no tensor \"" + name + "\"");
    return t;
  }

  @Override
  public void close() {
    if (arena != null) arena.close();
  }
}
