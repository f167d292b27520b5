package dev.weft.backend.rocm;

import dev.weft.codegen.llvm.CodegenException;
import dev.weft.codegen.llvm.Compiler;
import dev.weft.codegen.llvm.EmitKind;
import dev.weft.codegen.llvm.KernelModule;
import dev.weft.codegen.llvm.LinkedEmission;
import dev.weft.codegen.llvm.Lld;
import dev.weft.codegen.llvm.ReadObj;
import dev.weft.codegen.llvm.ToolRun;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * AMDGPU kernels to one {@code kernels.hsaco}: modules linked as IR, optimized and emitted as
 * one object (one metadata note: {@link LinkedEmission}), linked by the jar's ld.lld into a shared code
 * object, whose notes are read back to check every kernel is there under its own name.
 */
public final class RocmToolchain {
  public static final String HSACO = "kernels.hsaco";

  private final Compiler compiler;
  private final RocmTarget target;

  public RocmToolchain(Compiler compiler, RocmTarget target) {
    this.compiler = compiler;
    this.target = target;
  }

  public RocmKernels build(List<KernelModule> kernels, Path outputDir) {
    Set<String> seen = new HashSet<>();
    for (KernelModule k : kernels) {
      if (!seen.add(k.name())) throw new CodegenException("kernel '" + k.name() + "' appears twice");
    }
    LinkedEmission.Output out = LinkedEmission.emit(compiler, kernels, target.spec(), EmitKind.OBJECT, "kernels");
    Path staging = null;
    try {
      Files.createDirectories(outputDir);
      staging = Files.createTempDirectory(outputDir, ".objects-");
      Path object = staging.resolve("kernels.o");
      Files.write(object, out.bytes());
      Path hsaco = outputDir.resolve(HSACO);
      ToolRun link = Lld.linkAmdgpuCodeObject(List.of(object), hsaco);
      HsacoNotes notes = HsacoNotes.parse(ReadObj.notes(hsaco));
      String expectedTarget = "amdgcn-amd-amdhsa--" + target.gfx();
      if (!notes.target().equals(expectedTarget)) {
        throw new CodegenException(hsaco + " is for " + notes.target() + ", not " + expectedTarget);
      }
      for (KernelModule k : kernels) {
        AmdhsaKernel entry = notes.kernel(k.name()).orElseThrow(() -> new CodegenException("kernel '" + k.name()
            + "' is not in the amdhsa.kernels of " + hsaco + " (not decorated as a kernel, or not defined in its module)"));
        if (!entry.symbol().equals(k.name() + ".kd")) {
          throw new CodegenException("kernel '" + k.name() + "' has descriptor symbol " + entry.symbol() + ", not " + k.name() + ".kd");
        }
      }
      return new RocmKernels(hsaco, notes, out.linked(), link.millis());
    } catch (IOException e) {
      throw new CodegenException("cannot write the code object under " + outputDir + ": " + e.getMessage(), e);
    } finally {
      if (staging != null) {
        try (var files = Files.list(staging)) {
          for (Path p : files.toList()) Files.deleteIfExists(p);
          Files.deleteIfExists(staging);
        } catch (IOException ignored) {
          // a staging directory left behind is harmless
        }
      }
    }
  }
}
