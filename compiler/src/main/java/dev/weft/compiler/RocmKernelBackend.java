package dev.weft.compiler;

import dev.weft.codegen.kir.Kernel;
import dev.weft.backend.rocm.RocmTarget;
import dev.weft.backend.rocm.RocmToolchain;
import dev.weft.codegen.llvm.KernelModule;
import dev.weft.codegen.target.Target;
import java.nio.file.Files;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * AMDGPU kernels: linked into one module, emitted as one code object through the shared code
 * generator (a worker process by default; cached under a key over the linked module's bitcode)
 * and linked to kernels.hsaco with ld.lld, all by backend-rocm's {@link RocmToolchain}.
 */
final class RocmKernelBackend extends LlvmKernelBackend {
  private final String name;
  private final String gfx;

  RocmKernelBackend(String name, Target target) {
    super(target);
    this.name = name;
    this.gfx = name.substring("rocm:".length());
  }

  @Override public String target() { return name; }

  @Override public String kind() { return "rocm"; }

  @Override public String arch() { return gfx; }

  @Override
  public Built build(List<Kernel> kernels, CompileProgress progress) {
    List<KernelModule> modules = modules(kernels);
    byte[] hsaco = linkedBuild(name, kernels, progress,
        (compiler, dir) -> Files.readAllBytes(new RocmToolchain(compiler, (RocmTarget) target).build(modules, dir).hsaco()));
    Map<String, String> tool = new TreeMap<>(Map.of("llvm", "20.1.7"));
    return new Built(List.of(new Image("kernels.hsaco", "hsaco", gfx, hsaco)), Map.of(), tool);
  }
}
