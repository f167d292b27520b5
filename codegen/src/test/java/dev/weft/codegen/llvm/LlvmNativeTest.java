package dev.weft.codegen.llvm;

import static org.junit.jupiter.api.Assertions.*;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class LlvmNativeTest {
  @Test
  void loadsOnceFromManyThreadsAndRegistersTheThreeTargets() throws Exception {
    List<Thread> threads = new ArrayList<>();
    for (int i = 0; i < 4; i++) threads.add(Thread.ofPlatform().start(LlvmNative::ensureLoaded));
    for (Thread t : threads) t.join();
    double first = LlvmNative.loadMillis();
    assertTrue(LlvmNative.loaded());
    assertTrue(first > 0, "load time recorded");
    LlvmNative.ensureLoaded();
    assertEquals(first, LlvmNative.loadMillis(), "a second call does not load again");
    System.out.printf("[weft] LLVM natives loaded and X86/NVPTX/AMDGPU initialized in %.0f ms%n", first);
    long t0 = System.nanoTime();
    for (int i = 0; i < 50; i++) {
      try (LlvmTargetMachine tm = LlvmToolchain.targetMachine(TargetSpec.host())) {
        assertNotNull(tm.ref());
      }
    }
    System.out.printf("[weft] host TargetMachine creation: %.2f ms each%n", (System.nanoTime() - t0) / 50e6);
    // Creating a target machine for each family fails unless its target was registered.
    for (TargetSpec s : List.of(TargetSpec.host(), TargetSpec.nvptx("sm_80"), TargetSpec.amdgpu("gfx942"))) {
      try (LlvmTargetMachine tm = LlvmToolchain.targetMachine(s)) {
        assertFalse(tm.dataLayout().isEmpty(), s.shortName());
      }
    }
  }
}
