package dev.weft.bundle;

import java.util.Arrays;

/**
 * Encoding and decoding of the narrow float formats (float16, bfloat16, the float8 variants,
 * float4 e2m1 and e8m0). Decoding is exact; encoding rounds to nearest, ties to even, as the
 * ONNX spec's reference implementation does, with optional saturation for the float8 types.
 */
public final class MiniFloat {
  private MiniFloat() {}

  /** One sub-16-bit format, fully tabulated: 256 (or 16) codes are few enough to list. */
  private static final class Format {
    final double[] decoded;      // code -> value
    final double[] positives;    // sorted distinct finite non-negative values
    final int[] positiveCodes;   // their codes
    final double max;
    final double overflowAt;     // |x| >= this rounds past max
    final boolean hasInf;
    final boolean unsignedZero;  // fnuz types have no -0
    final int signBit;
    final int nanCode;

    Format(int ebits, int mbits, int bias, boolean hasInf, boolean fnuz, boolean fnNan, boolean hasNan) {
      int total = 1 + ebits + mbits;
      int codes = 1 << total;
      signBit = 1 << (total - 1);
      hasInf = hasInf;
      this.hasInf = hasInf;
      unsignedZero = fnuz;
      decoded = new double[codes];
      int maxE = (1 << ebits) - 1;
      int maxM = (1 << mbits) - 1;
      int nan = -1;
      for (int c = 0; c < codes; c++) {
        boolean neg = (c & signBit) != 0;
        int e = (c >> mbits) & maxE;
        int m = c & maxM;
        double v;
        if (fnuz && c == signBit) {
          v = Double.NaN;
          nan = c;
        } else if (hasInf && e == maxE) {
          v = m == 0 ? Double.POSITIVE_INFINITY : Double.NaN;
          if (m != 0 && nan < 0) nan = c;
        } else if (fnNan && e == maxE && m == maxM) {
          v = Double.NaN;
          if (nan < 0) nan = c;
        } else if (e == 0) {
          v = m * Math.pow(2, 1 - bias - mbits);
        } else {
          v = (1 + m / (double) (1 << mbits)) * Math.pow(2, e - bias);
        }
        decoded[c] = neg && !Double.isNaN(v) ? -v : v;
      }
      nanCode = hasNan ? nan : -1;
      int n = 0;
      double[] pv = new double[codes];
      int[] pc = new int[codes];
      for (int c = 0; c < signBit; c++) {
        double v = decoded[c];
        if (!Double.isNaN(v) && !Double.isInfinite(v)) {
          pv[n] = v;
          pc[n] = c;
          n++;
        }
      }
      positives = Arrays.copyOf(pv, n);
      positiveCodes = Arrays.copyOf(pc, n);
      max = positives[n - 1];
      double ulp = max - positives[n - 2];
      // The code after max would have an even mantissa exactly when max's is odd.
      boolean maxOdd = (positiveCodes[n - 1] & 1) == 1;
      overflowAt = max + ulp / 2 + (maxOdd ? 0 : Math.ulp(max));
    }

    int encode(double x, boolean saturate) {
      // f4e2m1 has no NaN: the ONNX Cast node tests' oracle maps NaN to 0x8 (-0).
      if (Double.isNaN(x)) return nanCode >= 0 ? nanCode : signBit;
      boolean neg = x < 0 || (x == 0 && 1 / x < 0);
      double a = Math.abs(x);
      int sign = neg && !(unsignedZero && a == 0) ? signBit : 0;
      // ONNX Cast (as its node tests' oracle computes it): in the fnuz types an infinity
      // saturates to +-max like any large value, and becomes NaN only without saturation.
      if (Double.isInfinite(a) && unsignedZero && !saturate) return nanCode;
      if (Double.isInfinite(a) || a >= overflowAt) {
        if (saturate || nanCode < 0) return sign | positiveCodes[positives.length - 1];
        if (hasInf) return sign | ((signBit - 1) & ~((1 << mantissaBitsOf()) - 1));
        // e4m3fn keeps the sign on NaN (-Inf -> -NaN, 0xFF); fnuz has one NaN, 0x80.
        return unsignedZero ? nanCode : sign | nanCode;
      }
      int idx = Arrays.binarySearch(positives, a);
      int code;
      if (idx >= 0) {
        code = positiveCodes[idx];
      } else {
        int hi = -idx - 1;
        if (hi >= positives.length) {
          code = positiveCodes[positives.length - 1];
        } else {
          int lo = hi - 1;
          double dl = a - positives[lo];
          double dh = positives[hi] - a;
          if (dl < dh) code = positiveCodes[lo];
          else if (dh < dl) code = positiveCodes[hi];
          else code = (positiveCodes[lo] & 1) == 0 ? positiveCodes[lo] : positiveCodes[hi];
        }
      }
      if (code == 0 && unsignedZero) return 0;
      return sign | code;
    }

    private int mantissaBitsOf() {
      // Only e5m2 has infinities among the tabulated formats.
      return 2;
    }
  }

  private static final Format E4M3FN = new Format(4, 3, 7, false, false, true, true);
  private static final Format E4M3FNUZ = new Format(4, 3, 8, false, true, false, true);
  private static final Format E5M2 = new Format(5, 2, 15, true, false, false, true);
  private static final Format E5M2FNUZ = new Format(5, 2, 16, false, true, false, true);
  private static final Format E2M1 = new Format(2, 1, 1, false, false, false, false);

  private static Format format(DType t) {
    return switch (t) {
      case F8E4M3FN -> E4M3FN;
      case F8E4M3FNUZ -> E4M3FNUZ;
      case F8E5M2 -> E5M2;
      case F8E5M2FNUZ -> E5M2FNUZ;
      case F4E2M1 -> E2M1;
      default -> throw new IllegalArgumentException("not a tabulated mini-float: " + t);
    };
  }

  /** Decodes the stored bits of a narrow float element. */
  public static double decode(DType t, int bits) {
    return switch (t) {
      case F16 -> Float.float16ToFloat((short) bits);
      case BF16 -> Float.intBitsToFloat((bits & 0xFFFF) << 16);
      case F8E8M0 -> (bits & 0xFF) == 0xFF ? Double.NaN : Math.pow(2, (bits & 0xFF) - 127);
      default -> format(t).decoded[bits & (t == DType.F4E2M1 ? 0xF : 0xFF)];
    };
  }

  /** Encodes a value (round to nearest even); {@code saturate} clamps out-of-range float8 values. */
  public static int encode(DType t, double v, boolean saturate) {
    return switch (t) {
      case F16 -> Float.floatToFloat16(toFloatRoundOdd(v)) & 0xFFFF;
      case BF16 -> bf16Bits(toFloatRoundOdd(v));
      case F8E8M0 -> e8m0Bits(v, saturate);
      default -> format(t).encode(v, saturate);
    };
  }

  /** Encodes with the default of ONNX's Cast: saturate for float8, plain rounding otherwise. */
  public static int encode(DType t, double v) { return encode(t, v, true); }

  /**
   * Double to float rounding to odd. Rounding twice to nearest (double to float to half) can
   * land on the wrong side of a tie; rounding to odd first cannot, since float keeps more than
   * two bits beyond f16's and bf16's mantissas.
   */
  static float toFloatRoundOdd(double v) {
    float f = (float) v;
    if (Double.isNaN(v) || Double.isInfinite(v) || f == v) return f;
    if ((Float.floatToRawIntBits(f) & 1) == 0) f = Math.nextAfter(f, v);
    return f;
  }

  static int bf16Bits(float f) {
    int bits = Float.floatToRawIntBits(f);
    if (Float.isNaN(f)) return ((bits >>> 16) | 0x40) & 0xFFFF;
    int rounding = 0x7FFF + ((bits >>> 16) & 1);
    return ((bits + rounding) >>> 16) & 0xFFFF;
  }

  private static int e8m0Bits(double v, boolean saturate) {
    if (Double.isNaN(v) || v <= 0) return v == 0 ? 0 : 0xFF;
    if (Double.isInfinite(v)) return saturate ? 0xFE : 0xFF;
    int e = Math.getExponent(v);
    // ONNX Cast's default round_mode "up" rounds away from zero: any value between two powers
    // of two goes to the larger one (so an MX scale never makes a block overflow).
    if (v != Math.scalb(1.0, e)) e++;
    int code = e + 127;
    if (code < 0) return 0;
    if (code > 0xFE) return saturate ? 0xFE : 0xFF;
    return code;
  }
}
