package dev.weft.backend.rocm;

import static org.junit.jupiter.api.Assertions.*;

import dev.weft.codegen.emit.Cooperation;
import dev.weft.codegen.emit.CooperativeSamples;
import dev.weft.codegen.kir.Kernel;
import dev.weft.codegen.llvm.Compiler;
import dev.weft.codegen.llvm.KernelModule;
import dev.weft.codegen.target.Targets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Cooperative kernels on AMDGPU (wave64): the butterfly is ds_bpermute over mbcnt lane ids, the
 * block barrier s_barrier between workgroup-scope fences; the HSACO with all of them links and
 * lists every kernel. Running them needs a GPU, which this test does not have.
 */
class RocmCooperativeTest {
  @ParameterizedTest
  @ValueSource(strings = {"rocm:gfx90a", "rocm:gfx942"})
  void hsacoWithWaveReductionsLinks(String name, @TempDir Path out) throws Exception {
    RocmTarget target = (RocmTarget) Targets.find(name);
    Map<String, Kernel> set = CooperativeSamples.gpuSet();
    String softmax = CooperativeSamples.ir(set.get("weft_softmax"), target);
    assertTrue(softmax.contains("@llvm.amdgcn.ds.bpermute(") && softmax.contains("@llvm.amdgcn.mbcnt.hi("), softmax);
    assertFalse(softmax.contains("s.barrier"), "a wave per row needs no barrier");
    String longRows = CooperativeSamples.ir(set.get("weft_softmax_long"), target);
    assertTrue(longRows.contains("fence syncscope(\"workgroup\") release\n  call void @llvm.amdgcn.s.barrier()\n"
        + "  fence syncscope(\"workgroup\") acquire"), longRows);
    assertTrue(longRows.contains("addrspace(3) global [4 x float]"), "one LDS slot per wave of the 256-thread block");
    assertFalse(CooperativeSamples.ir(set.get("weft_softmax_short"), target).contains("bpermute"));
    assertEquals(4, Cooperation.itemsPerBlock(set.get("weft_softmax"), target), "256 threads, a 64-lane wave per row");
    assertEquals(1, Cooperation.itemsPerBlock(set.get("weft_softmax_long"), target));

    List<KernelModule> modules = new ArrayList<>();
    for (Kernel k : set.values()) modules.add(CooperativeSamples.module(k, target));
    RocmKernels built;
    try (Compiler c = Compiler.create(Compiler.Mode.IN_PROCESS, 2, out.resolve("repro"))) {
      built = new RocmToolchain(c, target).build(modules, out);
    }
    byte[] elf = Files.readAllBytes(built.hsaco());
    assertEquals(0x7f, elf[0]);
    assertEquals(set.keySet().stream().sorted().toList(), built.notes().kernels().stream().map(AmdhsaKernel::name).toList());
    for (AmdhsaKernel k : built.notes().kernels()) {
      assertEquals(0, k.vgprSpillCount(), k.toString());
      System.out.printf("[weft] %s %s: %d VGPRs, %d SGPRs%n", name, k.name(), k.vgprCount(), k.sgprCount());
    }
  }
}
