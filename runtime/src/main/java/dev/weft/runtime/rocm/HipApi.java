package dev.weft.runtime.rocm;

import static dev.weft.runtime.gpu.DriverCall.status;
import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;

import dev.weft.runtime.gpu.DriverApi;
import dev.weft.runtime.gpu.DriverCall;
import dev.weft.runtime.gpu.NativeLibrary;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.util.Map;

/**
 * HIP ({@code libamdhip64.so}) through FFM, the same calls as {@link dev.weft.runtime.cuda.CudaApi}
 * under HIP's names ({@link DriverApi}). HIP has no explicit context in this API: making a device
 * current is {@code hipSetDevice} on the calling thread. The GPU architecture comes from the KFD
 * topology ({@link KfdTopology}), since HIP reports it only inside a versioned struct.
 */
public final class HipApi extends DriverApi {
  private static final Map<DriverCall, String> SYMBOLS = Map.ofEntries(
      Map.entry(DriverCall.INIT, "hipInit"),
      Map.entry(DriverCall.DRIVER_VERSION, "hipDriverGetVersion"),
      Map.entry(DriverCall.DEVICE_COUNT, "hipGetDeviceCount"),
      Map.entry(DriverCall.DEVICE_NAME, "hipDeviceGetName"),
      Map.entry(DriverCall.MODULE_LOAD, "hipModuleLoadData"),
      Map.entry(DriverCall.MODULE_UNLOAD, "hipModuleUnload"),
      Map.entry(DriverCall.MODULE_FUNCTION, "hipModuleGetFunction"),
      Map.entry(DriverCall.MALLOC, "hipMalloc"),
      Map.entry(DriverCall.FREE, "hipFree"),
      Map.entry(DriverCall.COPY_HTOD, "hipMemcpyHtoDAsync"),
      Map.entry(DriverCall.COPY_DTOH, "hipMemcpyDtoHAsync"),
      Map.entry(DriverCall.COPY_DTOD, "hipMemcpyDtoDAsync"),
      Map.entry(DriverCall.STREAM_CREATE, "hipStreamCreateWithFlags"),
      Map.entry(DriverCall.STREAM_DESTROY, "hipStreamDestroy"),
      Map.entry(DriverCall.STREAM_SYNCHRONIZE, "hipStreamSynchronize"),
      Map.entry(DriverCall.LAUNCH, "hipModuleLaunchKernel"),
      Map.entry(DriverCall.BEGIN_CAPTURE, "hipStreamBeginCapture"),
      Map.entry(DriverCall.END_CAPTURE, "hipStreamEndCapture"),
      Map.entry(DriverCall.GRAPH_INSTANTIATE, "hipGraphInstantiateWithFlags"),
      Map.entry(DriverCall.GRAPH_LAUNCH, "hipGraphLaunch"),
      Map.entry(DriverCall.GRAPH_EXEC_DESTROY, "hipGraphExecDestroy"),
      Map.entry(DriverCall.GRAPH_DESTROY, "hipGraphDestroy"));

  private final KfdTopology topology;
  private final MethodHandle hipSetDevice;

  /** Resolves every function and calls {@code hipInit(0)}. */
  public HipApi(NativeLibrary lib, KfdTopology topology) {
    super(lib, "rocm", SYMBOLS, errorText(lib));
    this.topology = topology;
    hipSetDevice = lib.function("hipSetDevice", status(JAVA_INT));
  }

  /** HIP returns its error texts; resolved first, as every check needs them. */
  private static ErrorText errorText(NativeLibrary lib) {
    MethodHandle name = lib.function("hipGetErrorName", FunctionDescriptor.of(ADDRESS, JAVA_INT));
    MethodHandle string = lib.function("hipGetErrorString", FunctionDescriptor.of(ADDRESS, JAVA_INT));
    return new ErrorText(r -> text(name, r, "hipError " + r), r -> text(string, r, "unknown error " + r));
  }

  private static String text(MethodHandle fn, int result, String fallback) {
    try {
      MemorySegment s = (MemorySegment) fn.invokeExact(result);
      return s.equals(MemorySegment.NULL) ? fallback : s.reinterpret(4096).getString(0);
    } catch (Throwable t) {
      return fallback;
    }
  }

  @Override
  public String arch(int ordinal) { return topology.arch(ordinal); }

  /** HIP's "context" is the device ordinal itself, set per thread. */
  @Override
  public long retainContext(int ordinal) { return ordinal + 1L; }

  @Override
  public void makeCurrent(long context) {
    call("hipSetDevice", hipSetDevice, fn -> (int) fn.invokeExact((int) (context - 1)));
  }

  @Override
  public void releaseContext(int ordinal) {}
}
