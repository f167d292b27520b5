package dev.weft.compiler;

import dev.weft.backend.cpu.CpuKernels;
import dev.weft.backend.cpu.CpuToolchain;
import dev.weft.bundle.WeftException;
import dev.weft.codegen.kir.Kernel;
import dev.weft.codegen.llvm.CompileResult;
import dev.weft.codegen.llvm.KernelModule;
import dev.weft.codegen.target.Target;
import dev.weft.compiler.cache.KernelCache;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * Host kernels: one object per kernel, optimized at O3 for the host CPU, linked into kernels.so
 * by backend-cpu's {@link CpuToolchain} (which owns the emission). Objects come from the kernel
 * cache when their unoptimized bitcode was compiled before.
 */
final class CpuKernelBackend extends LlvmKernelBackend {
  private final String name;

  CpuKernelBackend(String name, Target target) {
    super(target);
    this.name = name;
  }

  @Override public String target() { return name; }

  @Override public String kind() { return "cpu"; }

  @Override public String arch() { return "x86_64"; }

  @Override
  public Built build(List<Kernel> kernels, CompileProgress progress) {
    List<KernelModule> modules = modules(kernels);
    KernelCache cache = KernelCache.open();
    Path dir = null;
    try {
      dir = Files.createTempDirectory("weft-link");
      KernelTally tally = new KernelTally(kernels.size(), progress);
      tally.start();
      CachingCompiler compiler = new CachingCompiler(name, cache, (r, cached) -> {
        if (!r.kernel().equals(CpuToolchain.ABI_SYMBOL)) tally.done(cached);
      });
      CpuKernels built = new CpuToolchain(compiler, target).build(modules, dir);
      byte[] bytes = Files.readAllBytes(built.library());
      Map<String, String> tool = new TreeMap<>();
      tool.put("llvm", "20.1.7");
      tool.put("cpu", target.spec().cpu());
      Map<String, String> notes = new TreeMap<>();
      for (CompileResult r : built.compiled()) notes.put(r.kernel(), Codegen.cacheNote(r));
      return new Built(List.of(new Image("kernels.so", "so", arch(), bytes)), notes, tool);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } finally {
      cache.finishBuild();
      if (dir != null) deleteTree(dir);
    }
  }

  static void deleteTree(Path dir) {
    try (Stream<Path> s = Files.walk(dir)) {
      s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      throw new WeftException("cannot clean " + dir + ": " + e.getMessage(), e);
    }
  }
}
