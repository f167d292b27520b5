package dev.weft.runtime.cpu;

import dev.weft.runtime.DeviceUnavailableException;
import dev.weft.runtime.spi.Device;
import dev.weft.runtime.spi.DeviceProvider;
import java.util.Map;

/**
 * The host CPU. One device (ordinal 0); its thread count comes from the {@code threads} option,
 * else the {@code weft.cpu.threads} system property, else the available processors.
 */
public final class CpuDeviceProvider implements DeviceProvider {
  @Override
  public String kind() { return "cpu"; }

  @Override
  public Device open(int ordinal, Map<String, String> options) {
    if (ordinal != 0) throw new DeviceUnavailableException("cpu:" + ordinal + ": the host has one cpu device, cpu:0");
    String t = options.getOrDefault("threads", System.getProperty("weft.cpu.threads"));
    int threads = Runtime.getRuntime().availableProcessors();
    if (t != null) {
      try {
        threads = Integer.parseInt(t.strip());
      } catch (NumberFormatException e) {
        throw new DeviceUnavailableException("cpu: threads setting \"" + t + "\" is not a number");
      }
      if (threads < 1 || threads > 4096) throw new DeviceUnavailableException("cpu: threads must be 1..4096, got " + threads);
    }
    return new CpuDevice(threads);
  }
}
