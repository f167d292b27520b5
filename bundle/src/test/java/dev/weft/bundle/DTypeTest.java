package dev.weft.bundle;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class DTypeTest {
  @Test
  void onnxCodesMatchTensorProtoDataType() {
    // TensorProto.DataType from onnx.proto.
    Object[][] table = {
        {1, DType.F32}, {2, DType.U8}, {3, DType.I8}, {4, DType.U16}, {5, DType.I16}, {6, DType.I32},
        {7, DType.I64}, {8, DType.STRING}, {9, DType.BOOL}, {10, DType.F16}, {11, DType.F64},
        {12, DType.U32}, {13, DType.U64}, {14, DType.C64}, {15, DType.C128}, {16, DType.BF16},
        {17, DType.F8E4M3FN}, {18, DType.F8E4M3FNUZ}, {19, DType.F8E5M2}, {20, DType.F8E5M2FNUZ},
        {21, DType.U4}, {22, DType.I4}, {23, DType.F4E2M1}, {24, DType.F8E8M0}, {25, DType.U2}, {26, DType.I2}};
    for (Object[] row : table) {
      DType t = (DType) row[1];
      assertEquals(row[0], t.onnxCode(), t.name());
      assertSame(t, DType.fromOnnx((Integer) row[0]));
    }
    assertEquals(table.length, DType.values().length);
    assertNull(DType.fromOnnx(0));
    assertNull(DType.fromOnnx(-1));
    assertNull(DType.fromOnnx(27));
    assertNull(DType.fromOnnx(Integer.MAX_VALUE));
  }

  @Test
  void sizesAndKinds() {
    assertEquals(4, DType.F32.byteSize());
    assertEquals(32, DType.F32.bits());
    assertEquals(16, DType.C128.byteSize());
    assertEquals(4, DType.I4.bits());
    assertEquals(1, DType.I4.byteSize());   // sub-byte types are one element per byte in memory
    assertEquals(2, DType.U2.bits());
    assertEquals(0, DType.STRING.byteSize());
    assertTrue(DType.BF16.isNarrowFloat());
    assertFalse(DType.F64.isNarrowFloat());
    assertTrue(DType.I4.isSigned());
    assertTrue(DType.U64.isInteger());
    assertFalse(DType.BOOL.isInteger());
  }

  @Test
  void textNamesRoundTrip() {
    for (DType t : DType.values()) assertSame(t, DType.fromTextName(t.textName()));
    assertNull(DType.fromTextName("float"));
    assertEquals("f32", DType.F32.toString());
  }
}
