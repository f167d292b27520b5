package dev.weft.passes;

import java.util.Collection;
import java.util.Collections;
import java.util.ServiceLoader;
import java.util.TreeMap;

/** Every known pass by name: each {@link PassLibrary} on the class path, loaded once. */
public final class PassRegistry {
  private static volatile PassRegistry global;

  private final TreeMap<String, PassInfo> passes = new TreeMap<>();

  private PassRegistry() {}

  public static PassRegistry global() {
    PassRegistry r = global;
    if (r == null) {
      synchronized (PassRegistry.class) {
        r = global;
        if (r == null) {
          r = new PassRegistry();
          for (PassLibrary lib : ServiceLoader.load(PassLibrary.class, PassRegistry.class.getClassLoader())) {
            for (PassInfo p : lib.passes()) r.register(p);
          }
          global = r;
        }
      }
    }
    return r;
  }

  /** The global passes plus {@code extra} (tests, embedders' private passes); the global registry is unchanged. */
  public static PassRegistry withExtra(Collection<PassInfo> extra) {
    PassRegistry r = new PassRegistry();
    for (PassInfo p : global().all()) r.register(p);
    for (PassInfo p : extra) r.register(p);
    return r;
  }

  private void register(PassInfo p) {
    PassInfo prev = passes.putIfAbsent(p.name(), p);
    if (prev != null && prev != p) throw new IllegalStateException("pass '" + p.name() + "' is defined twice");
  }

  /** The pass, or null when unknown. */
  public PassInfo find(String name) { return passes.get(name); }

  /** The pass; a typed error listing the known ones when unknown. */
  public PassInfo get(String name) {
    PassInfo p = passes.get(name);
    if (p == null) throw new PipelineException("unknown pass '" + name + "'; known passes: " + String.join(", ", passes.keySet()));
    return p;
  }

  /** Builds the pass an entry names, checking its options against the ones the pass declares. */
  public Pass create(Pipeline.Entry entry) {
    PassInfo info = get(entry.name());
    for (String key : entry.options().keySet()) {
      if (!info.options().containsKey(key)) {
        throw new PipelineException("pass '" + info.name() + "' has no option '" + key + "'; its options: "
            + (info.options().isEmpty() ? "none" : String.join(", ", info.sortedOptions().keySet())));
      }
    }
    return info.factory().apply(new PassOptions(info.name(), entry.options()));
  }

  public Collection<PassInfo> all() { return Collections.unmodifiableCollection(passes.values()); }
}
