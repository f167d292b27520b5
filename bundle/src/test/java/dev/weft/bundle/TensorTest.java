package dev.weft.bundle;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class TensorTest {
  @Test
  void everyNumericDTypeStoresAndReads() {
    for (DType t : DType.values()) {
      if (t == DType.STRING) continue;
      Tensor x = Tensor.zeros(t, 2);
      x.setDouble(1, 1.0);
      assertEquals(1.0, x.getDouble(1), t.name());
      assertEquals(1L, x.getLong(1), t.name());
      // e8m0 has no zero: code 0 is 2^-127.
      assertEquals(t == DType.F8E8M0 ? Math.pow(2, -127) : 0.0, x.getDouble(0), t.name());
      assertTrue(x.getBool(1), t.name());
      assertEquals(2L * t.byteSize(), x.byteSize(), t.name());
    }
  }

  @Test
  void integersWrapToTheirWidth() {
    Object[][] cases = {
        {DType.I8, 128L, -128L}, {DType.U8, 256L, 0L}, {DType.U8, -1L, 255L}, {DType.I16, 32768L, -32768L},
        {DType.U16, -1L, 65535L}, {DType.I32, 1L << 31, (long) Integer.MIN_VALUE}, {DType.U32, -1L, 0xFFFFFFFFL},
        {DType.I4, 8L, -8L}, {DType.I4, 7L, 7L}, {DType.U4, 17L, 1L}, {DType.I2, 2L, -2L}, {DType.U2, 5L, 1L},
        {DType.U64, -1L, -1L}, {DType.BOOL, 5L, 1L}};
    for (Object[] c : cases) {
      Tensor x = Tensor.zeros((DType) c[0], 1);
      x.setLong(0, (Long) c[1]);
      assertEquals(c[2], x.getLong(0), c[0] + " <- " + c[1]);
    }
    Tensor u = Tensor.zeros(DType.U64, 1);
    u.setLong(0, -1L);
    assertEquals(18446744073709551615.0, u.getDouble(0));
  }

  @Test
  void floatsAndConversions() {
    Tensor f = Tensor.ofFloats(new long[] {3}, 1.5f, -2.5f, Float.NaN);
    assertEquals(-2.5f, f.getFloat(1));
    assertEquals(-2L, f.getLong(1));              // truncates toward zero
    assertEquals(0L, f.getLong(2));               // NaN -> 0
    Tensor h = Tensor.zeros(DType.F16, 1);
    h.setDouble(0, 0.1);
    assertEquals(0x2E66, h.getBits(0));          // f16 nearest to 0.1
    Tensor i = Tensor.zeros(DType.I32, 1);
    i.setDouble(0, -3.9);
    assertEquals(-3, i.getLong(0));
    Tensor c = Tensor.zeros(DType.C64, 1);
    c.setDouble(0, 2.0);
    assertEquals(2.0, c.getDouble(0));
    Tensor d = Tensor.ofDoubles(new long[] {2}, 1e300, -1e-300);
    assertArrayEquals(new double[] {1e300, -1e-300}, d.toDoubleArray());
  }

  @Test
  void stringsAndBools() {
    Tensor s = Tensor.ofStrings(new long[] {2}, "a", "b");
    s.setString(1, "z");
    assertArrayEquals(new String[] {"a", "z"}, s.toStringArray());
    assertThrows(UnsupportedOperationException.class, () -> s.getDouble(0));
    Tensor b = Tensor.ofBools(new long[] {2}, true, false);
    assertTrue(b.getBool(0));
    assertFalse(b.getBool(1));
  }

  @Test
  void reshapeSharesAndCopyDoesNot() {
    Tensor x = Tensor.ofInts(new long[] {2, 3}, 1, 2, 3, 4, 5, 6);
    Tensor r = x.reshape(3, 2);
    assertArrayEquals(new long[] {3, 2}, r.shape());
    r.setLong(0, 9);
    assertEquals(9, x.getLong(0));               // reshape shares storage
    Tensor c = x.copy();
    c.setLong(0, 7);
    assertEquals(9, x.getLong(0));               // copy does not
    assertTrue(x.contentEquals(r.reshape(2, 3)));
    assertFalse(x.contentEquals(c));
    assertThrows(IllegalArgumentException.class, () -> x.reshape(4, 2));
    long[] shape = x.shape();
    shape[0] = 100;
    assertEquals(2, x.dim(0));                   // shape() is a copy
  }

  @Test
  void shapesAreChecked() {
    assertThrows(IllegalArgumentException.class, () -> Tensor.zeros(DType.F32, -1));
    assertThrows(ArithmeticException.class, () -> Tensor.elementCount(new long[] {1L << 40, 1L << 40}));
    assertThrows(IllegalArgumentException.class, () -> Tensor.ofFloats(new long[] {2}, 1f));
    assertEquals(1, Tensor.elementCount(new long[0]));
    assertEquals(0, Tensor.zeros(DType.F32, 0, 5).size());
  }
}
