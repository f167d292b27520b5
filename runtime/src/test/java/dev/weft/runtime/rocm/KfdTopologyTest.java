package dev.weft.runtime.rocm;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KfdTopologyTest {
  @Test
  void gfxNamesFromTargetVersions() {
    assertEquals("gfx942", KfdTopology.gfxName(90402));
    assertEquals("gfx90a", KfdTopology.gfxName(90010));
    assertEquals("gfx1100", KfdTopology.gfxName(110000));
  }

  @Test
  void gpusAreNodesWithATargetVersionInNumericOrder(@TempDir Path root) throws IOException {
    node(root, "0", "cpu_cores_count 64\ngfx_target_version 0\n");
    node(root, "10", "simd_count 304\ngfx_target_version 90010\n");
    node(root, "2", "simd_count 304\ngfx_target_version 90402\n");
    KfdTopology t = KfdTopology.read(root);
    org.junit.jupiter.api.Assumptions.assumeTrue(System.getenv("HIP_VISIBLE_DEVICES") == null
        && System.getenv("ROCR_VISIBLE_DEVICES") == null && System.getenv("CUDA_VISIBLE_DEVICES") == null,
        "SKIPPED: a *_VISIBLE_DEVICES variable is set, which makes the topology order meaningless");
    assertEquals("gfx942", t.arch(0));
    assertEquals("gfx90a", t.arch(1));
    assertEquals("unknown", t.arch(2));
  }

  @Test
  void missingTopologyMeansUnknown(@TempDir Path root) {
    assertEquals("unknown", KfdTopology.read(root.resolve("nope")).arch(0));
  }

  private static void node(Path root, String n, String props) throws IOException {
    Files.createDirectories(root.resolve(n));
    Files.writeString(root.resolve(n).resolve("properties"), props);
  }
}
