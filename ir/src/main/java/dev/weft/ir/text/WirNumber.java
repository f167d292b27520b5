package dev.weft.ir.text;

import dev.weft.ir.text.grammar.WirParser.NumberContext;
import java.math.BigInteger;

/**
 * A number literal as written, converted only once the target (attribute kind, tensor dtype)
 * is known, so each target gets the exact parse it needs (float32 digits as float32, raw bits
 * for NaN payloads and narrow floats). Conversions throw IllegalArgumentException with a
 * message; the builder adds the position.
 */
record WirNumber(Form form, boolean negative, String digits) {
  enum Form { INT, FLOAT, INF, NAN, NAN_BITS, HEX }

  static WirNumber of(NumberContext c) {
    boolean neg = c.getChild(0).getText().equals("-");
    if (c.HEX() != null) {
      String hex = c.HEX().getText().substring(2);
      return new WirNumber(c.getChildCount() > 1 ? Form.NAN_BITS : Form.HEX, false, hex);
    }
    if (c.INT() != null) return new WirNumber(Form.INT, neg, c.INT().getText());
    if (c.FLOAT() != null) return new WirNumber(Form.FLOAT, neg, c.FLOAT().getText());
    String word = c.getChild(c.getChildCount() - 1).getText();
    return new WirNumber(word.equals("inf") ? Form.INF : Form.NAN, neg, word);
  }

  boolean isInteger() { return form == Form.INT; }

  String describe() {
    return switch (form) {
      case NAN_BITS -> "nan(0x" + digits + ")";
      case HEX -> "0x" + digits;
      default -> (negative ? "-" : "") + digits;
    };
  }

  /** The value as an integer within [min, max]. */
  BigInteger toInteger(BigInteger min, BigInteger max) {
    if (form != Form.INT) throw new IllegalArgumentException("expected an integer, found " + describe());
    BigInteger v = new BigInteger(digits);
    if (negative) v = v.negate();
    if (v.compareTo(min) < 0 || v.compareTo(max) > 0) {
      throw new IllegalArgumentException("integer " + v + " is out of range [" + min + ", " + max + "]");
    }
    return v;
  }

  long toLong() {
    return toInteger(BigInteger.valueOf(Long.MIN_VALUE), BigInteger.valueOf(Long.MAX_VALUE)).longValue();
  }

  /** Raw float64 bits. */
  long toDoubleBits() {
    return switch (form) {
      case INT, FLOAT -> Double.doubleToRawLongBits(Double.parseDouble(signed()));
      case INF -> Double.doubleToRawLongBits(negative ? Double.NEGATIVE_INFINITY : Double.POSITIVE_INFINITY);
      case NAN -> WirSyntax.CANONICAL_NAN_64 | (negative ? Long.MIN_VALUE : 0);
      case NAN_BITS -> hexBits(64);
      case HEX -> throw new IllegalArgumentException("expected a float, found " + describe());
    };
  }

  /** Raw float32 bits; decimal digits are parsed as float32 directly (no double rounding). */
  int toFloatBits() {
    return switch (form) {
      case INT, FLOAT -> Float.floatToRawIntBits(Float.parseFloat(signed()));
      case INF -> Float.floatToRawIntBits(negative ? Float.NEGATIVE_INFINITY : Float.POSITIVE_INFINITY);
      case NAN -> WirSyntax.CANONICAL_NAN_32 | (negative ? Integer.MIN_VALUE : 0);
      case NAN_BITS -> (int) hexBits(32);
      case HEX -> throw new IllegalArgumentException("expected a float, found " + describe());
    };
  }

  double toDouble() { return Double.longBitsToDouble(toDoubleBits()); }

  /** The bits of a hex literal, which must fit in {@code width} bits. */
  long hexBits(int width) {
    if (form != Form.HEX && form != Form.NAN_BITS) throw new IllegalArgumentException("expected raw bits (0x...), found " + describe());
    BigInteger v = new BigInteger(digits, 16);
    if (v.bitLength() > width) throw new IllegalArgumentException("0x" + digits + " does not fit in " + width + " bits");
    return v.longValue();
  }

  private String signed() { return negative ? "-" + digits : digits; }
}
