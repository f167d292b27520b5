package dev.weft.passes;

import java.util.Collections;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * The options one pipeline entry gives its pass ({@code constant-fold{max-bytes=4096}}), already
 * checked against the names the pass declares. Typed getters fail with the pass and option named.
 */
public final class PassOptions {
  private final String pass;
  private final TreeMap<String, String> values;

  public PassOptions(String pass, Map<String, String> values) {
    this.pass = pass;
    this.values = new TreeMap<>(values);
  }

  public static PassOptions none(String pass) { return new PassOptions(pass, Map.of()); }

  public String pass() { return pass; }

  public SortedMap<String, String> values() { return Collections.unmodifiableSortedMap(values); }

  public String getString(String key, String fallback) { return values.getOrDefault(key, fallback); }

  public long getLong(String key, long fallback) {
    String v = values.get(key);
    if (v == null) return fallback;
    try {
      return Long.parseLong(v.replace("_", ""));
    } catch (NumberFormatException e) {
      throw new PipelineException("pass '" + pass + "': option " + key + "=" + v + " is not an integer");
    }
  }

  public boolean getBool(String key, boolean fallback) {
    String v = values.get(key);
    if (v == null) return fallback;
    return switch (v) {
      case "true", "1" -> true;
      case "false", "0" -> false;
      default -> throw new PipelineException("pass '" + pass + "': option " + key + "=" + v + " is not true or false");
    };
  }
}
