package dev.weft.ir.ops;

import static dev.weft.ir.ops.KernelHarness.assertLongs;
import static dev.weft.ir.ops.KernelHarness.assertValues;
import static dev.weft.ir.ops.KernelHarness.f32;
import static dev.weft.ir.ops.KernelHarness.of;
import static dev.weft.ir.ops.KernelHarness.run;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.weft.bundle.DType;
import dev.weft.bundle.Tensor;
import dev.weft.ir.Attribute;
import dev.weft.ir.IrException;
import dev.weft.ir.TensorType;
import java.util.Map;
import org.junit.jupiter.api.Test;

class CastOpsTest {
  private static Map<String, Attribute> to(DType t) { return Map.of("to", Attribute.of(t)); }

  @Test
  void floatToIntegerTruncatesAndNanIsZero() {
    assertLongs(run("cast", to(DType.I32), f32(2.7f, -2.7f, Float.NaN, 0.5f)), 2, -2, 0, 0);
    assertLongs(run("cast", to(DType.U8), of(DType.I32, 300, -1)), 44, 255);
    Tensor u = run("cast", to(DType.U64), of(DType.F64, 0x1p63, 1.5));
    assertLongs(u, Long.MIN_VALUE, 1);
    assertValues(run("cast", to(DType.F64), u), 0x1p63, 1);
  }

  @Test
  void toBoolIsNonZeroWithNanTrue() {
    assertLongs(run("cast", to(DType.BOOL), f32(0f, -0f, 2f, Float.NaN)), 0, 0, 1, 1);
    assertValues(run("cast", to(DType.F32), Tensor.ofBools(new long[] {2}, true, false)), 1, 0);
  }

  @Test
  void stringsParseSpecialValuesInAnyCase() {
    Tensor s = Tensor.ofStrings(new long[] {8}, "NaN", "INF", "-inf", "+INF", "1e-5", "3.14", "-0", "1E8");
    assertValues(run("cast", to(DType.F64), s), Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY,
        Double.POSITIVE_INFINITY, 1e-5, 3.14, -0.0, 1e8);
    assertLongs(run("cast", to(DType.I64), Tensor.ofStrings(new long[] {3}, "1000", "-7", "100.5")), 1000, -7, 100);
  }

  @Test
  void numbersPrintAsPlainDecimals() {
    Tensor r = run("cast", to(DType.STRING), f32(1f, 0.1f, 1e-5f, 1e20f, -2.5f, Float.NaN, Float.NEGATIVE_INFINITY, 123456.7f));
    assertArrayEquals(new String[] {"1.0", "0.1", "1e-05", "1e+20", "-2.5", "nan", "-inf", "123456.7"}, r.toStringArray());
    assertArrayEquals(new String[] {"-3", "12"}, run("cast", to(DType.STRING), of(DType.I32, -3, 12)).toStringArray());
  }

  @Test
  void float8SaturatesUnlessToldNot() {
    Tensor x = f32(1000f, -1000f, Float.POSITIVE_INFINITY, 1.0f);
    assertValues(run("cast", to(DType.F8E4M3FN), x), 448, -448, 448, 1);
    Map<String, Attribute> noSat = Map.of("to", Attribute.of(DType.F8E4M3FN), "saturate", Attribute.of(0L));
    assertValues(run("cast", noSat, x), Double.NaN, Double.NaN, Double.NaN, 1);
    Map<String, Attribute> e5 = Map.of("to", Attribute.of(DType.F8E5M2), "saturate", Attribute.of(0L));
    assertValues(run("cast", e5, x), 1024, -1024, Double.POSITIVE_INFINITY, 1);
    assertValues(run("cast", to(DType.F8E5M2), x), 1024, -1024, 57344, 1);
  }

  @Test
  void subByteIntegersTruncateAndWrap() {
    assertLongs(run("cast", to(DType.I4), f32(7.6f, -9f, 8f, 2.5f, -0.5f)), 7, 7, -8, 2, 0);
    assertLongs(run("cast", to(DType.U4), f32(20f, -3f, 14.5f)), 4, 13, 14);
    assertLongs(run("cast", to(DType.U2), of(DType.I8, 5, -1, 2)), 1, 3, 2);
  }

  @Test
  void fnuzSaturatesInfinitiesAndE2m1HasNoNan() {
    Tensor x = f32(Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, Float.NaN);
    assertValues(run("cast", to(DType.F8E4M3FNUZ), x), 240, -240, Double.NaN);
    assertValues(run("cast", to(DType.F8E5M2FNUZ), x), 57344, -57344, Double.NaN);
    Map<String, Attribute> noSat = Map.of("to", Attribute.of(DType.F8E4M3FNUZ), "saturate", Attribute.of(0L));
    assertValues(run("cast", noSat, x), Double.NaN, Double.NaN, Double.NaN);
    Tensor f4 = run("cast", to(DType.F4E2M1), f32(Float.NaN, 100f, 0.25f));
    assertEquals(0x8, f4.getBits(0));
    assertValues(f4, -0.0, 6, 0);
  }

  @Test
  void narrowFloatsRoundToNearestEven() {
    // 1 + 2^-11 is halfway between f16 1 and 1 + 2^-10: ties to even gives 1.
    assertValues(run("cast", to(DType.F16), of(DType.F32, 1 + 0x1p-11, 1 + 3 * 0x1p-11)), 1, 1 + 0x1p-9);
    assertValues(run("cast", to(DType.BF16), f32(1.00390625f)), 1);
  }

  @Test
  void bitcastReinterpretsBits() {
    assertLongs(run("bitcast", to(DType.I32), f32(1f, -2f)), 0x3F800000, 0xC0000000L - 0x100000000L);
    assertLongs(run("bitcast", to(DType.U8), of(DType.I8, -1, 5)), 255, 5);
    assertThrows(IrException.class, () -> KernelHarness.infer("bitcast", to(DType.I64), TensorType.of(DType.F32, 2)));
  }

  @Test
  void complexIsRejected() {
    assertThrows(IrException.class, () -> KernelHarness.infer("cast", to(DType.C64), TensorType.of(DType.F32, 2)));
    assertEquals(TensorType.of(DType.I8, 2), KernelHarness.infer("cast", to(DType.I8), TensorType.of(DType.F32, 2)));
  }
}
