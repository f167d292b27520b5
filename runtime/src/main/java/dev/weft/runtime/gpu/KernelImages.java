package dev.weft.runtime.gpu;

import dev.weft.bundle.manifest.KernelImage;
import java.util.List;
import java.util.Optional;

/**
 * Which of a rank's kernel images a GPU can load.
 *
 * <p>CUDA: a cubin runs on devices of its major compute capability with an equal or higher minor
 * ({@code sm_80} on {@code sm_86}), except arch-specific {@code sm_90a}-style cubins, which run
 * only on that exact architecture; PTX is JIT-compiled by the driver for any device at or above
 * its target. Cubins are preferred (no JIT at load). ROCm: an HSACO runs only on the gfx
 * architecture it was built for (target features after ':' aside).
 */
public final class KernelImages {
  private KernelImages() {}

  /** A parsed {@code sm_XY[a]}: capability {@code X*10+Y}, arch-specific when suffixed. */
  record Sm(int major, int minor, boolean specific) {
    static Sm parse(String arch) {
      if (arch == null || !arch.startsWith("sm_")) return null;
      String s = arch.substring(3);
      boolean specific = s.endsWith("a") || s.endsWith("f");
      if (specific) s = s.substring(0, s.length() - 1);
      if (s.length() < 2 || !s.chars().allMatch(Character::isDigit)) return null;
      int v = Integer.parseInt(s);
      return new Sm(v / 10, v % 10, specific);
    }
  }

  /** The image for a CUDA device of architecture {@code deviceArch} ({@code sm_90}). */
  public static Optional<KernelImage> forCuda(String deviceArch, List<KernelImage> images) {
    Sm dev = Sm.parse(deviceArch);
    if (dev == null) return Optional.empty();
    for (KernelImage k : images) {
      Sm img = Sm.parse(k.arch());
      if (!k.format().equals("cubin") || img == null) continue;
      boolean fits = img.specific()
          ? img.major() == dev.major() && img.minor() == dev.minor()
          : img.major() == dev.major() && img.minor() <= dev.minor();
      if (fits) return Optional.of(k);
    }
    for (KernelImage k : images) {
      Sm img = Sm.parse(k.arch());
      if (!k.format().equals("ptx") || img == null) continue;
      boolean fits = img.specific()
          ? img.major() == dev.major() && img.minor() == dev.minor()
          : img.major() * 10 + img.minor() <= dev.major() * 10 + dev.minor();
      if (fits) return Optional.of(k);
    }
    return Optional.empty();
  }

  /** The image for a ROCm device of architecture {@code deviceArch} ({@code gfx942}). */
  public static Optional<KernelImage> forRocm(String deviceArch, List<KernelImage> images) {
    for (KernelImage k : images) {
      if (k.format().equals("hsaco") && base(k.arch()).equals(base(deviceArch))) return Optional.of(k);
    }
    return Optional.empty();
  }

  /** {@code gfx90a:sramecc+:xnack-} to {@code gfx90a}. */
  static String base(String gfx) {
    int c = gfx.indexOf(':');
    return c < 0 ? gfx : gfx.substring(0, c);
  }

  public static String describe(List<KernelImage> images) {
    return images.isEmpty() ? "no images" : String.join(", ", images.stream().map(k -> k.format() + " " + k.arch()).toList());
  }
}
