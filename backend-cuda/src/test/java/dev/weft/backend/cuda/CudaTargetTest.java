package dev.weft.backend.cuda;

import static org.junit.jupiter.api.Assertions.*;

import dev.weft.codegen.llvm.KernelIr;
import dev.weft.codegen.llvm.UnknownTargetException;
import dev.weft.codegen.target.Target;
import dev.weft.codegen.target.Targets;
import java.util.List;
import org.junit.jupiter.api.Test;

class CudaTargetTest {
  @Test
  void threeSmsAreRegistered() {
    assertEquals(List.of("cuda:sm_80", "cuda:sm_90", "cuda:sm_90a"), Targets.names());
    Target t = Targets.find("cuda:sm_90a");
    assertTrue(t.gpu());
    assertEquals(71, t.kernelCallingConvention());
    assertEquals(1, t.globalAddressSpace());
    assertEquals(3, t.sharedAddressSpace());
    assertEquals(32, t.warpSize());
    assertEquals(48 * 1024, t.sharedMemoryBytes());
    assertEquals("+ptx80", t.spec().features());
    UnknownTargetException e = assertThrows(UnknownTargetException.class, () -> Targets.find("cuda:sm_75"));
    assertTrue(e.getMessage().contains("cuda:sm_80"), e.getMessage());
  }

  @Test
  void kernelGetsTheCallingConventionLaunchBoundAndGridStrideIndex() {
    Target t = Targets.find("cuda:sm_80");
    try (KernelIr ir = new KernelIr("k")) {
      ir.gpuKernel(t, "weft_k", 1, 128);
      ir.forEachWorkItem(p -> {});
      ir.finish();
      String text = ir.ir();
      assertTrue(text.contains("define ptx_kernel void @weft_k(ptr addrspace(1)"), text);
      assertTrue(text.contains("!{ptr @weft_k, !\"maxntidx\", i32 128}"), text);
      for (String sreg : List.of("tid.x", "ctaid.x", "ntid.x", "nctaid.x")) {
        assertTrue(text.contains("@llvm.nvvm.read.ptx.sreg." + sreg + "()"), sreg + "\n" + text);
      }
      assertTrue(text.contains("\"target-cpu\"=\"sm_80\"") && text.contains("\"target-features\"=\"+ptx70\""), text);
    }
    assertThrows(IllegalArgumentException.class, () -> {
      try (KernelIr ir = new KernelIr("k")) {
        ir.gpuKernel(t, "weft_k", 1, 2048);
      }
    });
  }
}
