package dev.weft.compiler;

import dev.weft.codegen.llvm.CompileRequest;
import dev.weft.codegen.llvm.CompileResult;
import dev.weft.codegen.llvm.Compiler;
import dev.weft.codegen.llvm.LlvmToolchain;
import dev.weft.codegen.llvm.TargetSpec;
import dev.weft.codegen.llvm.WorkerPool;
import dev.weft.compiler.cache.CacheKey;
import dev.weft.compiler.cache.KernelCache;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The process-wide LLVM code generator: worker processes by default (an LLVM abort becomes an
 * error naming the kernel, with its IR saved under the reproducer folder), in-process threads
 * with {@code -Dweft.codegen=in-process} (an LLVM abort ends the JVM). In worker mode
 * {@link Compiler#compile} starts the pool in the background before import and passes
 * ({@link #prestart}), so the worker JVMs and their LLVM load overlap the front end; a compile
 * that sent no request (every kernel cached) kills the unused pool without waiting
 * ({@link #releaseIfUnused}). With a kernel cache, only requests whose output is not cached
 * reach LLVM (BENCHMARKS.md, "codegen mode").
 */
final class Codegen {
  private static Compiler shared;
  /** Compiles between {@link #prestart} and {@link #releaseIfUnused}: the pool is not killed under another compile. */
  private static int compiling;

  private Codegen() {}

  /** The shared compiler, created on first use. */
  static synchronized Compiler shared() {
    if (shared == null) shared = Compiler.create(mode(), Compiler.defaultParallelism(), reproducerDir());
    return shared;
  }

  /**
   * In worker mode, creates the shared pool now and starts workers in the background; returns at
   * once. One core is left to this JVM's front end (a worker loading LLVM on it would slow the
   * passes a warm-cache compile is made of): on 2 cores one worker starts now, the other on the
   * first cache miss.
   */
  static synchronized void prestart() {
    compiling++;
    if (shared != null || mode() != Compiler.Mode.WORKERS) return;
    WorkerPool pool = new WorkerPool(Compiler.defaultParallelism(), reproducerDir(), WorkerPool.DEFAULT_TIMEOUT);
    pool.startInBackground(Math.max(1, Runtime.getRuntime().availableProcessors() - 1));
    shared = pool;
  }

  /**
   * Kills the shared pool without waiting when it has served no request (a fully cached compile,
   * or one that failed before code generation) and no other compile is running; a pool that did
   * work is kept for the next compile.
   */
  static synchronized void releaseIfUnused() {
    compiling--;
    if (compiling == 0 && shared instanceof WorkerPool pool && pool.requestsServed() == 0) {
      pool.closeNow();
      shared = null;
    }
  }

  /**
   * Closes the shared compiler (workers are asked to quit); the next use creates one in the mode
   * and with the reproducer folder the system properties then name. Tests switch modes with it.
   */
  static synchronized void closeShared() {
    if (shared != null) shared.close();
    shared = null;
  }

  private static Path reproducerDir() {
    return Path.of(System.getProperty("weft.reproducers", System.getProperty("java.io.tmpdir"))).resolve("weft-reproducers");
  }

  static List<CompileResult> compileAll(List<CompileRequest> requests) { return compileAll(requests, r -> { }); }

  static List<CompileResult> compileAll(List<CompileRequest> requests, java.util.function.Consumer<CompileRequest> finished) {
    return shared().compileAll(requests, finished);
  }

  /** {@code -Dweft.codegen}: workers (the default) or in-process. */
  static Compiler.Mode mode() {
    String v = System.getProperty("weft.codegen", "workers");
    return switch (v) {
      case "workers" -> Compiler.Mode.WORKERS;
      case "in-process" -> Compiler.Mode.IN_PROCESS;
      default -> throw new dev.weft.bundle.WeftException("-Dweft.codegen must be 'workers' or 'in-process', not '" + v + "'");
    };
  }

  /**
   * The outputs of {@code requests}, in order: cached ones read from {@code cache}, the rest
   * compiled together (in parallel) and stored. Cached results report zero LLVM time.
   * {@code finished} hears of each request as its output is ready (cached ones first, then the
   * compiled ones from the compiling threads, as they finish).
   */
  static List<CompileResult> compileAll(List<CompileRequest> requests, String targetName, KernelCache cache,
                                        java.util.function.BiConsumer<CompileRequest, Boolean> finished) {
    List<CompileResult> out = new ArrayList<>(requests.size());
    List<String> keys = new ArrayList<>(requests.size());
    List<CompileRequest> missing = new ArrayList<>();
    List<Integer> missingAt = new ArrayList<>();
    for (int i = 0; i < requests.size(); i++) {
      CompileRequest r = requests.get(i);
      String key = key(r, targetName);
      keys.add(key);
      byte[] hit = cache.get(key);
      out.add(hit == null ? null : new CompileResult(r.kernel(), r.emit(), hit, 0, 0));
      if (hit == null) {
        missing.add(r);
        missingAt.add(i);
      } else {
        finished.accept(r, true);
      }
    }
    if (!missing.isEmpty()) {
      List<CompileResult> made = compileAll(missing, r -> finished.accept(r, false));
      for (int j = 0; j < made.size(); j++) {
        int i = missingAt.get(j);
        out.set(i, made.get(j));
        cache.put(keys.get(i), made.get(j).output());
      }
    }
    return out;
  }

  /** The per-kernel note saying where its object came from (a cached result carries no LLVM time). */
  static String cacheNote(CompileResult r) {
    return r.optimizeNanos() == 0 && r.emitNanos() == 0 ? "cache=hit" : String.format(java.util.Locale.ROOT, "cache=miss llvm_ms=%.1f", r.millis());
  }

  /** Everything one request's output depends on: its unoptimized bitcode, target, CPU, features, passes, emit kind. */
  static String key(CompileRequest r, String targetName) {
    return spec(CacheKey.start("request"), r.spec(), targetName)
        .add(r.optimize() ? LlvmToolchain.PIPELINE : "no-optimize")
        .add(r.emit().name())
        .add(r.bitcode())
        .hex();
  }

  private static CacheKey spec(CacheKey k, TargetSpec spec, String targetName) {
    return k.add(targetName).add(spec.triple()).add(spec.cpu()).add(spec.features());
  }
}
