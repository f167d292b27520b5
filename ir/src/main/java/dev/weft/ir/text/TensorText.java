package dev.weft.ir.text;

import dev.weft.bundle.DType;
import dev.weft.bundle.MiniFloat;
import dev.weft.bundle.Tensor;
import dev.weft.ir.text.grammar.WirParser.ElementContext;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.math.BigInteger;
import java.util.List;
import org.antlr.v4.runtime.ParserRuleContext;

/**
 * Tensor elements in {@code dense<...> [..]}. Floats travel as raw bits, never through a
 * float conversion that could quieten a NaN; a narrow-float element prints as a decimal
 * only when that decimal encodes back to the same bits, otherwise as {@code 0x} bits.
 */
final class TensorText {
  private TensorText() {}

  private static final ValueLayout.OfShort SHORT = ValueLayout.JAVA_SHORT_UNALIGNED;
  private static final ValueLayout.OfInt INT = ValueLayout.JAVA_INT_UNALIGNED;
  private static final ValueLayout.OfLong LONG = ValueLayout.JAVA_LONG_UNALIGNED;

  static void print(Tensor t, StringBuilder sb) {
    sb.append('[');
    for (long i = 0; i < t.size(); i++) {
      if (i > 0) sb.append(", ");
      sb.append(element(t, i));
    }
    sb.append(']');
  }

  private static String element(Tensor t, long i) {
    DType dt = t.dtype();
    MemorySegment d = t.data();
    return switch (dt) {
      case STRING -> WirSyntax.quote(t.getString(i));
      case BOOL -> t.getBool(i) ? "true" : "false";
      case F32 -> WirSyntax.formatFloatBits(d.getAtIndex(INT, i));
      case F64 -> WirSyntax.formatDoubleBits(d.getAtIndex(LONG, i));
      case C64 -> "(" + WirSyntax.formatFloatBits(d.getAtIndex(INT, 2 * i)) + ", "
          + WirSyntax.formatFloatBits(d.getAtIndex(INT, 2 * i + 1)) + ")";
      case C128 -> "(" + WirSyntax.formatDoubleBits(d.getAtIndex(LONG, 2 * i)) + ", "
          + WirSyntax.formatDoubleBits(d.getAtIndex(LONG, 2 * i + 1)) + ")";
      case U64 -> Long.toUnsignedString(t.getLong(i));
      default -> dt.isNarrowFloat() ? narrowFloat(dt, (int) t.getBits(i)) : Long.toString(t.getLong(i));
    };
  }

  private static String narrowFloat(DType dt, int bits) {
    double v = MiniFloat.decode(dt, bits);
    // Every narrow-float value is exact in float32, so Float.toString is exact and short.
    if (!Double.isNaN(v) && !Double.isInfinite(v) && MiniFloat.encode(dt, (float) v) == bits) return Float.toString((float) v);
    return "0x" + Integer.toHexString(bits);
  }

  /** Builds a tensor from parsed elements; errors name the offending element's position. */
  static Tensor parse(DType dt, long[] shape, List<ElementContext> items, Diag diag, ParserRuleContext where) {
    long n = Tensor.elementCount(shape);
    if (n != items.size()) throw diag.at(where, "expected " + n + " elements for " + dt + shape(shape) + ", found " + items.size());
    if (dt == DType.STRING) {
      String[] s = new String[items.size()];
      for (int i = 0; i < s.length; i++) {
        ElementContext e = items.get(i);
        if (e.STRING() == null) throw diag.at(e, "expected a string element, found " + e.getText());
        s[i] = WirSyntax.unquote(e.STRING().getText());
      }
      return Tensor.ofStrings(shape, s);
    }
    Tensor t = Tensor.zeros(dt, shape);
    for (int i = 0; i < items.size(); i++) {
      ElementContext e = items.get(i);
      try {
        store(t, i, e);
      } catch (IllegalArgumentException ex) {
        throw diag.at(e, ex.getMessage() + " in " + dt + " tensor");
      }
    }
    return t;
  }

  private static void store(Tensor t, int i, ElementContext e) {
    DType dt = t.dtype();
    MemorySegment d = t.data();
    boolean complex = dt == DType.C64 || dt == DType.C128;
    if (dt == DType.BOOL) {
      String w = e.getText();
      if (!w.equals("true") && !w.equals("false")) throw new IllegalArgumentException("expected true or false, found " + w);
      t.setBool(i, w.equals("true"));
      return;
    }
    if (e.number().size() != (complex ? 2 : 1) || e.STRING() != null) {
      throw new IllegalArgumentException("expected " + (complex ? "a (re, im) pair" : "a number") + ", found " + e.getText());
    }
    WirNumber a = WirNumber.of(e.number(0));
    switch (dt) {
      case F32 -> d.setAtIndex(INT, i, a.toFloatBits());
      case F64 -> d.setAtIndex(LONG, i, a.toDoubleBits());
      case C64 -> {
        d.setAtIndex(INT, 2L * i, a.toFloatBits());
        d.setAtIndex(INT, 2L * i + 1, WirNumber.of(e.number(1)).toFloatBits());
      }
      case C128 -> {
        d.setAtIndex(LONG, 2L * i, a.toDoubleBits());
        d.setAtIndex(LONG, 2L * i + 1, WirNumber.of(e.number(1)).toDoubleBits());
      }
      default -> {
        if (dt.isNarrowFloat()) storeNarrow(t, i, a);
        else t.setLong(i, a.toInteger(min(dt), max(dt)).longValue());
      }
    }
  }

  private static void storeNarrow(Tensor t, int i, WirNumber a) {
    DType dt = t.dtype();
    int bits = a.form() == WirNumber.Form.HEX
        ? (int) a.hexBits(dt.bits())
        : MiniFloat.encode(dt, Float.intBitsToFloat(a.toFloatBits()));
    if (dt.byteSize() == 2) t.data().setAtIndex(SHORT, i, (short) bits);
    else t.data().set(ValueLayout.JAVA_BYTE, i, (byte) bits);
  }

  private static BigInteger min(DType dt) {
    return dt.isSigned() ? BigInteger.ONE.shiftLeft(dt.bits() - 1).negate() : BigInteger.ZERO;
  }

  private static BigInteger max(DType dt) {
    int valueBits = dt.isSigned() ? dt.bits() - 1 : dt.bits();
    return BigInteger.ONE.shiftLeft(valueBits).subtract(BigInteger.ONE);
  }

  static String shape(long[] shape) {
    StringBuilder sb = new StringBuilder("[");
    for (int i = 0; i < shape.length; i++) sb.append(i > 0 ? "," : "").append(shape[i]);
    return sb.append(']').toString();
  }
}
