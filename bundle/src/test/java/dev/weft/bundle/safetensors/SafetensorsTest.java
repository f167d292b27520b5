package dev.weft.bundle.safetensors;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.bundle.DType;
import dev.weft.bundle.Tensor;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SafetensorsTest {
  /** A file built by hand from the format description, independent of the writer. */
  private static byte[] file(String header, byte[] data) {
    byte[] h = header.getBytes(StandardCharsets.UTF_8);
    ByteBuffer b = ByteBuffer.allocate(8 + h.length + data.length).order(ByteOrder.LITTLE_ENDIAN);
    b.putLong(h.length).put(h).put(data);
    return b.array();
  }

  private static String error(byte[] bytes) {
    return assertThrows(SafetensorsException.class, () -> SafetensorsFile.of("w.safetensors", MemorySegment.ofArray(bytes)))
        .getMessage();
  }

  @Test
  void writesTheExactReferenceLayout() {
    LinkedHashMap<String, Tensor> m = new LinkedHashMap<>();
    // Inserted smallest first: the writer still puts the 4-byte tensor first.
    m.put("b", Tensor.of(DType.F16, new long[] {2}, 1.0, -2.0));
    m.put("a", Tensor.ofFloats(new long[] {1}, 0.5f));
    byte[] got = Safetensors.toBytes(m, Map.of("format", "pt"));
    String header = "{\"__metadata__\":{\"format\":\"pt\"},\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},"
        + "\"b\":{\"dtype\":\"F16\",\"shape\":[2],\"data_offsets\":[4,8]}}";
    int padded = (header.length() + 7) / 8 * 8;
    header = header + " ".repeat(padded - header.length());
    // 0.5f = 0x3F000000; f16 1.0 = 0x3C00, -2.0 = 0xC000; all little-endian.
    byte[] data = {0, 0, 0, 0x3F, 0x00, 0x3C, 0x00, (byte) 0xC0};
    assertArrayEquals(file(header, data), got);
    assertEquals(0, (8 + padded) % 8);
  }

  @Test
  void roundTripsEveryStorableDtype(@TempDir Path dir) {
    LinkedHashMap<String, Tensor> m = new LinkedHashMap<>();
    m.put("f32", Tensor.ofFloats(new long[] {2, 2}, 1f, -2.5f, Float.NaN, 3e-8f));
    m.put("f64", Tensor.ofDoubles(new long[] {2}, Math.PI, -0.0));
    m.put("bf16", Tensor.of(DType.BF16, new long[] {3}, 1.0, -3.140625, 65280.0));
    m.put("f16", Tensor.of(DType.F16, new long[] {3}, 0.099975586, 65504.0, -0.0));
    m.put("i64", Tensor.ofLongs(new long[] {2}, Long.MIN_VALUE, 7));
    m.put("i32", Tensor.ofInts(new long[] {1}, -5));
    m.put("i16", Tensor.of(DType.I16, new long[] {1}, -300));
    m.put("i8", Tensor.of(DType.I8, new long[] {2}, -1, 127));
    m.put("u8", Tensor.of(DType.U8, new long[] {1}, 200));
    m.put("bool", Tensor.ofBools(new long[] {3}, true, false, true));
    m.put("scalar", Tensor.scalar(DType.F32, 4));
    m.put("empty", Tensor.zeros(DType.F32, 0, 3));
    Path f = dir.resolve("w.safetensors");
    Safetensors.write(f, m, Map.of("k", "v"));
    try (SafetensorsFile sf = SafetensorsFile.open(f)) {
      assertEquals(Map.of("k", "v"), sf.metadata());
      for (Map.Entry<String, Tensor> e : m.entrySet()) {
        Tensor t = sf.tensor(e.getKey());
        assertTrue(e.getValue().contentEquals(t), e.getKey() + ": " + t);
        assertTrue(t.data().isNative(), "mapped, not copied");
        TensorInfo info = sf.info(e.getKey());
        // Largest elements first keeps every tensor aligned to its element size.
        assertEquals(0, info.begin() % Math.max(1, e.getValue().dtype().byteSize()), e.getKey());
      }
      assertEquals(-3.140625, sf.tensor("bf16").getDouble(1));
    }
    Map<String, Tensor> copied = Safetensors.read(f);
    assertEquals(m.keySet(), new java.util.TreeSet<>(copied.keySet()).equals(new java.util.TreeSet<>(m.keySet())) ? m.keySet() : copied.keySet());
    assertTrue(copied.get("f32").contentEquals(m.get("f32")));
  }

  @Test
  void writingIsIndependentOfMapOrder() {
    LinkedHashMap<String, Tensor> a = new LinkedHashMap<>();
    a.put("x", Tensor.ofFloats(new long[] {1}, 1f));
    a.put("y", Tensor.ofFloats(new long[] {1}, 2f));
    LinkedHashMap<String, Tensor> b = new LinkedHashMap<>();
    b.put("y", a.get("y"));
    b.put("x", a.get("x"));
    assertArrayEquals(Safetensors.toBytes(a, Map.of()), Safetensors.toBytes(b, Map.of()));
  }

  @Test
  void typesWithoutACodeAreRefused() {
    String msg = assertThrows(SafetensorsException.class,
        () -> Safetensors.toBytes(Map.of("q", Tensor.zeros(DType.I4, 2)), Map.of())).getMessage();
    assertEquals("(in memory): tensor \"q\" has dtype i4, which safetensors cannot store", msg);
  }

  @Test
  void truncatedFilesAreTypedErrors() {
    assertEquals("w.safetensors: truncated: 3 bytes, no room for the header length", error(new byte[3]));
    byte[] ok = file("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}", new byte[4]);
    byte[] cut = java.util.Arrays.copyOf(ok, 20);
    assertTrue(error(cut).startsWith("w.safetensors: truncated: header length"), error(cut));
    byte[] noData = java.util.Arrays.copyOf(ok, ok.length - 2);
    assertEquals("w.safetensors: tensor \"a\": data_offsets [0, 4) outside the data section of 2 bytes", error(noData));
  }

  @Test
  void hugeHeaderLengthsAreTypedErrors() {
    byte[] b = new byte[16];
    ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).putLong(-1L);
    assertTrue(error(b).contains("header length 18446744073709551615 exceeds the limit"), error(b));
    ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).putLong(1L << 40);
    assertTrue(error(b).contains("exceeds the limit"), error(b));
  }

  @Test
  void overlapsGapsAndSizeMismatchesAreTypedErrors() {
    String two = "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
        + "\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[4,12]}}";
    assertEquals("w.safetensors: tensor \"b\" [4, 12) overlaps \"a\" [0, 8)", error(file(two, new byte[12])));
    String gap = "{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}";
    assertEquals("w.safetensors: 4 unclaimed bytes before tensor \"a\" at data offset 0", error(file(gap, new byte[8])));
    String wrong = "{\"a\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[0,8]}}";
    assertEquals("w.safetensors: tensor \"a\": data_offsets span 8 bytes but shape and dtype need 12",
        error(file(wrong, new byte[8])));
    String tail = "{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}";
    assertEquals("w.safetensors: data section is 8 bytes but the tensors cover 4", error(file(tail, new byte[8])));
    String overflow = "{\"a\":{\"dtype\":\"F64\",\"shape\":[4294967296,4294967296],\"data_offsets\":[0,8]}}";
    assertEquals("w.safetensors: tensor \"a\": byte size of shape overflows 64 bits", error(file(overflow, new byte[8])));
    String neg = "{\"a\":{\"dtype\":\"F32\",\"shape\":[-1],\"data_offsets\":[0,4]}}";
    assertEquals("w.safetensors: tensor \"a\": negative dim -1", error(file(neg, new byte[4])));
    String badOffsets = "{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[8,4]}}";
    assertTrue(error(file(badOffsets, new byte[8])).contains("data_offsets [8, 4) outside"));
  }

  @Test
  void malformedHeadersAreTypedErrors() {
    assertEquals("w.safetensors: header does not start with '{'", error(file("[1]", new byte[0])));
    assertTrue(error(file("{\"a\":", new byte[0])).startsWith("w.safetensors header:1:6: unexpected end"));
    assertEquals("w.safetensors: tensor \"a\": unknown dtype \"F128\"",
        error(file("{\"a\":{\"dtype\":\"F128\",\"shape\":[],\"data_offsets\":[0,0]}}", new byte[0])));
    assertTrue(error(file("{\"a\":{\"dtype\":\"F32\",\"shape\":[],\"data_offsets\":[0,4],\"x\":1}}", new byte[4]))
        .contains("a.x: unknown field"));
    assertTrue(error(file("{\"__metadata__\":{\"k\":1}}", new byte[0])).contains("__metadata__.k: expected a string"));
  }

  @Test
  void readsAFileWithHeaderKeysInAnyOrder() {
    String h = "{\"b\":{\"data_offsets\":[4,6],\"shape\":[1],\"dtype\":\"BF16\"},\"a\":{\"dtype\":\"I32\",\"shape\":[],"
        + "\"data_offsets\":[0,4]}}  ";
    byte[] data = {7, 0, 0, 0, (byte) 0x80, 0x3F};
    SafetensorsFile f = SafetensorsFile.of("w.safetensors", MemorySegment.ofArray(file(h, data)));
    assertEquals(List.of("a", "b"), f.tensors().stream().map(TensorInfo::name).toList());
    assertEquals(7, f.tensor("a").getLong(0));
    assertEquals(1.0, f.tensor("b").getDouble(0));
  }
}
