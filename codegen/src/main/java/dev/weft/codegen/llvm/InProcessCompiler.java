package dev.weft.codegen.llvm;

import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Compiles on a fixed pool of threads in this JVM, each request in a fresh LLVM context. The
 * fast mode: no process start, no bitcode round trip through a pipe. An LLVM fatal error here
 * ends the JVM; {@link IntrinsicPreflight} removes the known causes, {@link WorkerPool} the rest.
 */
public final class InProcessCompiler implements Compiler {
  private final ExecutorService executor;

  public InProcessCompiler(int threads) {
    if (threads < 1) throw new IllegalArgumentException("threads must be >= 1, got " + threads);
    LlvmNative.ensureLoaded();
    AtomicInteger n = new AtomicInteger();
    this.executor = Executors.newFixedThreadPool(threads, r -> {
      Thread t = new Thread(r, "weft-llvm-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    });
  }

  @Override
  public Mode mode() { return Mode.IN_PROCESS; }

  @Override
  public CompileResult compile(CompileRequest request) { return KernelCompilation.run(request); }

  @Override
  public List<CompileResult> compileAll(List<CompileRequest> requests) {
    return compileAll(requests, r -> { });
  }

  @Override
  public List<CompileResult> compileAll(List<CompileRequest> requests, java.util.function.Consumer<CompileRequest> finished) {
    return OrderedParallel.run(requests, executor, KernelCompilation::run, finished);
  }

  @Override
  public void close() { executor.shutdownNow(); }
}
