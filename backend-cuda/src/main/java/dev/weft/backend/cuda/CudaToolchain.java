package dev.weft.backend.cuda;

import dev.weft.codegen.llvm.CodegenException;
import dev.weft.codegen.llvm.Compiler;
import dev.weft.codegen.llvm.EmitKind;
import dev.weft.codegen.llvm.KernelModule;
import dev.weft.codegen.llvm.LinkedEmission;
import dev.weft.codegen.llvm.Ptxas;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * NVPTX kernels to one {@code kernels.ptx} per target (modules linked as IR, optimized and
 * emitted once: {@link LinkedEmission}) and, where ptxas exists, {@code kernels.cubin}. Without ptxas the PTX is
 * still written: the driver JIT-compiles it at load time.
 */
public final class CudaToolchain {
  public static final String PTX = "kernels.ptx";
  public static final String CUBIN = "kernels.cubin";

  private final Compiler compiler;
  private final CudaTarget target;
  private final boolean assemble;

  /** @param assemble run ptxas when it is installed (off: PTX only) */
  public CudaToolchain(Compiler compiler, CudaTarget target, boolean assemble) {
    this.compiler = compiler;
    this.target = target;
    this.assemble = assemble;
  }

  public CudaKernels build(List<KernelModule> kernels, Path outputDir) {
    Set<String> seen = new HashSet<>();
    for (KernelModule k : kernels) {
      if (!seen.add(k.name())) throw new CodegenException("kernel '" + k.name() + "' appears twice");
    }
    LinkedEmission.Output out = LinkedEmission.emit(compiler, kernels, target.spec(), EmitKind.ASSEMBLY, "kernels");
    String ptx = new String(out.bytes(), StandardCharsets.UTF_8);
    for (KernelModule k : kernels) {
      if (!ptx.contains(".entry " + k.name() + "(")) {
        throw new CodegenException("kernel '" + k.name() + "' is not an .entry of the PTX for " + target.name()
            + " (not decorated as a kernel, or not defined in its module)");
      }
    }
    try {
      Files.createDirectories(outputDir);
      Path ptxFile = outputDir.resolve(PTX);
      Files.writeString(ptxFile, ptx, StandardCharsets.UTF_8);
      if (!assemble || !Ptxas.available()) {
        return new CudaKernels(ptxFile, Optional.empty(), List.of(), Optional.empty(), out.linked());
      }
      Ptxas.Result cubin = Ptxas.assemble(ptx, target.sm());
      Path cubinFile = outputDir.resolve(CUBIN);
      Files.write(cubinFile, cubin.cubin());
      return new CudaKernels(ptxFile, Optional.of(cubinFile), cubin.kernels(), Optional.of(cubin.millis()),
          out.linked());
    } catch (IOException e) {
      throw new CodegenException("cannot write PTX/cubin under " + outputDir + ": " + e.getMessage(), e);
    }
  }
}
