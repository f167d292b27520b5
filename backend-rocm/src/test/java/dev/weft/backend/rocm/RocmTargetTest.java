package dev.weft.backend.rocm;

import static org.junit.jupiter.api.Assertions.*;

import dev.weft.codegen.llvm.KernelIr;
import dev.weft.codegen.target.Target;
import dev.weft.codegen.target.Targets;
import java.util.List;
import org.junit.jupiter.api.Test;

class RocmTargetTest {
  @Test
  void twoGfxAreRegistered() {
    assertEquals(List.of("rocm:gfx90a", "rocm:gfx942"), Targets.names());
    Target t = Targets.find("rocm:gfx942");
    assertTrue(t.gpu());
    assertEquals(91, t.kernelCallingConvention());
    assertEquals(1, t.globalAddressSpace());
    assertEquals(3, t.sharedAddressSpace());
    assertEquals(64, t.warpSize());
    assertEquals(64 * 1024, t.sharedMemoryBytes());
    assertTrue(t.supportsIntrinsic("exp", 32), "v_exp_f32 with range reduction");
    assertFalse(t.supportsIntrinsic("exp"), "llvm.exp.f64 aborts isel on AMDGPU");
    assertFalse(t.supportsIntrinsic("sin", 32), "hardware sin loses accuracy for large arguments");
  }

  @Test
  void kernelReadsBlockAndGridSizeFromTheDispatchPacket() {
    Target t = Targets.find("rocm:gfx90a");
    try (KernelIr ir = new KernelIr("k")) {
      ir.gpuKernel(t, "weft_k", 1, 128);
      ir.forEachWorkItem(p -> {});
      ir.finish();
      String text = ir.ir();
      assertTrue(text.contains("define amdgpu_kernel void @weft_k(ptr addrspace(1)"), text);
      assertTrue(text.contains("\"amdgpu-flat-work-group-size\"=\"1,128\""), text);
      assertTrue(text.contains("@llvm.amdgcn.workitem.id.x()") && text.contains("@llvm.amdgcn.workgroup.id.x()"), text);
      assertTrue(text.contains("getelementptr inbounds i8, ptr addrspace(4) %") && text.contains(", i64 4"), text);
      assertTrue(text.contains("load i16, ptr addrspace(4)") && text.contains("load i32, ptr addrspace(4)"), text);
      assertTrue(text.contains("!invariant.load"), text);
    }
  }
}
