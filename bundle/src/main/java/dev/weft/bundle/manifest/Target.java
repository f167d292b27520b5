package dev.weft.bundle.manifest;

import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * What the bundle was compiled for.
 *
 * @param kind the device kind a runtime must offer: {@code cpu}, {@code cuda} or {@code rocm}
 * @param arch {@code x86_64}/{@code aarch64} (cpu), {@code sm_80}/{@code sm_90a} (cuda),
 *     {@code gfx942} (rocm)
 * @param options further target facts (e.g. {@code os: linux}, CPU features), keys sorted
 */
public record Target(String kind, String arch, Map<String, String> options) {
  public Target {
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(arch, "arch");
    options = java.util.Collections.unmodifiableSortedMap(new TreeMap<>(options));
  }

  public static Target of(String kind, String arch) { return new Target(kind, arch, new TreeMap<>()); }

  public static Target of(String kind, String arch, Map<String, String> options) {
    return new Target(kind, arch, new TreeMap<>(options));
  }
}
