package dev.weft.codegen.llvm;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** compileAll's per-request callback (what progress displays count): once per request, from the compiling threads. */
class CompileProgressCallbackTest {
  @Test
  void everyRequestIsReportedOnceWhenItFinishes(@TempDir Path repro) {
    List<CompileRequest> requests = SampleKernels.gpt2Like(12, null).stream()
        .map(k -> new CompileRequest(k.name(), TargetSpec.host(), k.bitcode(), true, EmitKind.OBJECT)).toList();
    AtomicInteger calls = new AtomicInteger();
    Set<String> seen = ConcurrentHashMap.newKeySet();
    try (Compiler c = Compiler.create(Compiler.Mode.IN_PROCESS, 2, repro)) {
      List<CompileResult> results = c.compileAll(requests, r -> {
        calls.incrementAndGet();
        seen.add(r.kernel());
      });
      assertEquals(requests.size(), results.size());
    }
    assertEquals(12, calls.get());
    assertEquals(requests.stream().map(CompileRequest::kernel).collect(java.util.stream.Collectors.toSet()), seen);
  }
}
