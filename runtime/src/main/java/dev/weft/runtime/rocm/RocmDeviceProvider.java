package dev.weft.runtime.rocm;

import dev.weft.runtime.DeviceException;
import dev.weft.runtime.DeviceUnavailableException;
import dev.weft.runtime.gpu.GpuDevice;
import dev.weft.runtime.gpu.NativeLibrary;
import dev.weft.runtime.spi.Device;
import dev.weft.runtime.spi.DeviceProvider;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * AMD GPUs through HIP. The library is {@code libamdhip64.so} unless the {@code library} option
 * or the {@code weft.rocm.library} system property names another; the KFD topology root can be
 * moved with the {@code kfd} option or {@code weft.rocm.kfd} (for tests).
 */
public final class RocmDeviceProvider implements DeviceProvider {
  public static final String DEFAULT_LIBRARY = "libamdhip64.so";
  private static final Map<String, HipApi> APIS = new ConcurrentHashMap<>();

  @Override
  public String kind() { return "rocm"; }

  static HipApi api(String library, Path kfd) {
    String key = library + "|" + kfd;
    HipApi api = APIS.get(key);
    if (api != null) return api;
    synchronized (APIS) {
      try {
        return APIS.computeIfAbsent(key, k -> new HipApi(NativeLibrary.open("rocm", library), KfdTopology.read(kfd)));
      } catch (DeviceException e) {
        throw new DeviceUnavailableException(e.getMessage(), e);
      }
    }
  }

  @Override
  public Device open(int ordinal, Map<String, String> options) {
    String library = options.getOrDefault("library", System.getProperty("weft.rocm.library", DEFAULT_LIBRARY));
    Path kfd = Path.of(options.getOrDefault("kfd", System.getProperty("weft.rocm.kfd", KfdTopology.DEFAULT_ROOT.toString())));
    HipApi api = api(library, kfd);
    int count = api.deviceCount();
    if (ordinal >= count) {
      throw new DeviceUnavailableException("rocm:" + ordinal + ": this machine has " + count + " ROCm device"
          + (count == 1 ? "" : "s"));
    }
    return new GpuDevice(api, ordinal, "hip_runtime_min");
  }
}
