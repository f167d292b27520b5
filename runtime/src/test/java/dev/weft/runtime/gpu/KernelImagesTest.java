package dev.weft.runtime.gpu;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.weft.bundle.manifest.KernelImage;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class KernelImagesTest {
  private static final KernelImage CUBIN_80 = new KernelImage("k.80.cubin", "cubin", "sm_80");
  private static final KernelImage CUBIN_90A = new KernelImage("k.90a.cubin", "cubin", "sm_90a");
  private static final KernelImage PTX_80 = new KernelImage("k.ptx", "ptx", "sm_80");
  private static final List<KernelImage> ALL = List.of(CUBIN_90A, CUBIN_80, PTX_80);

  @Test
  void cubinFitsItsMajorAtOrAboveItsMinorArchSpecificOnlyExactly() {
    assertEquals(Optional.of(CUBIN_90A), KernelImages.forCuda("sm_90", ALL));
    assertEquals(Optional.of(CUBIN_80), KernelImages.forCuda("sm_86", ALL));
    assertEquals(Optional.of(CUBIN_80), KernelImages.forCuda("sm_80", ALL));
    // sm_100 takes neither cubin (other major) but JIT-compiles the PTX.
    assertEquals(Optional.of(PTX_80), KernelImages.forCuda("sm_100", ALL));
    assertEquals(Optional.empty(), KernelImages.forCuda("sm_75", ALL));
    assertEquals(Optional.empty(), KernelImages.forCuda("sm_91", List.of(CUBIN_90A)));
  }

  @Test
  void hsacoFitsItsExactGfxIgnoringFeatureFlags() {
    KernelImage mi300 = new KernelImage("k.hsaco", "hsaco", "gfx942:sramecc+:xnack-");
    assertEquals(Optional.of(mi300), KernelImages.forRocm("gfx942", List.of(mi300)));
    assertEquals(Optional.empty(), KernelImages.forRocm("gfx90a", List.of(mi300)));
  }
}
