package dev.weft.codegen.llvm;

import static org.junit.jupiter.api.Assertions.*;

import java.util.List;
import org.junit.jupiter.api.Test;

class TargetSpecTest {
  @Test
  void factoriesNameTheTripleCpuAndPtxVersion() {
    assertEquals(new TargetSpec("nvptx64-nvidia-cuda", "sm_80", "+ptx70"), TargetSpec.nvptx("sm_80"));
    assertEquals(new TargetSpec("nvptx64-nvidia-cuda", "sm_90", "+ptx78"), TargetSpec.nvptx("sm_90"));
    assertEquals(new TargetSpec("nvptx64-nvidia-cuda", "sm_90a", "+ptx80"), TargetSpec.nvptx("sm_90a"));
    assertEquals(new TargetSpec("amdgcn-amd-amdhsa", "gfx90a", ""), TargetSpec.amdgpu("gfx90a"));
    assertEquals(new TargetSpec("x86_64-unknown-linux-gnu", "x86-64", ""), TargetSpec.portableHost());
    assertEquals(TargetSpec.Arch.NVPTX, TargetSpec.nvptx("sm_90").arch());
    assertEquals(TargetSpec.Arch.AMDGPU, TargetSpec.amdgpu("gfx942").arch());
    assertTrue(TargetSpec.amdgpu("gfx942").gpu());
  }

  @Test
  void hostIsTheMachineLlvmSees() {
    TargetSpec h = TargetSpec.host();
    assertTrue(h.triple().startsWith("x86_64"), h.triple());
    assertFalse(h.cpu().isEmpty());
    assertTrue(h.hasFeature("sse2"), "every x86-64 has SSE2: " + h.features());
    assertFalse(h.gpu());
  }

  @Test
  void unknownArchitecturesListTheValidOnes() {
    UnknownTargetException e = assertThrows(UnknownTargetException.class, () -> TargetSpec.nvptx("sm_75"));
    assertEquals(List.of("sm_80", "sm_90", "sm_90a"), e.valid());
    assertTrue(e.getMessage().contains("'sm_75'") && e.getMessage().contains("sm_90a"), e.getMessage());
    UnknownTargetException r = assertThrows(UnknownTargetException.class, () -> TargetSpec.amdgpu("gfx1100"));
    assertEquals(List.of("gfx90a", "gfx942"), r.valid());
    assertThrows(UnknownTargetException.class, () -> new TargetSpec("riscv64-unknown-linux-gnu", "generic", "").arch());
  }
}
