package dev.weft.bundle.manifest;

import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * The tools that built the bundle. The fingerprint identifies the whole toolchain (it changes
 * when any component does); components name versions ({@code llvm}, {@code ptxas}) and run-time
 * requirements the runtime checks before touching a device:
 * <ul>
 *   <li>{@code kernel_abi}: the kernel ABI version (docs/KERNELS.md; currently 1)</li>
 *   <li>{@code cuda_driver_min} / {@code hip_runtime_min}: least driver version (as the
 *       driver's integer version, e.g. 12040) that can load the kernels</li>
 * </ul>
 */
public record Toolchain(String fingerprint, Map<String, String> components) {
  /** Name of the component holding the kernel ABI version. */
  public static final String KERNEL_ABI = "kernel_abi";

  public Toolchain {
    Objects.requireNonNull(fingerprint, "fingerprint");
    components = java.util.Collections.unmodifiableSortedMap(new TreeMap<>(components));
  }

  public static Toolchain of(String fingerprint, Map<String, String> components) {
    return new Toolchain(fingerprint, new TreeMap<>(components));
  }

  public String component(String name) { return components.get(name); }
}
