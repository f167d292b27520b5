package dev.weft.compiler;

import dev.weft.codegen.llvm.CompileRequest;
import dev.weft.codegen.llvm.CompileResult;
import dev.weft.codegen.llvm.Compiler;
import dev.weft.compiler.cache.KernelCache;
import java.util.List;
import java.util.function.BiConsumer;
import java.util.function.Consumer;

/**
 * The {@link Compiler} a backend's toolchain (backend-cpu/cuda/rocm) compiles through during one
 * kernel build: outputs come from the kernel cache when cached, the rest from the process-wide
 * {@link Codegen} (worker processes by default) and are stored. {@code finished} hears of each
 * request as its output is ready, with whether it came from the cache (progress counters).
 * Closing it leaves the shared code generator running for the next build.
 */
final class CachingCompiler implements Compiler {
  private final String targetName;
  private final KernelCache cache;
  private final BiConsumer<CompileRequest, Boolean> finished;

  CachingCompiler(String targetName, KernelCache cache, BiConsumer<CompileRequest, Boolean> finished) {
    this.targetName = targetName;
    this.cache = cache;
    this.finished = finished;
  }

  @Override
  public Mode mode() { return Codegen.shared().mode(); }

  @Override
  public CompileResult compile(CompileRequest request) {
    String key = Codegen.key(request, targetName);
    byte[] hit = cache.get(key);
    if (hit != null) {
      finished.accept(request, true);
      return new CompileResult(request.kernel(), request.emit(), hit, 0, 0);
    }
    CompileResult made = Codegen.shared().compile(request);
    cache.put(key, made.output());
    finished.accept(request, false);
    return made;
  }

  @Override
  public List<CompileResult> compileAll(List<CompileRequest> requests) { return compileAll(requests, r -> { }); }

  @Override
  public List<CompileResult> compileAll(List<CompileRequest> requests, Consumer<CompileRequest> done) {
    return Codegen.compileAll(requests, targetName, cache, (r, cached) -> {
      finished.accept(r, cached);
      done.accept(r);
    });
  }

  @Override
  public void close() { }
}
