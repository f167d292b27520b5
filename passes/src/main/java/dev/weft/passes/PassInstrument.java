package dev.weft.passes;

import dev.weft.ir.Module;

/**
 * Hooks around every pass of a pipeline (MLIR's PassInstrumentation, TVM's PassInstrument):
 * printing, dumping, timing. Instruments observe; they must not change the module.
 */
public interface PassInstrument {
  /** Once, before the first pass; {@code module} is the pipeline's input. */
  default void beforePipeline(Pipeline pipeline, Module module) {}

  default void beforePass(PassEvent event, Module module) {}

  /** After a pass ran and (when verification is on) the verifier accepted its output. */
  default void afterPass(PassEvent event, Module module) {}

  /** A pass threw or broke the IR; {@code module} is in whatever state the pass left it. */
  default void afterFailure(PassEvent event, Module module, Throwable error) {}

  /** Once, after the last pass succeeded. */
  default void afterPipeline(Module module) {}
}
