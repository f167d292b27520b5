package dev.weft.passes;

import dev.weft.ir.Module;
import java.util.Objects;
import java.util.function.BiPredicate;

/**
 * A pass is a name and a function on a module (TVM's {@code CreateFunctionPass}, IREE's
 * {@code Pass<"...">}): it rewrites the module in place and says whether it changed anything.
 * Options come from the pipeline entry that created it ({@link PassOptions}); everything else
 * it needs (registry, statistics) from the {@link PassContext}.
 */
public interface Pass {
  /** The name pipelines use, e.g. {@code cse}. */
  String name();

  /** Rewrites {@code module} in place; true when it changed anything. */
  boolean run(Module module, PassContext ctx);

  /** A pass from a function, for tests and small passes. */
  static Pass of(String name, BiPredicate<Module, PassContext> fn) {
    Objects.requireNonNull(name);
    Objects.requireNonNull(fn);
    return new Pass() {
      @Override public String name() { return name; }

      @Override public boolean run(Module module, PassContext ctx) { return fn.test(module, ctx); }

      @Override public String toString() { return name; }
    };
  }
}
