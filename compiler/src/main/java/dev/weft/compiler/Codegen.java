package dev.weft.compiler;

import dev.weft.codegen.llvm.CompileRequest;
import dev.weft.codegen.llvm.CompileResult;
import dev.weft.codegen.llvm.Compiler;
import java.nio.file.Path;
import java.util.List;

/**
 * The process-wide LLVM code generator: in-process threads by default (fast: the compile-time
 * targets), worker processes with {@code -Dweft.codegen=workers} (an LLVM abort becomes an
 * error naming the kernel, with its IR saved under the reproducer folder).
 */
final class Codegen {
  private static Compiler shared;

  private Codegen() {}

  static synchronized List<CompileResult> compileAll(List<CompileRequest> requests) {
    if (shared == null) {
      boolean workers = "workers".equals(System.getProperty("weft.codegen"));
      Path repro = Path.of(System.getProperty("weft.reproducers", System.getProperty("java.io.tmpdir"))).resolve("weft-reproducers");
      shared = Compiler.create(workers ? Compiler.Mode.WORKERS : Compiler.Mode.IN_PROCESS, Compiler.defaultParallelism(), repro);
    }
    return shared.compileAll(requests);
  }
}
