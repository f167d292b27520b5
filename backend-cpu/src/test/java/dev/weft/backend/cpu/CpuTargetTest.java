package dev.weft.backend.cpu;

import static org.junit.jupiter.api.Assertions.*;

import dev.weft.codegen.llvm.TargetSpec;
import dev.weft.codegen.llvm.UnknownTargetException;
import dev.weft.codegen.target.Target;
import dev.weft.codegen.target.Targets;
import org.junit.jupiter.api.Test;

class CpuTargetTest {
  @Test
  void foundThroughTheServiceLoader() {
    assertTrue(Targets.names().containsAll(java.util.List.of("cpu", "cpu:portable")), Targets.names().toString());
    Target host = Targets.find("cpu");
    assertEquals("cpu", host.name());
    assertEquals(TargetSpec.host(), host.spec());
    Target portable = Targets.find("cpu:portable");
    assertEquals(TargetSpec.portableHost(), portable.spec());
    for (Target t : java.util.List.of(host, portable)) {
      assertFalse(t.gpu());
      assertEquals(0, t.kernelCallingConvention());
      assertEquals(0, t.globalAddressSpace());
      assertEquals(-1, t.sharedAddressSpace());
      assertEquals(1, t.warpSize());
      assertEquals(0, t.sharedMemoryBytes());
      assertThrows(UnsupportedOperationException.class, () -> t.workItemIndex(null, null));
    }
  }

  @Test
  void unknownNameListsTheRegisteredTargets() {
    UnknownTargetException e = assertThrows(UnknownTargetException.class, () -> Targets.find("tpu"));
    assertTrue(e.valid().contains("cpu:portable"), e.getMessage());
  }

  @Test
  void portableClaimsOnlyWhatSse2Selects() {
    Target portable = Targets.find("cpu:portable");
    assertTrue(portable.supportsIntrinsic("sqrt"));
    assertTrue(portable.supportsIntrinsic("minimum"));
    assertFalse(portable.supportsIntrinsic("floor"), "roundss needs SSE4.1: floorf would be a libm call");
    assertFalse(portable.supportsIntrinsic("fma"));
    assertFalse(portable.supportsIntrinsic("exp"));
    Target host = Targets.find("cpu");
    assertEquals(host.spec().hasFeature("sse4.1"), host.supportsIntrinsic("floor"));
    assertEquals(host.spec().hasFeature("fma"), host.supportsIntrinsic("fma"));
    assertFalse(host.supportsIntrinsic("exp"));
  }

  @Test
  void vectorLanesFollowTheFeatures() {
    assertEquals(4, CpuTarget.portable().vectorLanes());
    CpuTarget host = CpuTarget.host();
    int want = host.spec().hasFeature("avx512f") ? 16 : host.spec().hasFeature("avx") ? 8 : 4;
    assertEquals(want, host.vectorLanes());
  }
}
