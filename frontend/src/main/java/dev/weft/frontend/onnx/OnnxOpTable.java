package dev.weft.frontend.onnx;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.TreeMap;

/**
 * The import table: {@code (domain, op_type, since_version) -> handler}. A model's node uses
 * the handler with the greatest since_version not above the model's opset for that domain,
 * as the ONNX spec versions ops. Domain "" and "ai.onnx" are the same.
 */
public final class OnnxOpTable {
  private record Entry(int sinceVersion, OnnxOpHandler handler) {}

  private final TreeMap<String, List<Entry>> entries = new TreeMap<>();
  private static volatile OnnxOpTable standard;

  /** The table of every {@link OnnxOpLibrary} on the class path. */
  public static OnnxOpTable standard() {
    OnnxOpTable t = standard;
    if (t == null) {
      synchronized (OnnxOpTable.class) {
        t = standard;
        if (t == null) {
          t = new OnnxOpTable();
          for (OnnxOpLibrary lib : ServiceLoader.load(OnnxOpLibrary.class, OnnxOpTable.class.getClassLoader())) {
            lib.register(t);
          }
          standard = t;
        }
      }
    }
    return t;
  }

  public static String normalizeDomain(String domain) {
    return domain == null || domain.isEmpty() || domain.equals("ai.onnx") ? "" : domain;
  }

  private static String key(String domain, String opType) { return normalizeDomain(domain) + "::" + opType; }

  /** Registers {@code handler} for {@code opType} in the default domain from {@code sinceVersion} on. */
  public OnnxOpTable add(String opType, int sinceVersion, OnnxOpHandler handler) {
    return add("", opType, sinceVersion, handler);
  }

  public OnnxOpTable add(String domain, String opType, int sinceVersion, OnnxOpHandler handler) {
    List<Entry> list = entries.computeIfAbsent(key(domain, opType), k -> new ArrayList<>());
    for (Entry e : list) {
      if (e.sinceVersion == sinceVersion) {
        throw new IllegalStateException("ONNX op " + key(domain, opType) + " version " + sinceVersion + " registered twice");
      }
    }
    list.add(new Entry(sinceVersion, handler));
    list.sort((a, b) -> Integer.compare(a.sinceVersion, b.sinceVersion));
    return this;
  }

  /** The handler for a node of {@code opType} under opset {@code opsetVersion}; null if none. */
  public OnnxOpHandler find(String domain, String opType, long opsetVersion) {
    List<Entry> list = entries.get(key(domain, opType));
    if (list == null) return null;
    OnnxOpHandler best = null;
    for (Entry e : list) if (e.sinceVersion <= opsetVersion) best = e.handler;
    return best;
  }

  /** Whether any version of the op is known (to tell "unsupported version" from "unknown op"). */
  public boolean knows(String domain, String opType) { return entries.containsKey(key(domain, opType)); }

  /** Every registered op as {@code domain::op_type -> since versions}, for coverage reports. */
  public Map<String, List<Integer>> summary() {
    TreeMap<String, List<Integer>> out = new TreeMap<>();
    entries.forEach((k, v) -> out.put(k, v.stream().map(Entry::sinceVersion).toList()));
    return Collections.unmodifiableMap(out);
  }
}
