package dev.weft.ir.text;

import java.util.regex.Pattern;

/**
 * Spelling shared by printer and parser: which names print bare, string escapes, and the
 * exact spelling of floats. Keeping both directions here is what makes the round trip exact.
 */
final class WirSyntax {
  private WirSyntax() {}

  /** What the grammar's IDENT token matches (keywords are accepted wherever a name is). */
  private static final Pattern IDENT = Pattern.compile("[A-Za-z_][A-Za-z0-9_.$]*");
  /** What may follow {@code %} or {@code @} unquoted. */
  private static final Pattern ID_CHARS = Pattern.compile("[A-Za-z0-9_.$]+");

  static final long CANONICAL_NAN_64 = Double.doubleToRawLongBits(Double.NaN);
  static final int CANONICAL_NAN_32 = Float.floatToRawIntBits(Float.NaN);

  /** A name (op, attribute, dim symbol, dtype): bare when IDENT spells it, else quoted. */
  static String name(String s) { return IDENT.matcher(s).matches() ? s : quote(s); }

  /** A value ({@code %}) or graph ({@code @}) name. */
  static String sigil(char sigil, String s) { return sigil + (ID_CHARS.matcher(s).matches() ? s : quote(s)); }

  /** A string literal; control characters and lone surrogates are escaped so any file encoding keeps them. */
  static String quote(String s) {
    StringBuilder sb = new StringBuilder(s.length() + 2).append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"' -> sb.append("\\\"");
        case '\\' -> sb.append("\\\\");
        case '\n' -> sb.append("\\n");
        case '\r' -> sb.append("\\r");
        case '\t' -> sb.append("\\t");
        default -> {
          boolean pairedSurrogate = Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1));
          if (pairedSurrogate) {
            sb.append(c).append(s.charAt(++i));
          } else if (c < 0x20 || c == 0x7f || Character.isSurrogate(c)) {
            sb.append(String.format("\\u%04x", (int) c));
          } else {
            sb.append(c);
          }
        }
      }
    }
    return sb.append('"').toString();
  }

  /** The text of a STRING token (quotes included), with escapes resolved; the lexer has checked its shape. */
  static String unquote(String token) {
    StringBuilder sb = new StringBuilder(token.length());
    for (int i = 1; i < token.length() - 1; i++) {
      char c = token.charAt(i);
      if (c != '\\') {
        sb.append(c);
        continue;
      }
      char e = token.charAt(++i);
      switch (e) {
        case 'n' -> sb.append('\n');
        case 'r' -> sb.append('\r');
        case 't' -> sb.append('\t');
        case 'u' -> {
          sb.append((char) Integer.parseInt(token.substring(i + 1, i + 5), 16));
          i += 4;
        }
        default -> sb.append(e);
      }
    }
    return sb.toString();
  }

  /** The name in a VALUE_ID or GRAPH_ID token, without its sigil. */
  static String unsigil(String token) {
    String rest = token.substring(1);
    return rest.startsWith("\"") ? unquote(rest) : rest;
  }

  /** Shortest decimal that parses back to the same double; NaN with its payload, infinities by name. */
  static String formatDouble(double d) {
    if (Double.isNaN(d)) {
      long bits = Double.doubleToRawLongBits(d);
      return bits == CANONICAL_NAN_64 ? "nan" : "nan(0x" + Long.toHexString(bits) + ")";
    }
    if (Double.isInfinite(d)) return d > 0 ? "inf" : "-inf";
    return Double.toString(d); // shortest round-tripping repr since JDK 19
  }

  /** As {@link #formatDouble} for float32 raw bits (bits, not a float, so NaN payloads survive). */
  static String formatFloatBits(int bits) {
    float f = Float.intBitsToFloat(bits);
    if ((bits & 0x7f800000) == 0x7f800000 && (bits & 0x007fffff) != 0) {
      return bits == CANONICAL_NAN_32 ? "nan" : "nan(0x" + Integer.toHexString(bits) + ")";
    }
    if (Float.isInfinite(f)) return f > 0 ? "inf" : "-inf";
    return Float.toString(f);
  }

  /** As {@link #formatDouble} for float64 raw bits. */
  static String formatDoubleBits(long bits) {
    if ((bits & 0x7ff0000000000000L) == 0x7ff0000000000000L && (bits & 0x000fffffffffffffL) != 0) {
      return bits == CANONICAL_NAN_64 ? "nan" : "nan(0x" + Long.toHexString(bits) + ")";
    }
    return formatDouble(Double.longBitsToDouble(bits));
  }
}
