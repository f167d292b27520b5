package dev.weft.backend.cpu;

import dev.weft.codegen.llvm.CompileResult;
import java.nio.file.Path;
import java.util.List;

/** A built {@code kernels.so}: its path, the kernel symbols it exports, and per-kernel compile results (times). */
public record CpuKernels(Path library, List<String> kernels, List<CompileResult> compiled, double linkMillis) {}
