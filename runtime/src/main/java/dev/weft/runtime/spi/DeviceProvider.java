package dev.weft.runtime.spi;

import dev.weft.runtime.DeviceUnavailableException;
import java.util.Map;

/**
 * A kind of device, found through {@link java.util.ServiceLoader}. Adding a device kind is
 * adding a module with a provider, not editing a switch.
 */
public interface DeviceProvider {
  /** {@code cpu}, {@code cuda}, {@code rocm}: what a bundle's {@code target.kind} names. */
  String kind();

  /**
   * Loads the driver and describes device {@code ordinal}, allocating nothing on it (the
   * runtime checks that the bundle fits first).
   *
   * @param options device settings ({@code threads} for cpu; {@code library} for a driver path)
   * @throws DeviceUnavailableException naming the missing library or device
   */
  Device open(int ordinal, Map<String, String> options);
}
