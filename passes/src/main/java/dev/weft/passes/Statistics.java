package dev.weft.passes;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/** Counters per pass ("cse: merged 12"), in pipeline order; passes add to them through {@link PassContext#count}. */
public final class Statistics {
  private final LinkedHashMap<String, TreeMap<String, Long>> byPass = new LinkedHashMap<>();

  public void add(String pass, String counter, long delta) {
    byPass.computeIfAbsent(pass, k -> new TreeMap<>()).merge(counter, delta, Long::sum);
  }

  public long get(String pass, String counter) {
    TreeMap<String, Long> m = byPass.get(pass);
    return m == null ? 0 : m.getOrDefault(counter, 0L);
  }

  /** The counters of one pass, by name; empty when it counted nothing. */
  public SortedMap<String, Long> of(String pass) {
    TreeMap<String, Long> m = byPass.get(pass);
    return m == null ? Collections.emptySortedMap() : Collections.unmodifiableSortedMap(m);
  }

  public Map<String, SortedMap<String, Long>> all() {
    LinkedHashMap<String, SortedMap<String, Long>> out = new LinkedHashMap<>();
    byPass.forEach((k, v) -> out.put(k, Collections.unmodifiableSortedMap(v)));
    return out;
  }

  @Override
  public String toString() { return byPass.toString(); }
}
