package dev.weft.backend.rocm;

import dev.weft.codegen.llvm.CompileResult;
import java.nio.file.Path;

/** A built {@code kernels.hsaco} and what its metadata note says about each kernel. */
public record RocmKernels(Path hsaco, HsacoNotes notes, CompileResult linked, double linkMillis) {}
