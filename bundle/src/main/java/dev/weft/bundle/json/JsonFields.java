package dev.weft.bundle.json;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * Typed, path-aware access to one parsed JSON object. Every error names the file and the field
 * path ({@code program.json: steps[2].args[0]: expected a string}), so a reader of a bad bundle
 * knows exactly what to look at. Unknown keys are errors ({@link #allowOnly}): a field the
 * runtime does not understand must not be silently ignored.
 */
public final class JsonFields {
  private final String file;
  private final String path;
  private final Map<String, Object> map;

  private JsonFields(String file, String path, Map<String, Object> map) {
    this.file = file;
    this.path = path;
    this.map = map;
  }

  /** Wraps a parsed root value, which must be an object. */
  public static JsonFields root(String file, Object value) {
    if (!(value instanceof Map<?, ?> m)) throw new JsonException(file + ": expected a JSON object at the top level");
    return new JsonFields(file, "", cast(m));
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> cast(Map<?, ?> m) { return (Map<String, Object>) m; }

  public String file() { return file; }

  /** The path of this object ("" for the root). */
  public String path() { return path; }

  public Set<String> keys() { return map.keySet(); }

  public boolean has(String key) { return map.containsKey(key); }

  /** Fails on any key not listed. */
  public JsonFields allowOnly(String... keys) {
    Set<String> allowed = new LinkedHashSet<>(Arrays.asList(keys));
    for (String k : map.keySet()) {
      if (!allowed.contains(k)) throw error(k, "unknown field (expected one of " + allowed + ")");
    }
    return this;
  }

  public Object raw(String key) {
    if (!map.containsKey(key)) throw error(key, "missing");
    return map.get(key);
  }

  public String string(String key) {
    Object v = raw(key);
    if (v instanceof String s) return s;
    throw error(key, "expected a string, got " + kind(v));
  }

  public String optString(String key, String fallback) { return map.containsKey(key) ? string(key) : fallback; }

  public long integer(String key) {
    Object v = raw(key);
    if (v instanceof Long l) return l;
    throw error(key, "expected an integer, got " + kind(v));
  }

  public long optInteger(String key, long fallback) { return map.containsKey(key) ? integer(key) : fallback; }

  /** A non-negative integer. */
  public long count(String key) {
    long v = integer(key);
    if (v < 0) throw error(key, "must not be negative, got " + v);
    return v;
  }

  public int intCount(String key) {
    long v = count(key);
    if (v > Integer.MAX_VALUE) throw error(key, "too large: " + v);
    return (int) v;
  }

  public boolean bool(String key) {
    Object v = raw(key);
    if (v instanceof Boolean b) return b;
    throw error(key, "expected true or false, got " + kind(v));
  }

  public JsonFields object(String key) {
    Object v = raw(key);
    if (v instanceof Map<?, ?> m) return new JsonFields(file, child(key), cast(m));
    throw error(key, "expected an object, got " + kind(v));
  }

  public List<Object> array(String key) {
    Object v = raw(key);
    if (v instanceof List<?> l) return java.util.Collections.unmodifiableList(new ArrayList<Object>(l));
    throw error(key, "expected an array, got " + kind(v));
  }

  /** An array of objects, each wrapped with its indexed path. */
  public List<JsonFields> objects(String key) {
    List<Object> items = array(key);
    List<JsonFields> out = new ArrayList<>(items.size());
    for (int i = 0; i < items.size(); i++) {
      if (!(items.get(i) instanceof Map<?, ?> m)) throw error(key + "[" + i + "]", "expected an object, got " + kind(items.get(i)));
      out.add(new JsonFields(file, child(key) + "[" + i + "]", cast(m)));
    }
    return out;
  }

  public List<String> strings(String key) {
    return items(key, (v) -> v instanceof String s ? s : null, "a string");
  }

  public List<Long> integers(String key) {
    return items(key, (v) -> v instanceof Long l ? l : null, "an integer");
  }

  private <T> List<T> items(String key, Function<Object, T> conv, String what) {
    List<Object> items = array(key);
    List<T> out = new ArrayList<>(items.size());
    for (int i = 0; i < items.size(); i++) {
      T t = conv.apply(items.get(i));
      if (t == null) throw error(key + "[" + i + "]", "expected " + what + ", got " + kind(items.get(i)));
      out.add(t);
    }
    return List.copyOf(out);
  }

  /** The string values of an object whose values are all strings (e.g. a name-to-hash map). */
  public Map<String, String> stringMap(String key) {
    JsonFields o = object(key);
    Map<String, String> out = new java.util.LinkedHashMap<>();
    for (String k : o.keys()) out.put(k, o.string(k));
    return out;
  }

  /** An error about field {@code key} of this object. */
  public JsonException error(String key, String what) {
    return new JsonException(file + ": " + child(key) + ": " + what);
  }

  /** An error about this object as a whole. */
  public JsonException error(String what) {
    return new JsonException(file + ": " + (path.isEmpty() ? "(top level)" : path) + ": " + what);
  }

  private String child(String key) { return path.isEmpty() ? key : path + "." + key; }

  private static String kind(Object v) {
    return switch (v) {
      case null -> "null";
      case String s -> "a string";
      case Long l -> "an integer";
      case Double d -> "a number";
      case Boolean b -> "a boolean";
      case List<?> l -> "an array";
      case Map<?, ?> m -> "an object";
      default -> v.getClass().getSimpleName();
    };
  }
}
