package dev.weft.compiler;

import dev.weft.codegen.kir.Kernel;
import dev.weft.codegen.llvm.Lld;
import dev.weft.codegen.llvm.EmitKind;
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
 * AMDGPU kernels: linked into one module, emitted as one code object by the shared code
 * generator ({@link LinkedGpuEmission}: a worker process by default; cached under a key over
 * every kernel's bitcode), linked to kernels.hsaco with ld.lld.
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
    List<byte[]> bitcode = bitcode(kernels);
    // One linked module for all kernels: they finish together.
    KernelTally tally = new KernelTally(kernels.size(), progress);
    tally.start();
    byte[] object = LinkedGpuEmission.emit(name, target.spec(), kernels, bitcode, EmitKind.OBJECT, "linked-amdgpu-object");
    tally.add(kernels.size(), KernelCache.lastBuild().hits() > 0);
    Path dir = null;
    try {
      dir = Files.createTempDirectory("weft-hsaco");
      Path o = dir.resolve("kernels.o");
      Files.write(o, object);
      Path hsaco = dir.resolve("kernels.hsaco");
      Lld.linkAmdgpuCodeObject(List.of(o), hsaco).requireSuccess("ld.lld");
      Map<String, String> tool = new TreeMap<>(Map.of("llvm", "20.1.7"));
      return new Built(List.of(new Image("kernels.hsaco", "hsaco", gfx, Files.readAllBytes(hsaco))), Map.of(), tool);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } finally {
      if (dir != null) CpuKernelBackend.deleteTree(dir);
    }
  }
}
