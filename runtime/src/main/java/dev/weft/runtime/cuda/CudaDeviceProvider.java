package dev.weft.runtime.cuda;

import dev.weft.runtime.DeviceException;
import dev.weft.runtime.DeviceUnavailableException;
import dev.weft.runtime.gpu.GpuDevice;
import dev.weft.runtime.gpu.NativeLibrary;
import dev.weft.runtime.spi.Device;
import dev.weft.runtime.spi.DeviceProvider;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * NVIDIA GPUs through the CUDA driver API. The library is {@code libcuda.so.1} unless the
 * {@code library} option or the {@code weft.cuda.library} system property names another file;
 * cuBLASLt is the first of {@link CublasLt#SONAMES} that loads unless the {@code cublaslt} option
 * or the {@code weft.cublaslt.library} property names a file.
 */
public final class CudaDeviceProvider implements DeviceProvider {
  public static final String DEFAULT_LIBRARY = "libcuda.so.1";
  private static final Map<String, CudaApi> APIS = new ConcurrentHashMap<>();

  @Override
  public String kind() { return "cuda"; }

  /** The driver behind {@code library}, opened and initialized once per JVM. */
  static CudaApi api(String library) {
    CudaApi api = APIS.get(library);
    if (api != null) return api;
    synchronized (APIS) {
      try {
        return APIS.computeIfAbsent(library, l -> new CudaApi(NativeLibrary.open("cuda", l)));
      } catch (DeviceException e) {
        // cuInit failing (no device, driver/library mismatch) means no CUDA here, not a bad run.
        throw new DeviceUnavailableException(e.getMessage(), e);
      }
    }
  }

  @Override
  public Device open(int ordinal, Map<String, String> options) {
    String library = options.getOrDefault("library", System.getProperty("weft.cuda.library", DEFAULT_LIBRARY));
    CudaApi api = api(library);
    int count = api.deviceCount();
    if (ordinal >= count) {
      throw new DeviceUnavailableException("cuda:" + ordinal + ": this machine has " + count + " CUDA device"
          + (count == 1 ? "" : "s"));
    }
    // cuBLASLt is opened only when a program has library matmuls: most runs never load it.
    String cublasLt = options.getOrDefault("cublaslt", System.getProperty("weft.cublaslt.library"));
    return new GpuDevice(api, ordinal, "cuda_driver_min", () -> CublasLt.open(cublasLt));
  }
}
