package dev.weft.backend.cuda;

import static org.junit.jupiter.api.Assertions.*;

import dev.weft.codegen.emit.Cooperation;
import dev.weft.codegen.emit.CooperativeSamples;
import dev.weft.codegen.kir.CooperativePlan;
import dev.weft.codegen.kir.Kernel;
import dev.weft.codegen.llvm.Compiler;
import dev.weft.codegen.llvm.KernelModule;
import dev.weft.codegen.llvm.Ptxas;
import dev.weft.codegen.target.Targets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Cooperative kernels (a warp or block per work item) on NVPTX: the PTX of lowered softmax,
 * layer norm, reduce_mean and matmul kernels carries the butterfly (shfl.sync.bfly), the
 * block-per-row softmax also bar.sync, the short-row softmax neither; ptxas assembles all of
 * them. Running them needs a GPU, which this test does not have.
 */
class CudaCooperativeTest {
  @ParameterizedTest
  @ValueSource(strings = {"cuda:sm_80", "cuda:sm_90"})
  void ptxHasShufflesAndBarriersAndAssembles(String name, @TempDir Path out) throws Exception {
    CudaTarget target = (CudaTarget) Targets.find(name);
    Map<String, Kernel> set = CooperativeSamples.gpuSet();
    List<KernelModule> modules = new ArrayList<>();
    for (Kernel k : set.values()) modules.add(CooperativeSamples.module(k, target));
    CudaKernels built;
    try (Compiler c = Compiler.create(Compiler.Mode.IN_PROCESS, 2, out.resolve("repro"))) {
      built = new CudaToolchain(c, target, true).build(modules, out);
    }
    String ptx = Files.readString(built.ptx());
    for (String k : List.of("weft_softmax", "weft_ln", "weft_mean", "weft_mm", "weft_sum_f64", "weft_sum_i64", "weft_max_i32")) {
      assertTrue(entry(ptx, k).contains("shfl.sync.bfly.b32"), k + " reduces across the warp\n" + entry(ptx, k));
      assertFalse(entry(ptx, k).contains("bar.sync"), k + " is a warp per row: no block barrier");
    }
    assertTrue(entry(ptx, "weft_softmax_long").contains("shfl.sync.bfly.b32"));
    assertTrue(entry(ptx, "weft_softmax_long").matches("(?s).*(bar\\.sync|barrier\\.sync).*"), "8192-term rows combine warps in shared memory");
    assertTrue(entry(ptx, "weft_softmax_long").contains(".shared"), entry(ptx, "weft_softmax_long"));
    assertFalse(entry(ptx, "weft_softmax_short").contains("shfl"), "16-term rows keep one thread per row");
    if (!Ptxas.available()) {
      System.out.println("[weft] SKIPPED cubin for " + name + ": ptxas not found");
      Assumptions.abort("ptxas not installed: PTX checked, cubin not");
    }
    assertEquals(0x7f, Files.readAllBytes(built.cubin().orElseThrow())[0]);
    for (Ptxas.KernelStats s : built.stats()) {
      assertEquals(0, s.spillStoreBytes(), s.toString());
      if (s.kernel().equals("weft_softmax_long")) assertTrue(s.sharedBytes() > 0 && s.barriers() > 0, s.toString());
      System.out.printf("[weft] %s %s: %d registers, %d B shared, %d barriers%n", name, s.kernel(), s.registers(), s.sharedBytes(), s.barriers());
    }
  }

  /** Kernels under the threshold emit exactly the thread-per-item code (no lane, no item division, no shuffle). */
  @Test
  void shortRowsKeepTheThreadPerItemCode() {
    CudaTarget target = (CudaTarget) Targets.find("cuda:sm_90");
    Kernel shortRows = CooperativeSamples.gpuSet().get("weft_softmax_short");
    assertNull(Cooperation.plan(shortRows, target));
    assertEquals(256, Cooperation.itemsPerBlock(shortRows, target));
    String ir = CooperativeSamples.ir(shortRows, target);
    assertFalse(ir.contains("shfl") || ir.contains("%lane = ") || ir.contains("%item = "), ir);
    Kernel softmax = CooperativeSamples.gpuSet().get("weft_softmax");
    CooperativePlan p = Cooperation.plan(softmax, target);
    assertEquals(8, Cooperation.itemsPerBlock(softmax, target), String.valueOf(p));
    String coop = CooperativeSamples.ir(softmax, target);
    assertTrue(coop.contains("@llvm.nvvm.shfl.sync.bfly.i32(i32 -1,") && coop.contains("i32 31)"), coop);
  }

  /** The NVPTX primitives refuse what would abort LLVM: a lane mask outside the warp, a type shfl does not move. */
  @Test
  void shuffleArgumentsAreCheckedInJava() {
    CudaTarget target = (CudaTarget) Targets.find("cuda:sm_80");
    try (dev.weft.codegen.llvm.KernelIr ir = new dev.weft.codegen.llvm.KernelIr("k")) {
      ir.gpuKernel(target, "weft_k", 1, 128);
      var f16 = org.bytedeco.llvm.global.LLVM.LLVMConstReal(org.bytedeco.llvm.global.LLVM.LLVMHalfTypeInContext(ir.ctx), 1);
      var one = org.bytedeco.llvm.global.LLVM.LLVMConstReal(ir.f32, 1);
      assertThrows(IllegalArgumentException.class, () -> target.shuffleXor(ir.b, ir.module, one, 32));
      assertThrows(IllegalArgumentException.class, () -> target.shuffleXor(ir.b, ir.module, one, 0));
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> target.shuffleXor(ir.b, ir.module, f16, 1));
      assertTrue(e.getMessage().contains("f32, f64, i32 or i64"), e.getMessage());
      assertThrows(IllegalArgumentException.class, () -> target.sharedArray(ir.module, ir.f64, 7000, "too_big"));
    }
  }

  /** The PTX of one entry: from its .entry line to the next one. */
  static String entry(String ptx, String name) {
    int at = ptx.indexOf(".entry " + name + "(");
    assertTrue(at >= 0, name + " in the PTX");
    int next = ptx.indexOf(".entry ", at + 1);
    return ptx.substring(at, next < 0 ? ptx.length() : next);
  }
}
