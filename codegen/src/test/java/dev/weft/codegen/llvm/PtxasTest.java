package dev.weft.codegen.llvm;

import static org.junit.jupiter.api.Assertions.*;

import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

class PtxasTest {
  @Test
  void ptxasStatsParser() {
    String log = """
        ptxas info    : 0 bytes gmem
        ptxas info    : Compiling entry function 'k2' for 'sm_80'
        ptxas info    : Function properties for k2
            0 bytes stack frame, 0 bytes spill stores, 0 bytes spill loads
        ptxas info    : Used 8 registers, used 0 barriers, 360 bytes cmem[0]
        ptxas info    : Compiling entry function 'k' for 'sm_80'
        ptxas info    : Function properties for k
            16 bytes stack frame, 12 bytes spill stores, 8 bytes spill loads
        ptxas info    : Used 255 registers, used 1 barriers, 1024 bytes smem, 360 bytes cmem[0]
        ptxas info    : Function properties for helper
            0 bytes stack frame, 4 bytes spill stores, 4 bytes spill loads
        """;
    assertEquals(List.of(new Ptxas.KernelStats("k", 255, 12, 8, 1024, 16, 1), new Ptxas.KernelStats("k2", 8, 0, 0, 0, 0, 0)),
        Ptxas.parse(log));
  }

  @Test
  void assemblesPtxAndReportsEachEntry() {
    Assumptions.assumeTrue(Ptxas.available(), "ptxas not installed (PATH, $CUDA_HOME/bin, /usr/local/cuda/bin): skipped");
    try (OwnedModule m = LlvmToolchain.parseIr(LlvmToolchainTest.NVPTX_ADD, "add.ll")) {
      String ptx = LlvmToolchain.emitAssembly(m.module(), TargetSpec.nvptx("sm_90a"));
      Ptxas.Result r = Ptxas.assemble(ptx, "sm_90a");
      assertEquals(0x7f, r.cubin()[0]);
      Ptxas.KernelStats s = r.kernel("weft_add").orElseThrow();
      assertTrue(s.registers() > 0, s.toString());
      assertArrayEquals(r.cubin(), Ptxas.assemble(ptx, "sm_90a").cubin(), "ptxas output is deterministic");
      System.out.printf("[weft] ptxas -arch=sm_90a on one kernel: %.0f ms (%s)%n", r.millis(), s);
    }
    ToolException bad = assertThrows(ToolException.class, () -> Ptxas.assemble(".version 8.0\n.target sm_90a\nnonsense", "sm_90a"));
    assertTrue(bad.getMessage().contains("ptxas"), bad.getMessage());
    assertThrows(UnknownTargetException.class, () -> Ptxas.assemble("", "sm_90; rm -rf"));
  }
}
