package dev.weft.bundle;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A minimal JSON writer: insertion-ordered and deterministic (reports and manifests must be
 * byte-identical from run to run). Non-finite numbers are written as null.
 */
public final class Json {
  private Json() {}

  public static final class Obj {
    private final Map<String, Object> fields = new LinkedHashMap<>();

    public Obj put(String k, Object v) {
      fields.put(k, v);
      return this;
    }

    @Override
    public String toString() {
      StringBuilder sb = new StringBuilder();
      write(sb, this, 0);
      return sb.toString();
    }
  }

  public static final class Arr {
    private final List<Object> items = new ArrayList<>();

    public Arr add(Object v) {
      items.add(v);
      return this;
    }

    @Override
    public String toString() {
      StringBuilder sb = new StringBuilder();
      write(sb, this, 0);
      return sb.toString();
    }
  }

  /**
   * Converts a parsed JSON value ({@code Map}, {@code List}, scalars, as {@code JsonReader}
   * produces) into writer values, keeping map order.
   */
  public static Object fromValue(Object v) {
    if (v instanceof Map<?, ?> m) {
      Obj o = new Obj();
      m.forEach((k, x) -> o.put((String) k, fromValue(x)));
      return o;
    }
    if (v instanceof List<?> l) {
      Arr a = new Arr();
      l.forEach(x -> a.add(fromValue(x)));
      return a;
    }
    return v;
  }

  public static Arr longs(List<Long> xs) {
    Arr a = new Arr();
    xs.forEach(a::add);
    return a;
  }

  public static Arr strings(List<String> xs) {
    Arr a = new Arr();
    xs.forEach(a::add);
    return a;
  }

  private static void indent(StringBuilder sb, int level) {
    sb.append('\n');
    sb.append("  ".repeat(level));
  }

  public static void write(StringBuilder sb, Object v, int level) {
    switch (v) {
      case null -> sb.append("null");
      case Obj o -> {
        if (o.fields.isEmpty()) {
          sb.append("{}");
          return;
        }
        sb.append('{');
        boolean first = true;
        for (Map.Entry<String, Object> e : o.fields.entrySet()) {
          if (!first) sb.append(',');
          first = false;
          indent(sb, level + 1);
          quote(sb, e.getKey());
          sb.append(": ");
          write(sb, e.getValue(), level + 1);
        }
        indent(sb, level);
        sb.append('}');
      }
      case Arr a -> {
        if (a.items.isEmpty()) {
          sb.append("[]");
          return;
        }
        sb.append('[');
        for (int i = 0; i < a.items.size(); i++) {
          if (i > 0) sb.append(',');
          indent(sb, level + 1);
          write(sb, a.items.get(i), level + 1);
        }
        indent(sb, level);
        sb.append(']');
      }
      case String s -> quote(sb, s);
      case Double d -> sb.append(d.isNaN() || d.isInfinite() ? "null" : d.toString());
      case Float f -> sb.append(f.isNaN() || f.isInfinite() ? "null" : f.toString());
      default -> sb.append(v);
    }
  }

  public static void quote(StringBuilder sb, String s) {
    sb.append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"' -> sb.append("\\\"");
        case '\\' -> sb.append("\\\\");
        case '\n' -> sb.append("\\n");
        case '\r' -> sb.append("\\r");
        case '\t' -> sb.append("\\t");
        default -> {
          if (c < 0x20) sb.append(String.format("\\u%04x", (int) c));
          else sb.append(c);
        }
      }
    }
    sb.append('"');
  }
}
