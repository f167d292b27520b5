package dev.weft.ir.ops;

import static dev.weft.ir.ops.KernelHarness.assertLongs;
import static dev.weft.ir.ops.KernelHarness.assertValues;
import static dev.weft.ir.ops.KernelHarness.f32;
import static dev.weft.ir.ops.KernelHarness.i64;
import static dev.weft.ir.ops.KernelHarness.of;
import static dev.weft.ir.ops.KernelHarness.run;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.bundle.DType;
import dev.weft.bundle.Tensor;
import dev.weft.ir.Attribute;
import dev.weft.ir.Dim;
import dev.weft.ir.IrException;
import dev.weft.ir.Shape;
import dev.weft.ir.TensorType;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ElementwiseOpsTest {
  private static final double NAN = Double.NaN;
  private static final double INF = Double.POSITIVE_INFINITY;

  @Test
  void integerArithmeticWrapsToTheElementWidth() {
    assertLongs(run("add", of(DType.I8, 127, -128), of(DType.I8, 1, -1)), -128, 127);
    assertLongs(run("mul", of(DType.I32, 65536), of(DType.I32, 65536)), 0);
    assertLongs(run("sub", of(DType.U8, 0), of(DType.U8, 1)), 255);
    assertLongs(run("neg", i64(Long.MIN_VALUE)), Long.MIN_VALUE);
    assertLongs(run("abs", of(DType.I16, -32768, -5)), -32768, 5);
  }

  @Test
  void integerDivisionTruncatesTowardZero() {
    assertLongs(run("div", of(DType.I32, -7, 7, -7, 7), of(DType.I32, 2, -2, -2, 2)), -3, -3, 3, 3);
    // u64 divides as unsigned: 2^64 - 2 over 2 is 2^63 - 1.
    Tensor big = Tensor.zeros(DType.U64, 1);
    big.setLong(0, -2L);
    Tensor two = Tensor.zeros(DType.U64, 1);
    two.setLong(0, 2);
    assertLongs(run("div", big, two), Long.MAX_VALUE);
  }

  @Test
  void modFollowsTheDivisorOrTheDividendSign() {
    Tensor a = of(DType.I32, -7, 7, -7, 7);
    Tensor b = of(DType.I32, 3, -3, -3, 3);
    assertLongs(run("mod", a, b), 2, -2, -1, 1);
    assertLongs(run("mod", Map.of("fmod", Attribute.of(1L)), a, b), -1, 1, -1, 1);
    assertValues(run("mod", Map.of("fmod", Attribute.of(1L)), f32(-7.5f, 7.5f), f32(2f, -2f)), -1.5, 1.5);
    assertValues(run("mod", f32(-7.5f, 7.5f), f32(2f, -2f)), 0.5, -0.5);
  }

  @Test
  void roundIsHalfToEven() {
    assertValues(run("round", f32(0.5f, 1.5f, 2.5f, -0.5f, -1.5f, -2.5f, 2.4f, NaNf())), 0, 2, 2, -0.0, -2, -2, 2, NAN);
    assertValues(run("floor", f32(-1.5f, 1.5f)), -2, 1);
    assertValues(run("ceil", f32(-1.5f, 1.5f)), -1, 2);
  }

  private static float NaNf() { return Float.NaN; }

  @Test
  void nanPropagatesThroughMaxMinAndRelu() {
    assertValues(run("max", f32(Float.NaN, 1f, 2f), f32(1f, Float.NaN, 1f)), NAN, NAN, 2);
    assertValues(run("min", f32(Float.NaN, 1f, 2f), f32(1f, Float.NaN, 1f)), NAN, NAN, 1);
    assertValues(run("relu", f32(Float.NaN, -1f, 3f)), NAN, 0, 3);
    assertValues(run("sign", f32(-2f, 0f, 3f, Float.NaN)), -1, 0, 1, NAN);
  }

  @Test
  void comparisonsGiveBoolAndNanComparesFalse() {
    Tensor r = run("less", f32(1f, Float.NaN, 3f), f32(2f, 1f, 3f));
    assertEquals(DType.BOOL, r.dtype());
    assertLongs(r, 1, 0, 0);
    assertLongs(run("less_equal", f32(1f, Float.NaN, 3f), f32(2f, 1f, 3f)), 1, 0, 1);
    assertLongs(run("equal", f32(Float.NaN, 1f), f32(Float.NaN, 1f)), 0, 1);
    assertLongs(run("greater", f32(1f, Float.NaN, 3f), f32(2f, 1f, 3f)), 0, 0, 0);
    // u64 order is unsigned: 2^63 > 1.
    Tensor big = Tensor.zeros(DType.U64, 1);
    big.setLong(0, Long.MIN_VALUE);
    Tensor one = Tensor.zeros(DType.U64, 1);
    one.setLong(0, 1);
    assertLongs(run("greater", big, one), 1);
    assertLongs(run("max", big, one), Long.MIN_VALUE);
    Tensor s = Tensor.ofStrings(new long[] {2}, "a", "b");
    assertLongs(run("equal", s, Tensor.ofStrings(new long[] {}, "b")), 0, 1);
  }

  @Test
  void powerFollowsTheBaseDtype() {
    assertLongs(run("pow", of(DType.I64, 2, -3, 2), of(DType.I64, 10, 3, -1)), 1024, -27, 0);
    assertLongs(run("pow", of(DType.I32, 1, 2, 3), f32(4f, 5f, 0.5f)), 1, 32, 1);
    assertValues(run("pow", f32(2f, 4f), i64(3, -1)), 8, 0.25);
    assertValues(run("pow", f32(-8f, 2f), f32(1f / 3, 0.5f)), NAN, Math.sqrt(2));
    assertLongs(run("pow", of(DType.I32, 3), of(DType.I32, 21)), (long) (int) 10460353203L);
  }

  @Test
  void bitwiseAndLogicalOps() {
    assertLongs(run("bitwise_and", of(DType.U8, 0xF0, 0xFF), of(DType.U8, 0x3C, 0x0F)), 0x30, 0x0F);
    assertLongs(run("bitwise_not", of(DType.U8, 0, 0xF0)), 255, 0x0F);
    assertLongs(run("bitwise_not", of(DType.I32, 0)), -1);
    assertLongs(run("bit_shift", Map.of("direction", Attribute.of("left")), of(DType.U8, 1, 255), of(DType.U8, 3, 1)), 8, 254);
    assertLongs(run("bit_shift", Map.of("direction", Attribute.of("right")), of(DType.U8, 255, 16), of(DType.U8, 4, 8)), 15, 0);
    Tensor t = Tensor.ofBools(new long[] {4}, true, true, false, false);
    Tensor u = Tensor.ofBools(new long[] {4}, true, false, true, false);
    assertLongs(run("and", t, u), 1, 0, 0, 0);
    assertLongs(run("or", t, u), 1, 1, 1, 0);
    assertLongs(run("xor", t, u), 0, 1, 1, 0);
    assertLongs(run("not", t), 0, 0, 1, 1);
  }

  @Test
  void transcendentalsAndErf() {
    assertValues(run("erf", of(DType.F64, 0, 0.5, 1, -1, 2, 3.5, 7)),
        0, 0.5204998778130465, 0.8427007929497149, -0.8427007929497149, 0.9953222650189527, 0.9999992569016276, 1);
    assertValues(run("asinh", of(DType.F64, 1)), 0.881373587019543);
    assertValues(run("acosh", of(DType.F64, 2)), 1.3169578969248166);
    assertValues(run("atanh", of(DType.F64, 0.5)), 0.5493061443340549);
    assertValues(run("sigmoid", of(DType.F64, 0, -800, 800)), 0.5, 0, 1);
    assertValues(run("reciprocal", f32(4f, 0f)), 0.25, INF);
    assertValues(run("sqrt", f32(-1f)), NAN);
  }

  @Test
  void classification() {
    Tensor x = f32(Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, Float.NaN, 1f);
    assertLongs(run("is_nan", x), 0, 0, 1, 0);
    assertLongs(run("is_inf", x), 1, 1, 0, 0);
    assertLongs(run("is_inf", Map.of("detect_negative", Attribute.of(0L)), x), 1, 0, 0, 0);
    assertLongs(run("is_inf", Map.of("detect_positive", Attribute.of(0L)), x), 0, 1, 0, 0);
  }

  @Test
  void selectBroadcastsAllThreeOperands() {
    Tensor cond = Tensor.ofBools(new long[] {2, 1}, true, false);
    Tensor a = f32(new long[] {3}, 1f, 2f, 3f);
    Tensor b = f32(new long[] {}, -1f);
    Tensor r = run("select", cond, a, b);
    assertArrayEquals(new long[] {2, 3}, r.shape());
    assertValues(r, 1, 2, 3, -1, -1, -1);
    Tensor s = run("select", cond, Tensor.ofStrings(new long[] {1}, "yes"), Tensor.ofStrings(new long[] {1}, "no"));
    assertArrayEquals(new String[] {"yes", "no"}, s.toStringArray());
  }

  @Test
  void narrowFloatsComputeInDoubleAndRound() {
    Tensor r = run("add", of(DType.F16, 1.0), of(DType.F16, 0.0004));
    assertEquals(DType.F16, r.dtype());
    assertValues(r, 1.0);   // 1 + 0.0004 rounds back to 1 in f16 (ulp 2^-10)
    assertValues(run("mul", of(DType.BF16, 3), of(DType.BF16, 1.5)), 4.5);
  }

  @Test
  void broadcastingOnLargerShapes() {
    Tensor a = Tensor.zeros(DType.F32, 2, 3, 4);
    for (int i = 0; i < 24; i++) a.setFloat(i, i);
    Tensor b = f32(new long[] {3, 1}, 100f, 200f, 300f);
    Tensor r = run("add", a, b);
    assertArrayEquals(new long[] {2, 3, 4}, r.shape());
    assertEquals(100f, r.getFloat(0));
    assertEquals(205f, r.getFloat(5));
    assertEquals(323f, r.getFloat(23));
  }

  @Test
  void shapeInferenceKeepsSymbolsAndRejectsBadOperands() {
    TensorType a = TensorType.of(DType.F32, Dim.sym("N"), Dim.of(3));
    TensorType b = TensorType.of(DType.F32, 3);
    assertEquals(a, KernelHarness.infer("add", Map.of(), a, b));
    assertEquals(TensorType.of(DType.BOOL, Dim.sym("N"), Dim.of(3)), KernelHarness.infer("less", Map.of(), a, b));
    TensorType c = TensorType.of(DType.F32, 1, 5);
    assertEquals(TensorType.of(DType.F32, Dim.sym("N"), Dim.of(5)),
        KernelHarness.infer("mul", Map.of(), TensorType.of(DType.F32, Dim.sym("N"), Dim.of(1)), c));
    IrException e = assertThrows(IrException.class, () -> KernelHarness.infer("add", Map.of(), a, TensorType.of(DType.I64, 3)));
    assertTrue(e.getMessage().contains("i64"), e.getMessage());
    assertThrows(IrException.class, () -> KernelHarness.infer("add", Map.of(), TensorType.of(DType.F32, 2, 3), TensorType.of(DType.F32, 4)));
    assertThrows(IrException.class, () -> KernelHarness.infer("sqrt", Map.of(), TensorType.of(DType.I32, 2)));
    assertThrows(IrException.class, () -> KernelHarness.infer("and", Map.of(), TensorType.of(DType.I32, 2), TensorType.of(DType.I32, 2)));
    assertThrows(IrException.class, () -> KernelHarness.infer("select", Map.of(),
        TensorType.of(DType.F32, 2), TensorType.of(DType.F32, 2), TensorType.of(DType.F32, 2)));
    assertEquals(new TensorType(DType.F32, Shape.unranked()),
        KernelHarness.infer("exp", Map.of(), new TensorType(DType.F32, Shape.unranked())));
  }
}
