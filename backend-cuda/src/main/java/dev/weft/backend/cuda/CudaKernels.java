package dev.weft.backend.cuda;

import dev.weft.codegen.llvm.CompileResult;
import dev.weft.codegen.llvm.Ptxas;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * A built {@code kernels.ptx} and, where ptxas is installed, {@code kernels.cubin} with the
 * per-kernel register/spill/shared-memory use ptxas reported.
 */
public record CudaKernels(Path ptx, Optional<Path> cubin, List<Ptxas.KernelStats> stats, Optional<Double> ptxasMillis,
                          CompileResult linked) {}
