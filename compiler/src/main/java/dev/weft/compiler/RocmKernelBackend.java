package dev.weft.compiler;

import dev.weft.codegen.kir.Kernel;
import dev.weft.backend.rocm.RocmKernels;
import dev.weft.backend.rocm.RocmTarget;
import dev.weft.backend.rocm.RocmToolchain;
import dev.weft.codegen.llvm.KernelModule;
import dev.weft.codegen.target.Target;
import dev.weft.compiler.cache.KernelCache;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
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
    // One linked module for all kernels: they finish together.
    KernelTally tally = new KernelTally(kernels.size(), progress);
    tally.start();
    KernelCache cache = KernelCache.open();
    Path dir = null;
    byte[] hsaco;
    try {
      dir = Files.createTempDirectory("weft-hsaco");
      RocmKernels built = new RocmToolchain(new CachingCompiler(name, cache, (r, cached) -> { }), (RocmTarget) target)
          .build(modules, dir);
      hsaco = Files.readAllBytes(built.hsaco());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } finally {
      cache.finishBuild();
      if (dir != null) CpuKernelBackend.deleteTree(dir);
    }
    tally.add(kernels.size(), KernelCache.lastBuild().hits() > 0);
    Map<String, String> tool = new TreeMap<>(Map.of("llvm", "20.1.7"));
    return new Built(List.of(new Image("kernels.hsaco", "hsaco", gfx, hsaco)), Map.of(), tool);
  }
}
