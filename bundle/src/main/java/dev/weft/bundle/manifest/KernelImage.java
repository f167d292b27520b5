package dev.weft.bundle.manifest;

import java.util.Objects;

/**
 * One kernels file of a rank.
 *
 * @param path relative to the bundle root, e.g. {@code ranks/0/kernels.cubin}
 * @param format {@code so} (host shared library), {@code ptx}, {@code cubin} or {@code hsaco}
 * @param arch the architecture it was built for ({@code x86_64}, {@code sm_90}, {@code gfx942})
 */
public record KernelImage(String path, String format, String arch) {
  public KernelImage {
    Objects.requireNonNull(path, "path");
    Objects.requireNonNull(format, "format");
    Objects.requireNonNull(arch, "arch");
  }
}
