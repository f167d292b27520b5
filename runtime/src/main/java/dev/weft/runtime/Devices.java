package dev.weft.runtime;

import dev.weft.runtime.spi.Device;
import dev.weft.runtime.spi.DeviceProvider;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.TreeSet;

/** Opens devices by name through the {@link DeviceProvider}s on the class path. */
public final class Devices {
  private Devices() {}

  /** The kinds of device providers on the class path, sorted. */
  public static List<String> kinds() {
    TreeSet<String> out = new TreeSet<>();
    for (DeviceProvider p : ServiceLoader.load(DeviceProvider.class)) out.add(p.kind());
    return List.copyOf(out);
  }

  /**
   * Opens {@code spec}: {@code kind} or {@code kind:ordinal} ({@code cpu}, {@code cuda:1}).
   * Without an ordinal, device {@code defaultOrdinal}.
   *
   * @throws DeviceUnavailableException naming an unknown kind, a missing driver or device
   */
  public static Device open(String spec, int defaultOrdinal, Map<String, String> options) {
    String kind = spec;
    int ordinal = defaultOrdinal;
    int colon = spec.indexOf(':');
    if (colon >= 0) {
      kind = spec.substring(0, colon);
      try {
        ordinal = Integer.parseInt(spec.substring(colon + 1));
      } catch (NumberFormatException e) {
        throw new DeviceUnavailableException("device \"" + spec + "\": the ordinal after ':' is not a number");
      }
      if (ordinal < 0) throw new DeviceUnavailableException("device \"" + spec + "\": negative ordinal");
    }
    List<String> known = new ArrayList<>();
    for (DeviceProvider p : ServiceLoader.load(DeviceProvider.class)) {
      if (p.kind().equals(kind)) return p.open(ordinal, options);
      known.add(p.kind());
    }
    throw new DeviceUnavailableException("no device kind \"" + kind + "\" (available: " + String.join(", ", new TreeSet<>(known)) + ")");
  }

  public static Device open(String spec) { return open(spec, 0, Map.of()); }
}
