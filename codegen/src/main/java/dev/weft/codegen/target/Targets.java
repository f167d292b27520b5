package dev.weft.codegen.target;

import dev.weft.codegen.llvm.CodegenException;
import dev.weft.codegen.llvm.UnknownTargetException;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.TreeMap;

/** Finds targets by name among the {@link TargetProvider}s on the class path. */
public final class Targets {
  private Targets() {}

  /** The target called {@code name}; an unknown name lists the known ones (and says when no backend is on the class path). */
  public static Target find(String name) {
    Map<String, TargetProvider> byName = providers();
    TargetProvider p = byName.get(name);
    if (p == null) {
      if (byName.isEmpty()) {
        throw new UnknownTargetException("target", name,
            List.of("(none: no backend module (weft-backend-cpu/-cuda/-rocm) is on the class path)"));
      }
      throw new UnknownTargetException("target", name, List.copyOf(byName.keySet()));
    }
    Target t = p.create(name);
    if (!t.name().equals(name)) {
      throw new CodegenException("target provider " + p.getClass().getName() + " created '" + t.name() + "' for '" + name + "'");
    }
    return t;
  }

  /** Every registered target name, sorted. */
  public static List<String> names() { return List.copyOf(providers().keySet()); }

  private static Map<String, TargetProvider> providers() {
    Map<String, TargetProvider> byName = new TreeMap<>();
    for (TargetProvider p : ServiceLoader.load(TargetProvider.class, Targets.class.getClassLoader())) {
      for (String n : p.names()) {
        TargetProvider previous = byName.put(n, p);
        if (previous != null && previous.getClass() != p.getClass()) {
          throw new CodegenException("target '" + n + "' is provided twice: by " + previous.getClass().getName()
              + " and " + p.getClass().getName());
        }
      }
    }
    return byName;
  }
}
