package dev.weft.compiler;

import dev.weft.codegen.kir.Kernel;
import dev.weft.codegen.llvm.LlvmToolchain;
import dev.weft.codegen.llvm.OwnedModule;
import dev.weft.codegen.llvm.Ptxas;
import dev.weft.codegen.target.Target;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * NVPTX kernels: all kernels linked into one module, optimized, printed as one kernels.ptx;
 * where ptxas is installed also kernels.cubin, with each kernel's registers and spills recorded.
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

  @Override
  public Built build(List<Kernel> kernels) {
    List<byte[]> bitcode = bitcode(kernels);
    List<String> names = kernels.stream().map(Kernel::name).toList();
    String ptx;
    try (OwnedModule linked = LlvmToolchain.link(bitcode, names, "kernels")) {
      LlvmToolchain.optimize(linked.module(), target.spec());
      ptx = LlvmToolchain.emitAssembly(linked.module(), target.spec());
    }
    List<Image> images = new ArrayList<>();
    images.add(new Image("kernels.ptx", "ptx", sm, ptx.getBytes(StandardCharsets.UTF_8)));
    Map<String, String> notes = new TreeMap<>();
    Map<String, String> tool = new TreeMap<>();
    tool.put("llvm", "20.1.7");
    if (Ptxas.available()) {
      Ptxas.Result r = Ptxas.assemble(ptx, sm);
      images.add(new Image("kernels.cubin", "cubin", sm, r.cubin()));
      for (Ptxas.KernelStats s : r.kernels()) {
        notes.put(s.kernel(), "registers=" + s.registers() + " spill_stores=" + s.spillStoreBytes() + " spill_loads=" + s.spillLoadBytes());
      }
      tool.put("ptxas", "present");
    }
    return new Built(images, notes, tool);
  }
}
