package dev.weft.ir;

import java.util.Collection;
import java.util.Collections;
import java.util.ServiceLoader;
import java.util.TreeMap;

/** All known ops by name: every {@link OpLibrary} on the class path, loaded once. */
public final class OpRegistry {
  private static volatile OpRegistry global;

  private final TreeMap<String, OpDef> ops = new TreeMap<>();

  private OpRegistry() {}

  public static OpRegistry global() {
    OpRegistry r = global;
    if (r == null) {
      synchronized (OpRegistry.class) {
        r = global;
        if (r == null) {
          r = new OpRegistry();
          for (OpLibrary lib : ServiceLoader.load(OpLibrary.class, OpRegistry.class.getClassLoader())) {
            for (OpDef d : lib.ops()) r.register(d);
          }
          global = r;
        }
      }
    }
    return r;
  }

  /**
   * A registry holding exactly {@code ops}, apart from the global one: for tests that need
   * ops of their own (a subgraph-carrying op before control flow exists) and for tools that
   * restrict the op set. Duplicate names are an error, as in the global registry.
   */
  public static OpRegistry of(Collection<OpDef> ops) {
    OpRegistry r = new OpRegistry();
    for (OpDef d : ops) r.register(d);
    return r;
  }

  /**
   * A new registry with every global op plus {@code extra}; the global registry is unchanged.
   * For tests and embedders whose private ops must not leak into other users of the process
   * (a test {@code META-INF/services} file would shadow the main one instead).
   */
  public static OpRegistry withExtra(Collection<OpDef> extra) {
    OpRegistry r = new OpRegistry();
    for (OpDef d : global().all()) r.register(d);
    for (OpDef d : extra) r.register(d);
    return r;
  }

  private void register(OpDef d) {
    OpDef prev = ops.putIfAbsent(d.name(), d);
    if (prev != null && prev != d) throw new IllegalStateException("op '" + d.name() + "' is defined twice");
  }

  /** The op, or null when unknown. */
  public OpDef find(String name) { return ops.get(name); }

  /** The op; a typed error when unknown. */
  public OpDef get(String name) {
    OpDef d = ops.get(name);
    if (d == null) throw new IrException("unknown op '" + name + "'");
    return d;
  }

  public Collection<OpDef> all() { return Collections.unmodifiableCollection(ops.values()); }
}
