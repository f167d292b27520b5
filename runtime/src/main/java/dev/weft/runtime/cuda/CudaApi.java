package dev.weft.runtime.cuda;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import dev.weft.runtime.DeviceException;
import dev.weft.runtime.gpu.GpuApi;
import dev.weft.runtime.gpu.NativeLibrary;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;

/**
 * The CUDA driver API ({@code libcuda.so.1}) through FFM. Symbols are the versioned names
 * {@code cuda.h} maps the plain ones to ({@code cuMemAlloc} is {@code cuMemAlloc_v2}), all
 * resolved when the library is opened, so a driver missing one fails at open, naming it.
 * Every non-zero {@code CUresult} becomes a {@link DeviceException} with the call, the error's
 * name and the driver's description ({@code cuGetErrorName}, {@code cuGetErrorString}).
 */
public final class CudaApi implements GpuApi {
  static final int CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR = 75;
  static final int CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR = 76;
  static final int CU_STREAM_NON_BLOCKING = 1;
  /** Capture only this thread's work: other threads' runs go on while one records. */
  static final int CU_STREAM_CAPTURE_MODE_THREAD_LOCAL = 1;

  private final NativeLibrary lib;
  private final MethodHandle cuInit;
  private final MethodHandle cuDriverGetVersion;
  private final MethodHandle cuDeviceGetCount;
  private final MethodHandle cuDeviceGet;
  private final MethodHandle cuDeviceGetAttribute;
  private final MethodHandle cuDeviceGetName;
  private final MethodHandle cuDevicePrimaryCtxRetain;
  private final MethodHandle cuDevicePrimaryCtxRelease;
  private final MethodHandle cuCtxSetCurrent;
  private final MethodHandle cuModuleLoadData;
  private final MethodHandle cuModuleUnload;
  private final MethodHandle cuModuleGetFunction;
  private final MethodHandle cuMemAlloc;
  private final MethodHandle cuMemFree;
  private final MethodHandle cuMemcpyHtoDAsync;
  private final MethodHandle cuMemcpyDtoHAsync;
  private final MethodHandle cuMemcpyDtoDAsync;
  private final MethodHandle cuStreamCreate;
  private final MethodHandle cuStreamDestroy;
  private final MethodHandle cuStreamSynchronize;
  private final MethodHandle cuLaunchKernel;
  private final MethodHandle cuStreamBeginCapture;
  private final MethodHandle cuStreamEndCapture;
  private final MethodHandle cuGraphInstantiateWithFlags;
  private final MethodHandle cuGraphLaunch;
  private final MethodHandle cuGraphExecDestroy;
  private final MethodHandle cuGraphDestroy;
  private final MethodHandle cuGetErrorName;
  private final MethodHandle cuGetErrorString;

  private static FunctionDescriptor res(java.lang.foreign.MemoryLayout... args) { return FunctionDescriptor.of(JAVA_INT, args); }

  /** Opens the library and calls {@code cuInit(0)}. */
  public CudaApi(NativeLibrary lib) {
    this.lib = lib;
    cuGetErrorName = lib.function("cuGetErrorName", res(JAVA_INT, ADDRESS));
    cuGetErrorString = lib.function("cuGetErrorString", res(JAVA_INT, ADDRESS));
    cuInit = lib.function("cuInit", res(JAVA_INT));
    cuDriverGetVersion = lib.function("cuDriverGetVersion", res(ADDRESS));
    cuDeviceGetCount = lib.function("cuDeviceGetCount", res(ADDRESS));
    cuDeviceGet = lib.function("cuDeviceGet", res(ADDRESS, JAVA_INT));
    cuDeviceGetAttribute = lib.function("cuDeviceGetAttribute", res(ADDRESS, JAVA_INT, JAVA_INT));
    cuDeviceGetName = lib.function("cuDeviceGetName", res(ADDRESS, JAVA_INT, JAVA_INT));
    cuDevicePrimaryCtxRetain = lib.function("cuDevicePrimaryCtxRetain", res(ADDRESS, JAVA_INT));
    cuDevicePrimaryCtxRelease = lib.function("cuDevicePrimaryCtxRelease_v2", res(JAVA_INT));
    cuCtxSetCurrent = lib.function("cuCtxSetCurrent", res(ADDRESS));
    cuModuleLoadData = lib.function("cuModuleLoadData", res(ADDRESS, ADDRESS));
    cuModuleUnload = lib.function("cuModuleUnload", res(ADDRESS));
    cuModuleGetFunction = lib.function("cuModuleGetFunction", res(ADDRESS, ADDRESS, ADDRESS));
    cuMemAlloc = lib.function("cuMemAlloc_v2", res(ADDRESS, JAVA_LONG));
    cuMemFree = lib.function("cuMemFree_v2", res(JAVA_LONG));
    cuMemcpyHtoDAsync = lib.function("cuMemcpyHtoDAsync_v2", res(JAVA_LONG, ADDRESS, JAVA_LONG, ADDRESS));
    cuMemcpyDtoHAsync = lib.function("cuMemcpyDtoHAsync_v2", res(ADDRESS, JAVA_LONG, JAVA_LONG, ADDRESS));
    cuMemcpyDtoDAsync = lib.function("cuMemcpyDtoDAsync_v2", res(JAVA_LONG, JAVA_LONG, JAVA_LONG, ADDRESS));
    cuStreamCreate = lib.function("cuStreamCreate", res(ADDRESS, JAVA_INT));
    cuStreamDestroy = lib.function("cuStreamDestroy_v2", res(ADDRESS));
    cuStreamSynchronize = lib.function("cuStreamSynchronize", res(ADDRESS));
    cuLaunchKernel = lib.function("cuLaunchKernel", res(ADDRESS, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT,
        JAVA_INT, JAVA_INT, ADDRESS, ADDRESS, ADDRESS));
    cuStreamBeginCapture = lib.function("cuStreamBeginCapture_v2", res(ADDRESS, JAVA_INT));
    cuStreamEndCapture = lib.function("cuStreamEndCapture", res(ADDRESS, ADDRESS));
    cuGraphInstantiateWithFlags = lib.function("cuGraphInstantiateWithFlags", res(ADDRESS, ADDRESS, JAVA_LONG));
    cuGraphLaunch = lib.function("cuGraphLaunch", res(ADDRESS, ADDRESS));
    cuGraphExecDestroy = lib.function("cuGraphExecDestroy", res(ADDRESS));
    cuGraphDestroy = lib.function("cuGraphDestroy", res(ADDRESS));
    try {
      check("cuInit", (int) cuInit.invokeExact(0));
    } catch (Throwable t) {
      throw rethrow(t);
    }
  }

  @Override public String kind() { return "cuda"; }

  @Override public String library() { return lib.name(); }

  /** Turns a non-zero CUresult into an exception naming the call. */
  void check(String call, int result) {
    if (result == 0) return;
    throw new DeviceException("cuda: " + call + " failed: " + errorName(result) + " (" + errorString(result) + ")", result);
  }

  String errorName(int result) { return errorText(cuGetErrorName, result, "CUDA_ERROR_" + result); }

  String errorString(int result) { return errorText(cuGetErrorString, result, "unknown error " + result); }

  private static String errorText(MethodHandle fn, int result, String fallback) {
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

  static RuntimeException rethrow(Throwable t) {
    if (t instanceof RuntimeException r) return r;
    if (t instanceof Error e) throw e;
    return new IllegalStateException(t);
  }

  private static MemorySegment ptr(long handle) { return MemorySegment.ofAddress(handle); }

  @Override
  public int driverVersion() {
    try (Arena a = Arena.ofConfined()) {
      MemorySegment v = a.allocate(JAVA_INT);
      check("cuDriverGetVersion", (int) cuDriverGetVersion.invokeExact(v));
      return v.get(JAVA_INT, 0);
    } catch (Throwable t) {
      throw rethrow(t);
    }
  }

  @Override
  public int deviceCount() {
    try (Arena a = Arena.ofConfined()) {
      MemorySegment v = a.allocate(JAVA_INT);
      check("cuDeviceGetCount", (int) cuDeviceGetCount.invokeExact(v));
      return v.get(JAVA_INT, 0);
    } catch (Throwable t) {
      throw rethrow(t);
    }
  }

  private int device(int ordinal) throws Throwable {
    try (Arena a = Arena.ofConfined()) {
      MemorySegment v = a.allocate(JAVA_INT);
      check("cuDeviceGet", (int) cuDeviceGet.invokeExact(v, ordinal));
      return v.get(JAVA_INT, 0);
    }
  }

  private int attribute(int attr, int dev) throws Throwable {
    try (Arena a = Arena.ofConfined()) {
      MemorySegment v = a.allocate(JAVA_INT);
      check("cuDeviceGetAttribute", (int) cuDeviceGetAttribute.invokeExact(v, attr, dev));
      return v.get(JAVA_INT, 0);
    }
  }

  @Override
  public String deviceName(int ordinal) {
    try (Arena a = Arena.ofConfined()) {
      MemorySegment name = a.allocate(256);
      check("cuDeviceGetName", (int) cuDeviceGetName.invokeExact(name, 256, device(ordinal)));
      return name.getString(0);
    } catch (Throwable t) {
      throw rethrow(t);
    }
  }

  @Override
  public String arch(int ordinal) {
    try {
      int dev = device(ordinal);
      return "sm_" + attribute(CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR, dev)
          + attribute(CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR, dev);
    } catch (Throwable t) {
      throw rethrow(t);
    }
  }

  @Override
  public long retainContext(int ordinal) {
    try (Arena a = Arena.ofConfined()) {
      MemorySegment ctx = a.allocate(ADDRESS);
      check("cuDevicePrimaryCtxRetain", (int) cuDevicePrimaryCtxRetain.invokeExact(ctx, device(ordinal)));
      return ctx.get(ADDRESS, 0).address();
    } catch (Throwable t) {
      throw rethrow(t);
    }
  }

  @Override
  public void makeCurrent(long context) {
    try {
      check("cuCtxSetCurrent", (int) cuCtxSetCurrent.invokeExact(ptr(context)));
    } catch (Throwable t) {
      throw rethrow(t);
    }
  }

  @Override
  public void releaseContext(int ordinal) {
    try {
      check("cuDevicePrimaryCtxRelease_v2", (int) cuDevicePrimaryCtxRelease.invokeExact(device(ordinal)));
    } catch (Throwable t) {
      throw rethrow(t);
    }
  }

  @Override
  public long moduleLoad(MemorySegment image) {
    try (Arena a = Arena.ofConfined()) {
      MemorySegment mod = a.allocate(ADDRESS);
      check("cuModuleLoadData", (int) cuModuleLoadData.invokeExact(mod, image));
      return mod.get(ADDRESS, 0).address();
    } catch (Throwable t) {
      throw rethrow(t);
    }
  }

  @Override
  public void moduleUnload(long module) {
    try {
      check("cuModuleUnload", (int) cuModuleUnload.invokeExact(ptr(module)));
    } catch (Throwable t) {
      throw rethrow(t);
    }
  }

  @Override
  public long function(long module, String name) {
    try (Arena a = Arena.ofConfined()) {
      MemorySegment fn = a.allocate(ADDRESS);
      int r = (int) cuModuleGetFunction.invokeExact(fn, ptr(module), a.allocateFrom(name));
      check("cuModuleGetFunction(" + name + ")", r);
      return fn.get(ADDRESS, 0).address();
    } catch (Throwable t) {
      throw rethrow(t);
    }
  }

  @Override
  public long malloc(long bytes) {
    try (Arena a = Arena.ofConfined()) {
      MemorySegment p = a.allocate(JAVA_LONG);
      check("cuMemAlloc_v2(" + bytes + " bytes)", (int) cuMemAlloc.invokeExact(p, bytes));
      return p.get(JAVA_LONG, 0);
    } catch (Throwable t) {
      throw rethrow(t);
    }
  }

  @Override
  public void free(long ptr) {
    try {
      check("cuMemFree_v2", (int) cuMemFree.invokeExact(ptr));
    } catch (Throwable t) {
      throw rethrow(t);
    }
  }

  @Override
  public long streamCreate() {
    try (Arena a = Arena.ofConfined()) {
      MemorySegment s = a.allocate(ADDRESS);
      // A non-blocking stream: the legacy default stream cannot be captured.
      check("cuStreamCreate", (int) cuStreamCreate.invokeExact(s, CU_STREAM_NON_BLOCKING));
      return s.get(ADDRESS, 0).address();
    } catch (Throwable t) {
      throw rethrow(t);
    }
  }

  @Override
  public void streamDestroy(long stream) {
    try {
      check("cuStreamDestroy_v2", (int) cuStreamDestroy.invokeExact(ptr(stream)));
    } catch (Throwable t) {
      throw rethrow(t);
    }
  }

  @Override
  public void streamSynchronize(long stream) {
    try {
      check("cuStreamSynchronize", (int) cuStreamSynchronize.invokeExact(ptr(stream)));
    } catch (Throwable t) {
      throw rethrow(t);
    }
  }

  @Override
  public void copyHtoD(long dst, MemorySegment src, long bytes, long stream) {
    try {
      check("cuMemcpyHtoDAsync_v2", (int) cuMemcpyHtoDAsync.invokeExact(dst, src, bytes, ptr(stream)));
    } catch (Throwable t) {
      throw rethrow(t);
    }
  }

  @Override
  public void copyDtoH(MemorySegment dst, long src, long bytes, long stream) {
    try {
      check("cuMemcpyDtoHAsync_v2", (int) cuMemcpyDtoHAsync.invokeExact(dst, src, bytes, ptr(stream)));
    } catch (Throwable t) {
      throw rethrow(t);
    }
  }

  @Override
  public void copyDtoD(long dst, long src, long bytes, long stream) {
    try {
      check("cuMemcpyDtoDAsync_v2", (int) cuMemcpyDtoDAsync.invokeExact(dst, src, bytes, ptr(stream)));
    } catch (Throwable t) {
      throw rethrow(t);
    }
  }

  @Override
  public void launch(long function, long[] grid, long[] block, long sharedBytes, long stream, MemorySegment params) {
    try {
      // Grid, block and shared size are unsigned 32-bit in the API; Geometry bounds them.
      int r = (int) cuLaunchKernel.invokeExact(ptr(function), (int) grid[0], (int) grid[1], (int) grid[2],
          (int) block[0], (int) block[1], (int) block[2], (int) sharedBytes, ptr(stream), params, MemorySegment.NULL);
      check("cuLaunchKernel", r);
    } catch (Throwable t) {
      throw rethrow(t);
    }
  }

  @Override
  public void beginCapture(long stream) {
    try {
      check("cuStreamBeginCapture_v2",
          (int) cuStreamBeginCapture.invokeExact(ptr(stream), CU_STREAM_CAPTURE_MODE_THREAD_LOCAL));
    } catch (Throwable t) {
      throw rethrow(t);
    }
  }

  @Override
  public long endCapture(long stream) {
    try (Arena a = Arena.ofConfined()) {
      MemorySegment g = a.allocate(ADDRESS);
      check("cuStreamEndCapture", (int) cuStreamEndCapture.invokeExact(ptr(stream), g));
      return g.get(ADDRESS, 0).address();
    } catch (Throwable t) {
      throw rethrow(t);
    }
  }

  @Override
  public long instantiate(long graph) {
    try (Arena a = Arena.ofConfined()) {
      MemorySegment e = a.allocate(ADDRESS);
      check("cuGraphInstantiateWithFlags", (int) cuGraphInstantiateWithFlags.invokeExact(e, ptr(graph), 0L));
      return e.get(ADDRESS, 0).address();
    } catch (Throwable t) {
      throw rethrow(t);
    }
  }

  @Override
  public void graphLaunch(long exec, long stream) {
    try {
      check("cuGraphLaunch", (int) cuGraphLaunch.invokeExact(ptr(exec), ptr(stream)));
    } catch (Throwable t) {
      throw rethrow(t);
    }
  }

  @Override
  public void graphExecDestroy(long exec) {
    try {
      check("cuGraphExecDestroy", (int) cuGraphExecDestroy.invokeExact(ptr(exec)));
    } catch (Throwable t) {
      throw rethrow(t);
    }
  }

  @Override
  public void graphDestroy(long graph) {
    try {
      check("cuGraphDestroy", (int) cuGraphDestroy.invokeExact(ptr(graph)));
    } catch (Throwable t) {
      throw rethrow(t);
    }
  }
}
