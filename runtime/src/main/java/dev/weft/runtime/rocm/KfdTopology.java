package dev.weft.runtime.rocm;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * GPU architectures from the amdgpu KFD topology ({@code /sys/class/kfd/kfd/topology/nodes/N/properties}),
 * as ROCm's own tools read them: nodes in numeric order, GPUs being those with a non-zero
 * {@code gfx_target_version} (e.g. {@code 90402} for gfx942, {@code 90010} for gfx90a). With
 * {@code HIP_VISIBLE_DEVICES} set the HIP ordinals no longer follow this order, so the
 * architecture is then "unknown" and the driver's check at module load decides.
 */
public final class KfdTopology {
  public static final Path DEFAULT_ROOT = Path.of("/sys/class/kfd/kfd/topology/nodes");
  private final List<String> gpus;
  private final boolean remapped;

  private KfdTopology(List<String> gpus, boolean remapped) {
    this.gpus = List.copyOf(gpus);
    this.remapped = remapped;
  }

  /** Reads the topology under {@code nodes}; a missing or unreadable one gives no architectures. */
  public static KfdTopology read(Path nodes) {
    List<String> gpus = new ArrayList<>();
    if (Files.isDirectory(nodes)) {
      try (Stream<Path> s = Files.list(nodes)) {
        List<Path> dirs = s.filter(p -> p.getFileName().toString().matches("\\d+"))
            .sorted(Comparator.comparingLong(p -> Long.parseLong(p.getFileName().toString()))).toList();
        for (Path d : dirs) {
          long v = gfxTargetVersion(d.resolve("properties"));
          if (v > 0) gpus.add(gfxName(v));
        }
      } catch (IOException | RuntimeException e) {
        gpus.clear();
      }
    }
    boolean remapped = System.getenv("HIP_VISIBLE_DEVICES") != null || System.getenv("ROCR_VISIBLE_DEVICES") != null
        || System.getenv("CUDA_VISIBLE_DEVICES") != null;
    return new KfdTopology(gpus, remapped);
  }

  private static long gfxTargetVersion(Path properties) throws IOException {
    if (!Files.isRegularFile(properties)) return 0;
    for (String line : Files.readAllLines(properties)) {
      String[] kv = line.strip().split("\\s+");
      if (kv.length == 2 && kv[0].equals("gfx_target_version")) return Long.parseLong(kv[1]);
    }
    return 0;
  }

  /** {@code 90402} to {@code gfx942}: major, then minor and stepping as one hex digit each. */
  static String gfxName(long v) {
    long major = v / 10000;
    long minor = (v / 100) % 100;
    long stepping = v % 100;
    return "gfx" + major + Long.toHexString(minor) + Long.toHexString(stepping);
  }

  /** The architecture of HIP device {@code ordinal}, or "unknown". */
  public String arch(int ordinal) {
    if (remapped || ordinal < 0 || ordinal >= gpus.size()) return "unknown";
    return gpus.get(ordinal);
  }
}
