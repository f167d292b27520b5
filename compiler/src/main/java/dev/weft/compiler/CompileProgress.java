package dev.weft.compiler;

/**
 * What a long compile reports as it goes: each stage as it starts, and a kernel counter during
 * code generation. {@link #kernels} is called from code generator threads, but never by two at
 * once (the compiler serializes the calls), so a display need not lock.
 */
public interface CompileProgress extends java.util.function.Consumer<String> {
  CompileProgress NONE = new CompileProgress() {
    @Override public void stage(String description) { }
    @Override public void kernels(int done, int total, int cached) { }
  };

  /** A stage starts, e.g. "graph passes: ..." or "compiling 30 kernels for cpu". */
  void stage(String description);

  /** The same as {@link #stage}, so a progress is also a plain stage-line consumer. */
  @Override
  default void accept(String description) { stage(description); }

  /** {@code done} of {@code total} kernels are finished, {@code cached} of them read from the kernel cache. */
  void kernels(int done, int total, int cached);

  /** Stage lines only (what a plain {@code Consumer<String>} given to {@link Compiler#compile} receives). */
  static CompileProgress stages(java.util.function.Consumer<String> say) {
    if (say == null) return NONE;
    return new CompileProgress() {
      @Override public void stage(String description) { say.accept(description); }
      @Override public void kernels(int done, int total, int cached) { }
    };
  }
}
