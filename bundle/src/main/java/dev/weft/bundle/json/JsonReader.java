package dev.weft.bundle.json;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A strict RFC 8259 JSON parser for bundle files. Objects become insertion-ordered
 * {@code Map<String, Object>}, arrays {@code List<Object>}, integers without fraction or exponent
 * {@code Long}, other numbers {@code Double}, and {@code true}/{@code false}/{@code null} become
 * {@code Boolean}/{@code null}. Both collections are unmodifiable.
 *
 * <p>Strict because bundles are untrusted input: no comments, trailing commas, NaN, leading zeros,
 * unescaped control characters, unpaired surrogates, duplicate keys or trailing content; the
 * input must be valid UTF-8. Nesting depth and input size are bounded, and the parser is
 * iterative over arrays and recursive only per nesting level, so deep input fails with a typed
 * error rather than a stack overflow. Every error reads {@code <source>:<line>:<column>: ...}.
 */
public final class JsonReader {
  /** Nesting depth limit: far above any bundle file, far below the stack. */
  public static final int DEFAULT_MAX_DEPTH = 64;
  /** Input size limit for {@link #parse(String, byte[])}: manifests and programs are small. */
  public static final long DEFAULT_MAX_BYTES = 256L << 20;

  private final String source;
  private final String text;
  private final int maxDepth;
  private int pos;

  private JsonReader(String source, String text, int maxDepth) {
    this.source = source;
    this.text = text;
    this.maxDepth = maxDepth;
  }

  /** Parses UTF-8 bytes with the default limits; {@code source} names the file in errors. */
  public static Object parse(String source, byte[] utf8) {
    return parse(source, utf8, DEFAULT_MAX_DEPTH, DEFAULT_MAX_BYTES);
  }

  public static Object parse(String source, byte[] utf8, int maxDepth, long maxBytes) {
    if (utf8.length > maxBytes) {
      throw new JsonException(source + ": " + utf8.length + " bytes of JSON, more than the limit of " + maxBytes);
    }
    String text;
    try {
      text = StandardCharsets.UTF_8.newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(utf8)).toString();
    } catch (CharacterCodingException e) {
      throw new JsonException(source + ": not valid UTF-8 (" + e.getMessage() + ")");
    }
    return parseText(source, text, maxDepth);
  }

  /** Parses text already decoded. */
  public static Object parseText(String source, String text, int maxDepth) {
    JsonReader r = new JsonReader(source, text, maxDepth);
    r.skipWhitespace();
    Object v = r.value(0);
    r.skipWhitespace();
    if (r.pos < text.length()) throw r.error("unexpected content after the JSON value");
    return v;
  }

  private Object value(int depth) {
    if (pos >= text.length()) throw error("unexpected end of input, expected a value");
    char c = text.charAt(pos);
    return switch (c) {
      case '{' -> object(depth + 1);
      case '[' -> array(depth + 1);
      case '"' -> string();
      case 't' -> literal("true", Boolean.TRUE);
      case 'f' -> literal("false", Boolean.FALSE);
      case 'n' -> literal("null", null);
      default -> {
        if (c == '-' || (c >= '0' && c <= '9')) yield number();
        throw error("unexpected character " + describe(c) + ", expected a value");
      }
    };
  }

  private Map<String, Object> object(int depth) {
    checkDepth(depth);
    pos++; // '{'
    Map<String, Object> map = new LinkedHashMap<>();
    skipWhitespace();
    if (peek() == '}') {
      pos++;
      return Collections.unmodifiableMap(map);
    }
    while (true) {
      skipWhitespace();
      if (peek() != '"') throw error("expected a string key");
      int keyPos = pos;
      String key = string();
      skipWhitespace();
      expect(':');
      skipWhitespace();
      Object v = value(depth);
      if (map.containsKey(key)) {
        pos = keyPos;
        throw error("duplicate key \"" + key + "\"");
      }
      map.put(key, v);
      skipWhitespace();
      char c = peek();
      if (c == ',') {
        pos++;
      } else if (c == '}') {
        pos++;
        return Collections.unmodifiableMap(map);
      } else {
        throw error("expected ',' or '}' in an object");
      }
    }
  }

  private List<Object> array(int depth) {
    checkDepth(depth);
    pos++; // '['
    List<Object> list = new ArrayList<>();
    skipWhitespace();
    if (peek() == ']') {
      pos++;
      return Collections.unmodifiableList(list);
    }
    while (true) {
      skipWhitespace();
      list.add(value(depth));
      skipWhitespace();
      char c = peek();
      if (c == ',') {
        pos++;
      } else if (c == ']') {
        pos++;
        return Collections.unmodifiableList(list);
      } else {
        throw error("expected ',' or ']' in an array");
      }
    }
  }

  private String string() {
    pos++; // opening quote
    StringBuilder sb = new StringBuilder();
    while (true) {
      if (pos >= text.length()) throw error("unterminated string");
      char c = text.charAt(pos);
      if (c == '"') {
        pos++;
        return sb.toString();
      }
      if (c < 0x20) throw error("unescaped control character " + describe(c) + " in a string");
      if (c == '\\') {
        pos++;
        if (pos >= text.length()) throw error("unterminated escape");
        char e = text.charAt(pos);
        switch (e) {
          case '"' -> sb.append('"');
          case '\\' -> sb.append('\\');
          case '/' -> sb.append('/');
          case 'b' -> sb.append('\b');
          case 'f' -> sb.append('\f');
          case 'n' -> sb.append('\n');
          case 'r' -> sb.append('\r');
          case 't' -> sb.append('\t');
          case 'u' -> {
            char u = hex4();
            if (Character.isHighSurrogate(u)) {
              if (pos + 2 < text.length() && text.charAt(pos + 1) == '\\' && text.charAt(pos + 2) == 'u') {
                pos += 2;
                char low = hex4();
                if (!Character.isLowSurrogate(low)) throw error("unpaired surrogate escape");
                sb.append(u).append(low);
              } else {
                throw error("unpaired surrogate escape");
              }
            } else if (Character.isLowSurrogate(u)) {
              throw error("unpaired surrogate escape");
            } else {
              sb.append(u);
            }
          }
          default -> throw error("invalid escape \\" + e);
        }
        pos++;
      } else {
        sb.append(c);
        pos++;
      }
    }
  }

  /** Reads the 4 hex digits after {@code \\u}; leaves pos on the last digit. */
  private char hex4() {
    if (pos + 4 >= text.length()) throw error("truncated \\u escape");
    int v = 0;
    for (int i = 1; i <= 4; i++) {
      int d = Character.digit(text.charAt(pos + i), 16);
      if (d < 0) throw error("invalid hex digit in \\u escape");
      v = v * 16 + d;
    }
    pos += 4;
    return (char) v;
  }

  private Object number() {
    int start = pos;
    if (peek() == '-') pos++;
    if (pos >= text.length() || !isDigit(text.charAt(pos))) throw error("expected a digit");
    if (text.charAt(pos) == '0') {
      pos++;
      if (pos < text.length() && isDigit(text.charAt(pos))) throw error("leading zero in a number");
    } else {
      while (pos < text.length() && isDigit(text.charAt(pos))) pos++;
    }
    boolean integral = true;
    if (pos < text.length() && text.charAt(pos) == '.') {
      integral = false;
      pos++;
      if (pos >= text.length() || !isDigit(text.charAt(pos))) throw error("expected a digit after '.'");
      while (pos < text.length() && isDigit(text.charAt(pos))) pos++;
    }
    if (pos < text.length() && (text.charAt(pos) == 'e' || text.charAt(pos) == 'E')) {
      integral = false;
      pos++;
      if (pos < text.length() && (text.charAt(pos) == '+' || text.charAt(pos) == '-')) pos++;
      if (pos >= text.length() || !isDigit(text.charAt(pos))) throw error("expected a digit in the exponent");
      while (pos < text.length() && isDigit(text.charAt(pos))) pos++;
    }
    String s = text.substring(start, pos);
    if (integral) {
      try {
        return Long.parseLong(s);
      } catch (NumberFormatException e) {
        pos = start;
        throw error("integer " + s + " does not fit in 64 bits");
      }
    }
    double d = Double.parseDouble(s);
    if (Double.isInfinite(d)) {
      pos = start;
      throw error("number " + s + " is out of range");
    }
    return d;
  }

  private Object literal(String word, Object value) {
    if (!text.startsWith(word, pos)) throw error("unexpected token, expected a value");
    pos += word.length();
    return value;
  }

  private void checkDepth(int depth) {
    if (depth > maxDepth) throw error("nesting deeper than " + maxDepth + " levels");
  }

  private void expect(char c) {
    if (peek() != c) throw error("expected '" + c + "'");
    pos++;
  }

  private char peek() {
    if (pos >= text.length()) throw error("unexpected end of input");
    return text.charAt(pos);
  }

  private void skipWhitespace() {
    while (pos < text.length()) {
      char c = text.charAt(pos);
      if (c == ' ' || c == '\t' || c == '\n' || c == '\r') pos++;
      else break;
    }
  }

  private static boolean isDigit(char c) { return c >= '0' && c <= '9'; }

  private static String describe(char c) {
    return c < 0x20 || c > 0x7e ? String.format("U+%04X", (int) c) : "'" + c + "'";
  }

  private JsonException error(String what) {
    int line = 1;
    int col = 1;
    int end = Math.min(pos, text.length());
    for (int i = 0; i < end; i++) {
      if (text.charAt(i) == '\n') {
        line++;
        col = 1;
      } else {
        col++;
      }
    }
    return new JsonException(source + ":" + line + ":" + col + ": " + what);
  }
}
