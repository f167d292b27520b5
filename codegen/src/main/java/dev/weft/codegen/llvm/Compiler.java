package dev.weft.codegen.llvm;

import java.nio.file.Path;
import java.util.List;

/**
 * Compiles kernel modules, many at once. {@link Mode#IN_PROCESS} runs LLVM on threads of this
 * JVM (fastest; an LLVM fatal error ends the JVM); {@link Mode#WORKERS} runs it in child JVMs
 * (an LLVM abort becomes a {@link CodegenAbortException} with a reproducer).
 */
public interface Compiler extends AutoCloseable {
  enum Mode { IN_PROCESS, WORKERS }

  Mode mode();

  /** Compiles one module in the calling thread (in-process) or one worker. */
  CompileResult compile(CompileRequest request);

  /**
   * Compiles all modules in parallel; results in request order. When several fail, the first
   * failure in request order is thrown (the others are attached as suppressed), so the error
   * does not depend on thread timing.
   */
  List<CompileResult> compileAll(List<CompileRequest> requests);

  /**
   * As {@link #compileAll(List)}, calling {@code finished} with each request as soon as its
   * compile succeeds (from the compiling thread, in completion order; the callee must be
   * thread-safe). Progress displays count kernels with it.
   */
  List<CompileResult> compileAll(List<CompileRequest> requests, java.util.function.Consumer<CompileRequest> finished);

  @Override
  void close();

  /** A compiler with {@code parallelism} threads or worker processes. */
  static Compiler create(Mode mode, int parallelism, Path reproducerDir) {
    return switch (mode) {
      case IN_PROCESS -> new InProcessCompiler(parallelism);
      case WORKERS -> new WorkerPool(parallelism, reproducerDir, WorkerPool.DEFAULT_TIMEOUT);
    };
  }

  /** Default parallelism: the available processors, at most 8 (in worker mode each is a JVM with LLVM loaded). */
  static int defaultParallelism() {
    return Math.max(1, Math.min(8, Runtime.getRuntime().availableProcessors()));
  }
}
