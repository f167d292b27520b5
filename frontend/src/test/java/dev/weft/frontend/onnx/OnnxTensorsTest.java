package dev.weft.frontend.onnx;

import static dev.weft.frontend.onnx.Protos.bytes;
import static dev.weft.frontend.onnx.Protos.tensor;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import dev.weft.bundle.DType;
import dev.weft.bundle.Tensor;
import dev.weft.frontend.onnx.proto.OnnxProto.SparseTensorProto;
import dev.weft.frontend.onnx.proto.OnnxProto.TensorProto;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class OnnxTensorsTest {
  private static Tensor decode(TensorProto.Builder b) { return OnnxTensors.decode(b.build(), "m.onnx"); }

  private static String error(TensorProto.Builder b) {
    return assertThrows(OnnxImportException.class, () -> decode(b)).getMessage();
  }

  private static void roundTrip(Tensor t) {
    Tensor back = OnnxTensors.decode(OnnxTensors.encode(t, "t"), "m.onnx");
    assertTrue(t.contentEquals(back), () -> t + " came back as " + back);
  }

  @Test
  void float32FromTypedAndRaw() {
    Tensor a = decode(tensor("a", 1, 2).addFloatData(1.5f).addFloatData(-2f));
    assertEquals(DType.F32, a.dtype());
    assertArrayEquals(new long[] {2}, a.shape());
    assertEquals(1.5, a.getDouble(0));
    assertEquals(-2.0, a.getDouble(1));
    Tensor b = decode(tensor("b", 1, 1).setRawData(bytes(0x00, 0x00, 0x80, 0x3F)));  // 1.0f little-endian
    assertEquals(1.0, b.getDouble(0));
    roundTrip(a);
  }

  @Test
  void doubleAndInt64() {
    Tensor d = decode(tensor("d", 11, 2).addDoubleData(0.25).addDoubleData(-1e300));
    assertEquals(-1e300, d.getDouble(1));
    Tensor l = decode(tensor("l", 7, 2).addInt64Data(Long.MIN_VALUE).addInt64Data(42));
    assertEquals(Long.MIN_VALUE, l.getLong(0));
    Tensor raw = decode(tensor("r", 7).setRawData(bytes(0x01, 0x02, 0, 0, 0, 0, 0, 0)));  // scalar 0x0201
    assertEquals(0x0201, raw.getLong(0));
    roundTrip(d);
    roundTrip(l);
  }

  @Test
  void smallIntegersInInt32Data() {
    assertEquals(255, decode(tensor("u8", 2, 1).addInt32Data(255)).getLong(0));
    assertEquals(-128, decode(tensor("i8", 3, 1).addInt32Data(-128)).getLong(0));
    assertEquals(65535, decode(tensor("u16", 4, 1).addInt32Data(65535)).getLong(0));
    assertEquals(-1, decode(tensor("i16", 5, 1).addInt32Data(-1)).getLong(0));
    assertEquals(-7, decode(tensor("i32", 6, 1).addInt32Data(-7)).getLong(0));
    Tensor u8raw = decode(tensor("u8r", 2, 2).setRawData(bytes(0xFF, 0x10)));
    assertEquals(255, u8raw.getLong(0));
    assertEquals(16, u8raw.getLong(1));
    for (int code : new int[] {2, 3, 4, 5, 6}) roundTrip(decode(tensor("x", code, 2).addInt32Data(1).addInt32Data(-1)));
  }

  @Test
  void unsigned32And64InUint64Data() {
    Tensor u32 = decode(tensor("u32", 12, 1).addUint64Data(4294967295L));
    assertEquals(4294967295L, u32.getLong(0));
    Tensor u64 = decode(tensor("u64", 13, 1).addUint64Data(-1L));  // 2^64-1 as raw bits
    assertEquals(-1L, u64.getLong(0));
    assertEquals(18446744073709551615.0, u64.getDouble(0));
    roundTrip(u32);
    roundTrip(u64);
  }

  @Test
  void bools() {
    Tensor b = decode(tensor("b", 9, 3).addInt32Data(1).addInt32Data(0).addInt32Data(1));
    assertTrue(b.getBool(0));
    assertFalse(b.getBool(1));
    Tensor raw = decode(tensor("r", 9, 3).setRawData(bytes(0, 1, 2)));
    assertFalse(raw.getBool(0));
    assertTrue(raw.getBool(2));
    assertEquals(1, raw.getLong(2));  // normalized
    roundTrip(b);
  }

  @Test
  void narrowFloatsAsBitPatterns() {
    assertEquals(1.0, decode(tensor("f16", 10, 1).addInt32Data(0x3C00)).getDouble(0));
    assertEquals(-2.0, decode(tensor("f16r", 10, 1).setRawData(bytes(0x00, 0xC0))).getDouble(0));
    assertEquals(1.0, decode(tensor("bf16", 16, 1).addInt32Data(0x3F80)).getDouble(0));
    assertEquals(1.0, decode(tensor("e4m3fn", 17, 1).addInt32Data(0x38)).getDouble(0));
    assertEquals(1.0, decode(tensor("e4m3fnuz", 18, 1).addInt32Data(0x40)).getDouble(0));
    assertEquals(1.0, decode(tensor("e5m2", 19, 1).addInt32Data(0x3C)).getDouble(0));
    assertEquals(1.0, decode(tensor("e5m2fnuz", 20, 1).addInt32Data(0x40)).getDouble(0));
    assertEquals(1.0, decode(tensor("e8m0", 24, 1).addInt32Data(127)).getDouble(0));
    assertEquals(4.0, decode(tensor("e8m0r", 24, 1).setRawData(bytes(129))).getDouble(0));
    for (int code : new int[] {10, 16, 17, 18, 19, 20, 24}) roundTrip(decode(tensor("x", code, 2).addInt32Data(0x12).addInt32Data(0x7)));
  }

  @Test
  void fourBitTypesPackTwoPerByteLowNibbleFirst() {
    // int4 [1, -2, 7]: byte0 = 1 | (0xE << 4) = 0xE1, byte1 = 0x07
    Tensor i4 = decode(tensor("i4", 22, 3).setRawData(bytes(0xE1, 0x07)));
    assertArrayEquals(new long[] {1, -2, 7}, i4.toLongArray());
    Tensor i4typed = decode(tensor("i4t", 22, 3).addInt32Data(0xE1).addInt32Data(0x07));
    assertTrue(i4.contentEquals(i4typed));
    Tensor u4 = decode(tensor("u4", 21, 3).setRawData(bytes(0x0F, 0x03)));  // [15, 0, 3]
    assertArrayEquals(new long[] {15, 0, 3}, u4.toLongArray());
    // float4e2m1 [1.0 (0x2), 6.0 (0x7), -0.5 (0x9)]
    Tensor f4 = decode(tensor("f4", 23, 3).setRawData(bytes(0x72, 0x09)));
    assertEquals(1.0, f4.getDouble(0));
    assertEquals(6.0, f4.getDouble(1));
    assertEquals(-0.5, f4.getDouble(2));
    assertArrayEquals(new byte[] {(byte) 0xE1, 0x07}, OnnxTensors.rawBytes(i4));
    assertArrayEquals(new byte[] {0x72, 0x09}, OnnxTensors.rawBytes(f4));
    roundTrip(u4);
    roundTrip(f4);
  }

  @Test
  void twoBitTypesPackFourPerByte() {
    // int2 [1, -1, -2, 0, 1]: 01 | 11<<2 | 10<<4 | 00<<6 = 0x2D, then 0x01
    Tensor i2 = decode(tensor("i2", 26, 5).setRawData(bytes(0x2D, 0x01)));
    assertArrayEquals(new long[] {1, -1, -2, 0, 1}, i2.toLongArray());
    Tensor u2 = decode(tensor("u2", 25, 4).addInt32Data(0x1B));  // [3, 2, 1, 0]
    assertArrayEquals(new long[] {3, 2, 1, 0}, u2.toLongArray());
    assertArrayEquals(new byte[] {0x2D, 0x01}, OnnxTensors.rawBytes(i2));
    roundTrip(u2);
  }

  @Test
  void complex() {
    Tensor c = decode(tensor("c", 14, 2).addFloatData(1).addFloatData(2).addFloatData(3).addFloatData(-4));
    assertEquals(DType.C64, c.dtype());
    assertEquals(3f, c.data().getAtIndex(ValueLayout.JAVA_FLOAT_UNALIGNED, 2));
    assertEquals(-4f, c.data().getAtIndex(ValueLayout.JAVA_FLOAT_UNALIGNED, 3));
    Tensor z = decode(tensor("z", 15, 1).addDoubleData(0.5).addDoubleData(-0.25));
    assertEquals(-0.25, z.data().getAtIndex(ValueLayout.JAVA_DOUBLE_UNALIGNED, 1));
    assertTrue(error(tensor("c", 14, 2).addFloatData(1).addFloatData(2)).contains("'float_data' has 2 values, dims need 4"));
    roundTrip(c);
    roundTrip(z);
  }

  @Test
  void strings() {
    Tensor s = decode(tensor("s", 8, 2).addStringData(ByteString.copyFromUtf8("a")).addStringData(ByteString.copyFromUtf8("bç")));
    assertEquals("bç", s.getString(1));
    assertEquals("bç", OnnxTensors.encode(s, "s").getStringData(1).toString(StandardCharsets.UTF_8));
    roundTrip(s);
    assertTrue(error(tensor("s", 8, 1).setRawData(bytes(65))).contains("'string_data'"));
  }

  @Test
  void emptyAndScalar() {
    Tensor e = decode(tensor("e", 1, 0, 3));
    assertEquals(0, e.size());
    assertEquals(7L, decode(tensor("s", 7).addInt64Data(7)).getLong(0));
  }

  @Test
  void sizeMismatchesNameTensorAndField() {
    String shortRaw = error(tensor("w", 1, 2).setRawData(bytes(0, 0, 0, 0)));
    assertTrue(shortRaw.contains("m.onnx") && shortRaw.contains("'w'") && shortRaw.contains("'raw_data' has 4 bytes"), shortRaw);
    assertTrue(error(tensor("w", 1, 1).setRawData(bytes(0, 0, 0, 0, 0))).contains("'raw_data' has 5 bytes"));
    assertTrue(error(tensor("w", 1, 3).addFloatData(1)).contains("'float_data' has 1 values, dims need 3"));
    assertTrue(error(tensor("w", 7, 1).addInt64Data(1).addInt64Data(2)).contains("'int64_data' has 2 values"));
    assertTrue(error(tensor("w", 22, 3).addInt32Data(1)).contains("'int32_data' has 1 values, dims need 2"));
    assertTrue(error(tensor("w", 12, 1).addInt64Data(1)).contains("'uint64_data' has 0 values"));
    assertTrue(error(tensor("w", 1, 2)).contains("'float_data' has 0 values"));
    assertTrue(error(tensor("w", 1, 1).setRawData(bytes(0, 0, 0, 0)).addFloatData(1)).contains("both"));
  }

  @Test
  void badHeaders() {
    assertTrue(error(tensor("n", 1, 2, -1)).contains("negative dim -1"));
    assertTrue(error(tensor("o", 1, 1L << 62, 4)).contains("overflows int64"));
    assertTrue(error(tensor("u", 0, 1)).contains("unsupported data_type 0"));
    assertTrue(error(tensor("u", 99, 1)).contains("unsupported data_type 99"));
    TensorProto.Builder seg = tensor("g", 1, 1).addFloatData(1).setSegment(TensorProto.Segment.newBuilder().setBegin(0).setEnd(1));
    assertTrue(error(seg).contains("segment"));
    TensorProto.Builder ext = tensor("x", 1, 1).setDataLocation(TensorProto.DataLocation.EXTERNAL);
    assertTrue(error(ext).contains("external data"));
  }

  @Test
  void hugeDeclaredShapeWithTinyDataFailsWithoutAllocating() {
    // 2^44 f32 elements (64 TiB) declared, 4 bytes present: must fail on the mismatch.
    String m = error(tensor("big", 1, 1L << 22, 1L << 22).setRawData(bytes(0, 0, 0, 0)));
    assertTrue(m.contains("'big'") && m.contains("needs 70368744177664"), m);
    assertTrue(error(tensor("big", 1, 1L << 44).addFloatData(0)).contains("dims need 17592186044416"));
  }

  @Test
  void sparseToDense() {
    TensorProto values = tensor("sp", 1, 2).addFloatData(5).addFloatData(6).build();
    TensorProto coords = tensor("idx", 7, 2, 2).addInt64Data(0).addInt64Data(1).addInt64Data(2).addInt64Data(2).build();
    SparseTensorProto s = SparseTensorProto.newBuilder().setValues(values).setIndices(coords).addDims(3).addDims(3).build();
    Tensor d = OnnxTensors.decodeSparse(s, null, "m.onnx", 1 << 20);
    assertArrayEquals(new float[] {0, 5, 0, 0, 0, 0, 0, 0, 6}, d.toFloatArray());
    TensorProto linear = tensor("idx", 7, 2).addInt64Data(1).addInt64Data(8).build();
    Tensor d2 = OnnxTensors.decodeSparse(s.toBuilder().setIndices(linear).build(), null, "m.onnx", 1 << 20);
    assertTrue(d.contentEquals(d2));
    TensorProto outOfRange = tensor("idx", 7, 2).addInt64Data(1).addInt64Data(9).build();
    assertThrows(OnnxImportException.class,
        () -> OnnxTensors.decodeSparse(s.toBuilder().setIndices(outOfRange).build(), null, "m.onnx", 1 << 20));
    SparseTensorProto huge = s.toBuilder().clearDims().addDims(1L << 30).addDims(1L << 30).setIndices(linear).build();
    assertTrue(assertThrows(OnnxImportException.class, () -> OnnxTensors.decodeSparse(huge, null, "m.onnx", 1L << 33))
        .getMessage().contains("memory budget"));
  }
}
