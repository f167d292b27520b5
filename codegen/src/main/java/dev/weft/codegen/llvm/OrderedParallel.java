package dev.weft.codegen.llvm;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * Runs one task per request on an executor and reports results and failures in request order;
 * {@code finished} hears of each success as it happens (on the task's thread).
 */
final class OrderedParallel {
  private OrderedParallel() {}

  static List<CompileResult> run(List<CompileRequest> requests, ExecutorService executor,
                                 Function<CompileRequest, CompileResult> task, Consumer<CompileRequest> finished) {
    List<Future<CompileResult>> futures = new ArrayList<>(requests.size());
    for (CompileRequest r : requests) {
      futures.add(executor.submit(() -> {
        CompileResult result = task.apply(r);
        finished.accept(r);
        return result;
      }));
    }
    List<CompileResult> results = new ArrayList<>(requests.size());
    RuntimeException first = null;
    for (Future<CompileResult> f : futures) {
      try {
        results.add(f.get());
      } catch (ExecutionException e) {
        RuntimeException failure = e.getCause() instanceof RuntimeException re ? re
            : new CodegenException("compile task failed: " + e.getCause(), e.getCause());
        if (first == null) first = failure;
        else first.addSuppressed(failure);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        futures.forEach(x -> x.cancel(true));
        throw new CodegenException("interrupted while compiling kernels", e);
      }
    }
    if (first != null) throw first;
    return results;
  }
}
