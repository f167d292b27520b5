package dev.weft.ir;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.bundle.DType;
import org.junit.jupiter.api.Test;

class ShapeTypeTest {
  @Test
  void dims() {
    assertEquals(5, Dim.of(5).size());
    assertTrue(Dim.of(0).isStatic());
    assertFalse(Dim.sym("batch").isStatic());
    assertEquals(Dim.sym("n"), Dim.sym("n"));
    assertThrows(IllegalArgumentException.class, () -> Dim.of(-1));
    assertThrows(IllegalArgumentException.class, () -> Dim.sym(""));
    assertThrows(IllegalStateException.class, () -> Dim.sym("n").size());
  }

  @Test
  void shapes() {
    Shape s = Shape.of(2, 3, 4);
    assertEquals(3, s.rank());
    assertEquals(24, s.elementCount());
    assertArrayEquals(new long[] {2, 3, 4}, s.sizes());
    assertEquals("[2,3,4]", s.toString());
    Shape sym = Shape.of(Dim.sym("b"), Dim.of(8));
    assertFalse(sym.isStatic());
    assertEquals(-1, sym.elementCount());
    assertEquals("[b,8]", sym.toString());
    assertThrows(IllegalStateException.class, sym::sizes);
    assertEquals(0, Shape.scalar().rank());
    assertEquals(1, Shape.scalar().elementCount());
    assertFalse(Shape.unranked().isRanked());
    assertEquals("[*]", Shape.unranked().toString());
    assertThrows(IllegalStateException.class, () -> Shape.unranked().rank());
    assertThrows(ArithmeticException.class, () -> Shape.of(1L << 40, 1L << 40).elementCount());
    assertEquals(Shape.of(2, 3), Shape.of(2, 3));
  }

  @Test
  void tensorTypes() {
    TensorType t = TensorType.of(DType.F16, 2, 3);
    assertEquals(2, t.rank());
    assertEquals("f16[2,3]", t.toString());
    assertEquals(TensorType.of(DType.F32, 2, 3), t.withDType(DType.F32));
    assertEquals(TensorType.of(DType.F16, 6), t.withShape(Shape.of(6)));
    assertNotEquals(t, t.withDType(DType.BF16));
    assertEquals("seq<f32[1]>", new SequenceType(TensorType.of(DType.F32, 1)).toString());
    assertThrows(NullPointerException.class, () -> new TensorType(null, Shape.scalar()));
  }

  @Test
  void compatibility() {
    TensorType a = TensorType.of(DType.F32, Dim.sym("n"), Dim.of(3));
    assertNull(TypeCompat.mismatch(a, TensorType.of(DType.F32, 7, 3)));
    assertNull(TypeCompat.mismatch(a, new TensorType(DType.F32, Shape.unranked())));
    assertTrue(TypeCompat.mismatch(a, TensorType.of(DType.F32, 7, 4)).contains("dim 1"));
    assertTrue(TypeCompat.mismatch(a, TensorType.of(DType.F32, 3)).contains("rank"));
    assertTrue(TypeCompat.mismatch(a, TensorType.of(DType.I32, 7, 3)).contains("dtype"));
    assertTrue(TypeCompat.mismatch(a, new SequenceType(a)).contains("kind"));
    assertEquals(24, TypeCompat.byteSize(TensorType.of(DType.F64, 3)));
    assertEquals(-1, TypeCompat.byteSize(a));
    assertEquals(Long.MAX_VALUE, TypeCompat.byteSize(TensorType.of(DType.F32, 1L << 62, 4)));
  }
}
