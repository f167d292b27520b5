package dev.weft.compiler;

import dev.weft.bundle.manifest.KernelStats;
import dev.weft.codegen.kir.Kernel;
import dev.weft.codegen.llvm.EmitKind;
import dev.weft.codegen.llvm.Ptxas;
import dev.weft.codegen.target.Target;
import dev.weft.compiler.cache.KernelCache;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * NVPTX kernels: all kernels linked into one module, optimized and printed as one kernels.ptx
 * by the shared code generator ({@link LinkedGpuEmission}: a worker process by default);
 * where ptxas is installed also kernels.cubin, with each kernel's registers and spills recorded.
 * The linked PTX is cached under a key over every kernel's bitcode (one changed kernel recompiles
 * the whole module, as the module is optimized as one).
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
    List<byte[]> bitcode = bitcode(kernels);
    // One linked module for all kernels: they finish together.
    KernelTally tally = new KernelTally(kernels.size(), progress);
    tally.start();
    List<String> names = kernels.stream().map(Kernel::name).toList();
    String ptx;
    if (kernels.isEmpty()) {
      KernelCache.open().finishBuild(); // this build's (empty) cache counts, as for any build
      ptx = emptyModule();
    } else {
      ptx = new String(LinkedGpuEmission.emit(name, target.spec(), kernels, bitcode, EmitKind.ASSEMBLY, "linked-ptx"),
          StandardCharsets.UTF_8);
    }
    tally.add(kernels.size(), KernelCache.lastBuild().hits() > 0);
    List<Image> images = new ArrayList<>();
    images.add(new Image("kernels.ptx", "ptx", sm, ptx.getBytes(StandardCharsets.UTF_8)));
    Map<String, String> notes = new TreeMap<>();
    String cacheNote = KernelCache.lastBuild().hits() > 0 ? "cache=hit" : "cache=miss";
    for (String n : names) notes.put(n, cacheNote);
    Map<String, String> tool = new TreeMap<>();
    tool.put("llvm", "20.1.7");
    List<KernelStats> stats = new ArrayList<>();
    if (Ptxas.available()) {
      Ptxas.Result r = Ptxas.assemble(ptx, sm);
      images.add(new Image("kernels.cubin", "cubin", sm, r.cubin()));
      for (Ptxas.KernelStats s : r.kernels()) {
        stats.add(new KernelStats(s.kernel(), s.registers(), s.spillStoreBytes(), s.spillLoadBytes(), s.sharedBytes(),
            s.stackFrameBytes(), s.barriers()));
        notes.merge(s.kernel(), "registers=" + s.registers() + " spill_stores=" + s.spillStoreBytes() + " spill_loads=" + s.spillLoadBytes(), (a, b) -> a + " " + b);
      }
      tool.put("ptxas", "present");
    }
    return new Built(images, notes, tool, stats);
  }
}
