package dev.weft.bundle;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * One dimension (or extent) in a bundle file: a constant times a product of symbolic dims.
 * Written as a JSON integer when static ({@code 128}) and as a string otherwise
 * ({@code "batch"}, {@code "128*batch*seq"}); symbols keep their written order, so printing
 * is deterministic and round-trips.
 *
 * @param factor the constant factor (non-negative)
 * @param symbols symbolic dim names multiplied in (empty for a static dim)
 */
public record DimExpr(long factor, List<String> symbols) {
  public DimExpr {
    if (factor < 0) throw new IllegalArgumentException("negative dim " + factor);
    symbols = List.copyOf(symbols);
    for (String s : symbols) {
      if (!isSymbol(s)) throw new IllegalArgumentException("invalid symbolic dim name \"" + s + "\"");
    }
  }

  public static DimExpr of(long value) { return new DimExpr(value, List.of()); }

  public static DimExpr symbol(String name) { return new DimExpr(1, List.of(name)); }

  public boolean isStatic() { return symbols.isEmpty(); }

  /** The value under a binding of every symbol; fails naming a symbol that is unbound. */
  public long evaluate(Map<String, Long> bindings) {
    long v = factor;
    for (String s : symbols) {
      Long b = bindings.get(s);
      if (b == null) throw new IllegalArgumentException("symbolic dim \"" + s + "\" is not bound");
      v = Math.multiplyExact(v, b);
    }
    return v;
  }

  /** The JSON value: a Long when static, else a String. */
  public Object toJson() {
    if (isStatic()) return factor;
    StringBuilder sb = new StringBuilder();
    if (factor != 1) sb.append(factor).append('*');
    sb.append(String.join("*", symbols));
    return sb.toString();
  }

  /**
   * Parses a JSON value: a non-negative integer or a product string of identifiers and integers.
   *
   * @throws IllegalArgumentException with a message saying what is wrong
   */
  public static DimExpr fromJson(Object v) {
    if (v instanceof Long l) {
      if (l < 0) throw new IllegalArgumentException("negative dim " + l);
      return of(l);
    }
    if (!(v instanceof String s)) throw new IllegalArgumentException("expected an integer or a dim expression string");
    long factor = 1;
    List<String> syms = new ArrayList<>();
    for (String term : s.split("\\*", -1)) {
      String t = term.strip();
      if (t.isEmpty()) throw new IllegalArgumentException("empty term in dim expression \"" + s + "\"");
      if (t.chars().allMatch(c -> c >= '0' && c <= '9')) {
        try {
          factor = Math.multiplyExact(factor, Long.parseLong(t));
        } catch (NumberFormatException | ArithmeticException e) {
          throw new IllegalArgumentException("dim expression \"" + s + "\" overflows 64 bits");
        }
      } else if (isSymbol(t)) {
        syms.add(t);
      } else {
        throw new IllegalArgumentException("invalid term \"" + t + "\" in dim expression \"" + s + "\"");
      }
    }
    return new DimExpr(factor, syms);
  }

  /** Symbol names: a letter or underscore, then letters, digits, '_', '.', ':' or '-'. */
  public static boolean isSymbol(String s) {
    Objects.requireNonNull(s);
    if (s.isEmpty()) return false;
    char c0 = s.charAt(0);
    if (!(Character.isLetter(c0) || c0 == '_')) return false;
    for (int i = 1; i < s.length(); i++) {
      char c = s.charAt(i);
      if (!(Character.isLetterOrDigit(c) || c == '_' || c == '.' || c == ':' || c == '-')) return false;
    }
    return true;
  }

  @Override
  public String toString() { return toJson().toString(); }
}
