package dev.weft.compiler;

import dev.weft.bundle.manifest.KernelStats;
import dev.weft.codegen.kir.Kernel;
import dev.weft.backend.cuda.CudaKernels;
import dev.weft.backend.cuda.CudaTarget;
import dev.weft.backend.cuda.CudaToolchain;
import dev.weft.codegen.llvm.KernelModule;
import dev.weft.codegen.llvm.Ptxas;
import dev.weft.codegen.target.Target;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * NVPTX kernels: all kernels linked into one module, optimized and printed as one kernels.ptx
 * by backend-cuda's {@link CudaToolchain} through the shared code generator (a worker process by default);
 * where ptxas is installed also kernels.cubin, with each kernel's registers and spills recorded.
 * The linked PTX is cached under a key over the linked module's bitcode (one changed kernel
 * recompiles the whole module, as the module is optimized as one).
 */
final class CudaKernelBackend extends LlvmKernelBackend {
  private final String name;
  private final String sm;

  CudaKernelBackend(String name, Target target) {
    super(target);
    this.name = name;
    this.sm = name.substring("cuda:".length());
  }

  @Override public String target() { return name; }

  @Override public String kind() { return "cuda"; }

  @Override public String arch() { return sm; }

  /**
   * The module of a program whose every step is a library call or a copy (a lone matmul on
   * cuBLASLt): an empty module keeps the bundle layout and the runtime's loading as for any program.
   */
  private String emptyModule() {
    return "//\n// No kernels: every step of this program is a library call or a copy.\n//\n\n.version 7.8\n.target " + sm
        + "\n.address_size 64\n";
  }

  @Override
  public Built build(List<Kernel> kernels, CompileProgress progress) {
    List<KernelModule> modules = modules(kernels);
    List<Image> images = new ArrayList<>();
    Map<String, String> tool = new TreeMap<>();
    tool.put("llvm", "20.1.7");
    List<KernelStats> stats = new ArrayList<>();
    linkedBuild(name, kernels, progress, (compiler, dir) -> {
      if (kernels.isEmpty()) {
        images.add(new Image("kernels.ptx", "ptx", sm, emptyModule().getBytes(StandardCharsets.UTF_8)));
        if (Ptxas.available()) {
          images.add(new Image("kernels.cubin", "cubin", sm, Ptxas.assemble(emptyModule(), sm).cubin()));
          tool.put("ptxas", "present");
        }
        return null;
      }
      CudaKernels built = new CudaToolchain(compiler, (CudaTarget) target, true).build(modules, dir);
      images.add(new Image("kernels.ptx", "ptx", sm, Files.readAllBytes(built.ptx())));
      if (built.cubin().isPresent()) {
        images.add(new Image("kernels.cubin", "cubin", sm, Files.readAllBytes(built.cubin().get())));
        tool.put("ptxas", "present");
      }
      for (Ptxas.KernelStats s : built.stats()) {
        stats.add(new KernelStats(s.kernel(), s.registers(), s.spillStoreBytes(), s.spillLoadBytes(), s.sharedBytes(),
            s.stackFrameBytes(), s.barriers()));
      }
      return null;
    });
    boolean hit = servedFromCache();
    Map<String, String> notes = new TreeMap<>();
    for (Kernel k : kernels) notes.put(k.name(), hit ? "cache=hit" : "cache=miss");
    for (KernelStats s : stats) {
      notes.merge(s.name(), "registers=" + s.registers() + " spill_stores=" + s.spillStores() + " spill_loads=" + s.spillLoads(),
          (a, b) -> a + " " + b);
    }
    return new Built(images, notes, tool, stats);
  }
}
