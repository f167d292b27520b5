package dev.weft.codegen.lower;

import java.util.Map;
import java.util.ServiceLoader;
import java.util.TreeMap;

/** Op name to lowering rule. Composites without a rule lower through their decomposition. */
public final class LoweringTable {
  private static volatile LoweringTable global;
  private final Map<String, Lowering> rules = new TreeMap<>();

  public static LoweringTable global() {
    LoweringTable t = global;
    if (t == null) {
      synchronized (LoweringTable.class) {
        if (global == null) {
          LoweringTable fresh = new LoweringTable();
          for (LoweringLibrary lib : ServiceLoader.load(LoweringLibrary.class, LoweringTable.class.getClassLoader())) {
            lib.register(fresh);
          }
          global = fresh;
        }
        t = global;
      }
    }
    return t;
  }

  public void add(String op, Lowering rule) {
    if (rules.putIfAbsent(op, rule) != null) throw new IllegalStateException("two lowerings for op " + op);
  }

  public Lowering get(String op) { return rules.get(op); }

  public java.util.Set<String> ops() { return java.util.Collections.unmodifiableSet(rules.keySet()); }
}
