package dev.weft.ir.ops;

import dev.weft.bundle.DType;
import dev.weft.bundle.MiniFloat;
import dev.weft.bundle.Tensor;
import dev.weft.ir.Attribute;
import dev.weft.ir.OpDef;
import dev.weft.ir.OpLibrary;
import dev.weft.ir.interp.KernelContext;
import java.lang.foreign.ValueLayout;
import java.math.BigDecimal;
import java.util.List;
import java.util.Locale;

/**
 * {@code cast}: element type conversion as ONNX Cast defines it. Floats to integers truncate
 * toward zero (NaN gives 0) and wrap to the width (the 4- and 2-bit types too); anything to bool is "not zero" (NaN is true); floats to narrower floats round to
 * nearest even; float8 targets saturate unless {@code saturate=0}; strings parse and print
 * decimal numbers, with "INF", "+INF", "-INF" and "NaN" in any case.
 */
public final class CastOps implements OpLibrary {
  @Override
  public List<OpDef> ops() {
    return List.of(bitcast(), OpDef.core("cast").inputs(1)
        .required("to", Attribute.Kind.DTYPE)
        .attr("saturate", Attribute.of(1L))
        .infer(c -> {
          DType to = c.attrs().getDType("to");
          DType from = c.dtype(0);
          if (to.kind() == DType.Kind.COMPLEX || from.kind() == DType.Kind.COMPLEX) {
            throw c.fail("cast between complex and " + (to.kind() == DType.Kind.COMPLEX ? from : to) + " is not supported");
          }
          return List.of(c.tensor(0).withDType(to));
        })
        .kernel(CastOps::run)
        .doc("Converts elements to dtype `to`; saturate=0 lets float8 overflow to inf/NaN.")
        .build());
  }

  /** {@code bitcast}: the same bytes read as another dtype of the same width; shape unchanged. */
  private static OpDef bitcast() {
    return OpDef.core("bitcast").inputs(1)
        .required("to", Attribute.Kind.DTYPE)
        .infer(c -> {
          DType to = c.attrs().getDType("to");
          DType from = c.dtype(0);
          if (from == DType.STRING || to == DType.STRING || from.bits() != to.bits() || from.byteSize() != to.byteSize()) {
            throw c.fail("bitcast needs element types of one width, got " + from + " to " + to);
          }
          return List.of(c.tensor(0).withDType(to));
        })
        .kernel(c -> {
          Tensor x = c.tensor(0);
          Tensor y = Tensor.zeros(c.attrs().getDType("to"), x.shape());
          java.lang.foreign.MemorySegment.copy(x.data(), 0, y.data(), 0, x.byteSize());
          return new Object[] {y};
        })
        .doc("Reinterprets the bits of each element as dtype `to` (same width); bool is one byte, 0 or 1.")
        .build();
  }

  private static Object[] run(KernelContext c) {
    Tensor x = c.tensor(0);
    DType to = c.attrs().getDType("to");
    boolean saturate = c.attrs().getBool("saturate");
    return new Object[] {cast(x, to, saturate)};
  }

  /** Casts a whole tensor; public so constant folding and importers can reuse it. */
  public static Tensor cast(Tensor x, DType to, boolean saturate) {
    DType from = x.dtype();
    long n = x.size();
    if (from == to) return x;
    Tensor y = Tensor.zeros(to, x.shape());
    if (to == DType.STRING) {
      for (long i = 0; i < n; i++) y.setString(i, format(x, i));
      return y;
    }
    if (from == DType.STRING) {
      for (long i = 0; i < n; i++) store(y, i, x.getString(i), saturate);
      return y;
    }
    if (to == DType.F32 && from != DType.U64 && from != DType.I64) {
      float[] out = new float[Math.toIntExact(n)];
      for (int i = 0; i < out.length; i++) out[i] = x.getFloat(i);
      return Tensor.ofFloats(x.shape(), out);
    }
    boolean fromInt = from.isInteger() || from == DType.BOOL;
    for (long i = 0; i < n; i++) {
      if (fromInt && !to.isFloat()) y.setLong(i, x.getLong(i));
      else storeDouble(y, i, x.getDouble(i), saturate);
    }
    return y;
  }

  private static void storeDouble(Tensor y, long i, double v, boolean saturate) {
    DType t = y.dtype();
    if (t.isFloat()) {
      if (t.byteSize() == 1) y.data().set(ValueLayout.JAVA_BYTE, i, (byte) narrowBits(t, v, saturate));
      else y.setDouble(i, v);
    } else if (t == DType.BOOL) {
      y.setBool(i, v != 0 || Double.isNaN(v));
    } else if (t == DType.U64 && v >= 0x1p63) {
      y.setLong(i, v >= 0x1p64 ? -1L : (long) (v - 0x1p63) + Long.MIN_VALUE);
    } else {
      // Truncate toward zero, then wrap to the width (sub-byte types too, as ONNX's tests expect).
      y.setLong(i, Double.isNaN(v) ? 0 : (long) v);
    }
  }

  static int narrowBits(DType t, double v, boolean saturate) { return MiniFloat.encode(t, v, saturate); }

  private static void store(Tensor y, long i, String s, boolean saturate) {
    DType t = y.dtype();
    String v = s.strip();
    if (t.isInteger()) {
      try {
        y.setLong(i, t == DType.U64 ? Long.parseUnsignedLong(v) : Long.parseLong(v));
        return;
      } catch (NumberFormatException e) {
        // fall through: "100.5" casts to 100 through the float value
      }
    }
    if (t == DType.BOOL && (v.equalsIgnoreCase("true") || v.equalsIgnoreCase("false"))) {
      y.setBool(i, v.equalsIgnoreCase("true"));
      return;
    }
    storeDouble(y, i, parse(v), saturate);
  }

  /** Parses a decimal or scientific number, or INF/+INF/-INF/NaN in any case; junk gives NaN. */
  public static double parse(String s) {
    String u = s.strip().toUpperCase(Locale.ROOT);
    switch (u) {
      case "INF", "+INF", "INFINITY", "+INFINITY": return Double.POSITIVE_INFINITY;
      case "-INF", "-INFINITY": return Double.NEGATIVE_INFINITY;
      case "NAN", "+NAN", "-NAN": return Double.NaN;
      default:
        try {
          if (u.isEmpty() || u.endsWith("D") || u.endsWith("F") || u.startsWith("0X")) return Double.NaN;
          return Double.parseDouble(u);
        } catch (NumberFormatException e) {
          return Double.NaN;
        }
    }
  }

  /** Formats one element as numpy's {@code astype(str)} would. */
  static String format(Tensor x, long i) {
    DType t = x.dtype();
    if (t == DType.BOOL) return x.getBool(i) ? "True" : "False";
    if (t == DType.U64) return Long.toUnsignedString(x.getLong(i));
    if (t.isInteger()) return Long.toString(x.getLong(i));
    double v = x.getDouble(i);
    if (Double.isNaN(v)) return "nan";
    if (Double.isInfinite(v)) return v > 0 ? "inf" : "-inf";
    // Shortest digits that round-trip in the source precision, printed as Python's repr does.
    String shortest = t == DType.F64 ? Double.toString(v) : Float.toString((float) v);
    return pythonRepr(new BigDecimal(shortest), v);
  }

  private static String pythonRepr(BigDecimal d, double v) {
    if (d.signum() == 0) return (1 / v < 0) ? "-0.0" : "0.0";
    BigDecimal s = d.stripTrailingZeros();
    String digits = s.unscaledValue().abs().toString();
    int exp = digits.length() - 1 - s.scale();   // decimal exponent of the leading digit
    String sign = s.signum() < 0 ? "-" : "";
    if (exp < -4 || exp >= 16) {
      String mant = digits.length() == 1 ? digits : digits.charAt(0) + "." + digits.substring(1);
      return sign + mant + "e" + (exp < 0 ? "-" : "+") + String.format(Locale.ROOT, "%02d", Math.abs(exp));
    }
    String plain = s.abs().toPlainString();
    if (!plain.contains(".")) plain = plain + ".0";
    return sign + plain;
  }
}
