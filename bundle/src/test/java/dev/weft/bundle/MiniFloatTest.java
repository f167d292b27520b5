package dev.weft.bundle;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** Known bit patterns of each narrow format against hand-computed values, and the ONNX Cast rules. */
class MiniFloatTest {
  private static double dec(DType t, int bits) { return MiniFloat.decode(t, bits); }

  private static int enc(DType t, double v) { return MiniFloat.encode(t, v, true); }

  private static int encNoSat(DType t, double v) { return MiniFloat.encode(t, v, false); }

  @Test
  void float16Decode() {
    assertEquals(1.0, dec(DType.F16, 0x3C00));
    assertEquals(-2.0, dec(DType.F16, 0xC000));
    assertEquals(65504.0, dec(DType.F16, 0x7BFF));
    assertEquals(Math.pow(2, -24), dec(DType.F16, 0x0001));          // smallest subnormal
    assertEquals(Math.pow(2, -14), dec(DType.F16, 0x0400));          // smallest normal
    assertEquals(Double.POSITIVE_INFINITY, dec(DType.F16, 0x7C00));
    assertTrue(Double.isNaN(dec(DType.F16, 0x7E00)));
  }

  @Test
  void float16EncodeTiesToEven() {
    // Between 1 and 1+2^-10 the tie 1+2^-11 goes to the even mantissa (1.0).
    assertEquals(0x3C00, enc(DType.F16, 1 + Math.pow(2, -11)));
    // Between 1+2^-10 (odd) and 1+2^-9 the tie goes up.
    assertEquals(0x3C02, enc(DType.F16, 1 + 3 * Math.pow(2, -11)));
    // Just above the tie rounds up, even though double->float alone would land on the tie.
    assertEquals(0x3C01, enc(DType.F16, 1 + Math.pow(2, -11) + Math.pow(2, -40)));
    assertEquals(0x7C00, enc(DType.F16, 65520.0));   // rounds past max to inf (no saturation in f16)
    assertEquals(0x7BFF, enc(DType.F16, 65519.0));
  }

  @Test
  void bfloat16() {
    assertEquals(1.0, dec(DType.BF16, 0x3F80));
    assertEquals(-1.5, dec(DType.BF16, 0xBFC0));
    assertEquals(0x3F80, enc(DType.BF16, 1 + Math.pow(2, -8)));         // tie to even (down)
    assertEquals(0x3F82, enc(DType.BF16, 1 + 3 * Math.pow(2, -8)));     // tie to even (up)
    assertEquals(0x3F81, enc(DType.BF16, 1 + Math.pow(2, -8) + Math.pow(2, -30)));
    assertTrue(Double.isNaN(dec(DType.BF16, enc(DType.BF16, Double.NaN))));
    assertEquals(0x7F80, enc(DType.BF16, Double.POSITIVE_INFINITY));
  }

  @Test
  void e4m3fn() {
    DType t = DType.F8E4M3FN;
    assertEquals(1.0, dec(t, 0x38));                      // e=7 (bias 7), m=0
    assertEquals(448.0, dec(t, 0x7E));                    // max: 1.75 * 2^8
    assertEquals(-448.0, dec(t, 0xFE));
    assertEquals(Math.pow(2, -9), dec(t, 0x01));          // smallest subnormal: 1/8 * 2^-6
    assertTrue(Double.isNaN(dec(t, 0x7F)));
    assertTrue(Double.isNaN(dec(t, 0xFF)));
    assertEquals(-0.0, dec(t, 0x80));
    assertEquals(0x80, enc(t, -0.0));
    // 1.0625 is halfway between 1 (m=0) and 1.125 (m=1): even wins.
    assertEquals(0x38, enc(t, 1.0625));
    assertEquals(0x3A, enc(t, 1.1875));                    // halfway 1.125/1.25: to m=2
    assertEquals(0x7E, enc(t, 464.0));                     // tie between 448 and 480 (not representable): 448
    // Saturating: out of range and infinities clamp to +-448.
    assertEquals(0x7E, enc(t, 1e6));
    assertEquals(0xFE, enc(t, Double.NEGATIVE_INFINITY));
    // Not saturating: NaN, keeping the sign.
    assertTrue(Double.isNaN(dec(t, encNoSat(t, 1e6))));
    assertEquals(0x7F, encNoSat(t, Double.POSITIVE_INFINITY));
    assertEquals(0xFF, encNoSat(t, Double.NEGATIVE_INFINITY));
    assertTrue(Double.isNaN(dec(t, enc(t, Double.NaN))));
  }

  @Test
  void e4m3fnuz() {
    DType t = DType.F8E4M3FNUZ;
    assertEquals(1.0, dec(t, 0x40));                      // bias 8
    assertEquals(240.0, dec(t, 0x7F));                    // max: 1.875 * 2^7
    assertTrue(Double.isNaN(dec(t, 0x80)));               // the only NaN; no -0
    assertEquals(0x00, enc(t, -0.0));
    assertEquals(0x7F, enc(t, 1e6));
    assertEquals(0xFF, enc(t, -1e6));
    // ONNX's Cast tests: saturation clamps infinities to +-max in fnuz types too.
    assertEquals(0x7F, enc(t, Double.POSITIVE_INFINITY));
    assertEquals(0xFF, enc(t, Double.NEGATIVE_INFINITY));
    assertEquals(0x80, encNoSat(t, Double.POSITIVE_INFINITY));
    assertEquals(0x80, encNoSat(t, 1e6));
    assertEquals(0x80, enc(t, Double.NaN));
  }

  @Test
  void e5m2() {
    DType t = DType.F8E5M2;
    assertEquals(1.0, dec(t, 0x3C));                      // bias 15
    assertEquals(57344.0, dec(t, 0x7B));                  // max: 1.75 * 2^15
    assertEquals(Double.POSITIVE_INFINITY, dec(t, 0x7C));
    assertEquals(Double.NEGATIVE_INFINITY, dec(t, 0xFC));
    assertTrue(Double.isNaN(dec(t, 0x7D)));
    assertEquals(Math.pow(2, -16), dec(t, 0x01));         // smallest subnormal: 1/4 * 2^-14
    assertEquals(0x3C, enc(t, 1.125));                    // tie between 1 and 1.25: even
    assertEquals(0x3E, enc(t, 1.375));                    // tie between 1.25 and 1.5: even (m=2)
    assertEquals(0x7B, enc(t, Double.POSITIVE_INFINITY)); // saturating
    assertEquals(0xFB, enc(t, -1e9));
    assertEquals(0x7C, encNoSat(t, Double.POSITIVE_INFINITY));
    assertEquals(0xFC, encNoSat(t, -1e9));
    assertEquals(0x7B, encNoSat(t, 61439.0));             // below the tie at 61440 rounds to max
    assertTrue(Double.isNaN(dec(t, enc(t, Double.NaN))));
  }

  @Test
  void e5m2fnuz() {
    DType t = DType.F8E5M2FNUZ;
    assertEquals(1.0, dec(t, 0x40));                      // bias 16
    assertEquals(57344.0, dec(t, 0x7F));                  // max: 1.75 * 2^15
    assertTrue(Double.isNaN(dec(t, 0x80)));
    assertEquals(0x7F, enc(t, 1e9));
    assertEquals(0x7F, enc(t, Double.POSITIVE_INFINITY));
    assertEquals(0x80, encNoSat(t, Double.POSITIVE_INFINITY));
    assertEquals(0x80, encNoSat(t, 1e9));
    assertEquals(0x00, enc(t, -0.0));
  }

  @Test
  void e2m1() {
    DType t = DType.F4E2M1;
    double[] expected = {0, 0.5, 1, 1.5, 2, 3, 4, 6};
    for (int c = 0; c < 8; c++) {
      assertEquals(expected[c], dec(t, c), "code " + c);
      assertEquals(-expected[c], dec(t, c | 8), "code " + (c | 8));
    }
    assertEquals(0x2, enc(t, 1.25));   // tie 1 (m=0) / 1.5 (m=1): even
    assertEquals(0x4, enc(t, 1.75));   // tie 1.5 / 2: even (2)
    assertEquals(0x4, enc(t, 2.5));    // tie 2 / 3
    assertEquals(0x6, enc(t, 5.0));    // tie 4 / 6: even (4 is m=0)
    assertEquals(0x0, enc(t, 0.25));   // tie 0 / 0.5
    assertEquals(0x7, enc(t, 100));
    assertEquals(0xF, enc(t, Double.NEGATIVE_INFINITY));
    assertEquals(0x8, enc(t, Double.NaN));   // no NaN in e2m1: ONNX's Cast tests expect 0x8 (-0)
  }

  @Test
  void e8m0() {
    DType t = DType.F8E8M0;
    assertEquals(1.0, dec(t, 127));
    assertEquals(Math.pow(2, -127), dec(t, 0));
    assertEquals(Math.pow(2, 127), dec(t, 254));
    assertTrue(Double.isNaN(dec(t, 0xFF)));
    assertEquals(127, enc(t, 1.0));
    assertEquals(128, enc(t, 1.25));   // round_mode "up": away from zero to 2
    assertEquals(128, enc(t, 2.0));
    assertEquals(127, enc(t, 0.75));   // up from 0.75 is 1
    assertEquals(126, enc(t, 0.5));
    assertEquals(0xFE, enc(t, Double.POSITIVE_INFINITY));
    assertEquals(0xFF, encNoSat(t, Double.POSITIVE_INFINITY));
    assertEquals(0xFF, enc(t, Double.NaN));
  }

  @Test
  void everyTabulatedCodeRoundTrips() {
    for (DType t : new DType[] {DType.F8E4M3FN, DType.F8E4M3FNUZ, DType.F8E5M2, DType.F8E5M2FNUZ}) {
      for (int c = 0; c < 256; c++) {
        double v = dec(t, c);
        if (Double.isNaN(v)) continue;
        assertEquals(c, MiniFloat.encode(t, v, false), t + " code " + c);
      }
    }
  }
}
