package dev.weft.runtime.cuda;

import static dev.weft.runtime.gpu.DriverCall.status;
import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;

import dev.weft.runtime.gpu.DriverApi;
import dev.weft.runtime.gpu.DriverCall;
import dev.weft.runtime.gpu.NativeLibrary;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.util.Map;

/**
 * The CUDA driver API ({@code libcuda.so.1}) through FFM. Symbols are the versioned names
 * {@code cuda.h} maps the plain ones to ({@code cuMemAlloc} is {@code cuMemAlloc_v2}). Beyond the
 * calls it shares with HIP ({@link DriverApi}), CUDA has device handles, primary contexts and the
 * compute capability as attributes. Error texts come from {@code cuGetErrorName} and
 * {@code cuGetErrorString}.
 */
public final class CudaApi extends DriverApi {
  static final int CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR = 75;
  static final int CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR = 76;

  private static final Map<DriverCall, String> SYMBOLS = Map.ofEntries(
      Map.entry(DriverCall.INIT, "cuInit"),
      Map.entry(DriverCall.DRIVER_VERSION, "cuDriverGetVersion"),
      Map.entry(DriverCall.DEVICE_COUNT, "cuDeviceGetCount"),
      Map.entry(DriverCall.DEVICE_NAME, "cuDeviceGetName"),
      Map.entry(DriverCall.MODULE_LOAD, "cuModuleLoadData"),
      Map.entry(DriverCall.MODULE_UNLOAD, "cuModuleUnload"),
      Map.entry(DriverCall.MODULE_FUNCTION, "cuModuleGetFunction"),
      Map.entry(DriverCall.MALLOC, "cuMemAlloc_v2"),
      Map.entry(DriverCall.FREE, "cuMemFree_v2"),
      Map.entry(DriverCall.COPY_HTOD, "cuMemcpyHtoDAsync_v2"),
      Map.entry(DriverCall.COPY_DTOH, "cuMemcpyDtoHAsync_v2"),
      Map.entry(DriverCall.COPY_DTOD, "cuMemcpyDtoDAsync_v2"),
      Map.entry(DriverCall.STREAM_CREATE, "cuStreamCreate"),
      Map.entry(DriverCall.STREAM_DESTROY, "cuStreamDestroy_v2"),
      Map.entry(DriverCall.STREAM_SYNCHRONIZE, "cuStreamSynchronize"),
      Map.entry(DriverCall.LAUNCH, "cuLaunchKernel"),
      Map.entry(DriverCall.BEGIN_CAPTURE, "cuStreamBeginCapture_v2"),
      Map.entry(DriverCall.END_CAPTURE, "cuStreamEndCapture"),
      Map.entry(DriverCall.GRAPH_INSTANTIATE, "cuGraphInstantiateWithFlags"),
      Map.entry(DriverCall.GRAPH_LAUNCH, "cuGraphLaunch"),
      Map.entry(DriverCall.GRAPH_EXEC_DESTROY, "cuGraphExecDestroy"),
      Map.entry(DriverCall.GRAPH_DESTROY, "cuGraphDestroy"));

  private final MethodHandle cuDeviceGet;
  private final MethodHandle cuDeviceGetAttribute;
  private final MethodHandle cuDevicePrimaryCtxRetain;
  private final MethodHandle cuDevicePrimaryCtxRelease;
  private final MethodHandle cuCtxSetCurrent;

  /** Opens the library and calls {@code cuInit(0)}. */
  public CudaApi(NativeLibrary lib) {
    super(lib, "cuda", SYMBOLS, errorText(lib));
    cuDeviceGet = lib.function("cuDeviceGet", status(ADDRESS, JAVA_INT));
    cuDeviceGetAttribute = lib.function("cuDeviceGetAttribute", status(ADDRESS, JAVA_INT, JAVA_INT));
    cuDevicePrimaryCtxRetain = lib.function("cuDevicePrimaryCtxRetain", status(ADDRESS, JAVA_INT));
    cuDevicePrimaryCtxRelease = lib.function("cuDevicePrimaryCtxRelease_v2", status(JAVA_INT));
    cuCtxSetCurrent = lib.function("cuCtxSetCurrent", status(ADDRESS));
  }

  /** CUDA's error texts are written through an out-pointer; resolved first, as every check needs them. */
  private static ErrorText errorText(NativeLibrary lib) {
    MethodHandle name = lib.function("cuGetErrorName", status(JAVA_INT, ADDRESS));
    MethodHandle string = lib.function("cuGetErrorString", status(JAVA_INT, ADDRESS));
    return new ErrorText(r -> text(name, r, "CUDA_ERROR_" + r), r -> text(string, r, "unknown error " + r));
  }

  private static String text(MethodHandle fn, int result, String fallback) {
    try (Arena a = Arena.ofConfined()) {
      MemorySegment out = a.allocate(ADDRESS);
      int r = (int) fn.invokeExact(result, out);
      MemorySegment s = out.get(ADDRESS, 0);
      if (r != 0 || s.equals(MemorySegment.NULL)) return fallback;
      return s.reinterpret(4096).getString(0);
    } catch (Throwable t) {
      return fallback;
    }
  }

  @Override
  protected int device(int ordinal) {
    return intOut("cuDeviceGet", cuDeviceGet, (fn, d) -> (int) fn.invokeExact(d, ordinal));
  }

  private int attribute(int attr, int dev) {
    return intOut("cuDeviceGetAttribute", cuDeviceGetAttribute, (fn, v) -> (int) fn.invokeExact(v, attr, dev));
  }

  @Override
  public String arch(int ordinal) {
    int dev = device(ordinal);
    return "sm_" + attribute(CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR, dev)
        + attribute(CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR, dev);
  }

  @Override
  public long retainContext(int ordinal) {
    int dev = device(ordinal);
    return pointerOut("cuDevicePrimaryCtxRetain", cuDevicePrimaryCtxRetain, (fn, ctx) -> (int) fn.invokeExact(ctx, dev));
  }

  @Override
  public void makeCurrent(long context) {
    call("cuCtxSetCurrent", cuCtxSetCurrent, fn -> (int) fn.invokeExact(ptr(context)));
  }

  @Override
  public void releaseContext(int ordinal) {
    int dev = device(ordinal);
    call("cuDevicePrimaryCtxRelease_v2", cuDevicePrimaryCtxRelease, fn -> (int) fn.invokeExact(dev));
  }
}
