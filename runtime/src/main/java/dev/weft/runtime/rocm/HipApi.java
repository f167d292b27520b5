package dev.weft.runtime.rocm;

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
 * HIP ({@code libamdhip64.so}) through FFM, the same shape as {@link dev.weft.runtime.cuda.CudaApi}:
 * {@code hipModuleLoadData}, {@code hipModuleLaunchKernel}, async copies on a stream, graph
 * capture. HIP has no explicit context in this API: making a device current is
 * {@code hipSetDevice} on the calling thread. The GPU architecture comes from the KFD topology
 * ({@link KfdTopology}), since HIP reports it only inside a versioned struct.
 */
public final class HipApi implements GpuApi {
  static final int HIP_STREAM_NON_BLOCKING = 1;
  static final int HIP_STREAM_CAPTURE_MODE_THREAD_LOCAL = 1;

  private final NativeLibrary lib;
  private final KfdTopology topology;
  private final MethodHandle hipInit;
  private final MethodHandle hipDriverGetVersion;
  private final MethodHandle hipGetDeviceCount;
  private final MethodHandle hipDeviceGetName;
  private final MethodHandle hipSetDevice;
  private final MethodHandle hipModuleLoadData;
  private final MethodHandle hipModuleUnload;
  private final MethodHandle hipModuleGetFunction;
  private final MethodHandle hipMalloc;
  private final MethodHandle hipFree;
  private final MethodHandle hipMemcpyHtoDAsync;
  private final MethodHandle hipMemcpyDtoHAsync;
  private final MethodHandle hipMemcpyDtoDAsync;
  private final MethodHandle hipStreamCreateWithFlags;
  private final MethodHandle hipStreamDestroy;
  private final MethodHandle hipStreamSynchronize;
  private final MethodHandle hipModuleLaunchKernel;
  private final MethodHandle hipStreamBeginCapture;
  private final MethodHandle hipStreamEndCapture;
  private final MethodHandle hipGraphInstantiateWithFlags;
  private final MethodHandle hipGraphLaunch;
  private final MethodHandle hipGraphExecDestroy;
  private final MethodHandle hipGraphDestroy;
  private final MethodHandle hipGetErrorName;
  private final MethodHandle hipGetErrorString;

  private static FunctionDescriptor res(java.lang.foreign.MemoryLayout... args) { return FunctionDescriptor.of(JAVA_INT, args); }

  /** Resolves every function and calls {@code hipInit(0)}. */
  public HipApi(NativeLibrary lib, KfdTopology topology) {
    this.lib = lib;
    this.topology = topology;
    hipGetErrorName = lib.function("hipGetErrorName", FunctionDescriptor.of(ADDRESS, JAVA_INT));
    hipGetErrorString = lib.function("hipGetErrorString", FunctionDescriptor.of(ADDRESS, JAVA_INT));
    hipInit = lib.function("hipInit", res(JAVA_INT));
    hipDriverGetVersion = lib.function("hipDriverGetVersion", res(ADDRESS));
    hipGetDeviceCount = lib.function("hipGetDeviceCount", res(ADDRESS));
    hipDeviceGetName = lib.function("hipDeviceGetName", res(ADDRESS, JAVA_INT, JAVA_INT));
    hipSetDevice = lib.function("hipSetDevice", res(JAVA_INT));
    hipModuleLoadData = lib.function("hipModuleLoadData", res(ADDRESS, ADDRESS));
    hipModuleUnload = lib.function("hipModuleUnload", res(ADDRESS));
    hipModuleGetFunction = lib.function("hipModuleGetFunction", res(ADDRESS, ADDRESS, ADDRESS));
    hipMalloc = lib.function("hipMalloc", res(ADDRESS, JAVA_LONG));
    hipFree = lib.function("hipFree", res(ADDRESS));
    hipMemcpyHtoDAsync = lib.function("hipMemcpyHtoDAsync", res(ADDRESS, ADDRESS, JAVA_LONG, ADDRESS));
    hipMemcpyDtoHAsync = lib.function("hipMemcpyDtoHAsync", res(ADDRESS, ADDRESS, JAVA_LONG, ADDRESS));
    hipMemcpyDtoDAsync = lib.function("hipMemcpyDtoDAsync", res(ADDRESS, ADDRESS, JAVA_LONG, ADDRESS));
    hipStreamCreateWithFlags = lib.function("hipStreamCreateWithFlags", res(ADDRESS, JAVA_INT));
    hipStreamDestroy = lib.function("hipStreamDestroy", res(ADDRESS));
    hipStreamSynchronize = lib.function("hipStreamSynchronize", res(ADDRESS));
    hipModuleLaunchKernel = lib.function("hipModuleLaunchKernel", res(ADDRESS, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT,
        JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS, ADDRESS, ADDRESS));
    hipStreamBeginCapture = lib.function("hipStreamBeginCapture", res(ADDRESS, JAVA_INT));
    hipStreamEndCapture = lib.function("hipStreamEndCapture", res(ADDRESS, ADDRESS));
    hipGraphInstantiateWithFlags = lib.function("hipGraphInstantiateWithFlags", res(ADDRESS, ADDRESS, JAVA_LONG));
    hipGraphLaunch = lib.function("hipGraphLaunch", res(ADDRESS, ADDRESS));
    hipGraphExecDestroy = lib.function("hipGraphExecDestroy", res(ADDRESS));
    hipGraphDestroy = lib.function("hipGraphDestroy", res(ADDRESS));
    try {
      check("hipInit", (int) hipInit.invokeExact(0));
    } catch (Throwable t) {
      throw rethrow(t);
    }
  }

  @Override public String kind() { return "rocm"; }

  @Override public String library() { return lib.name(); }

  void check(String call, int result) {
    if (result == 0) return;
    throw new DeviceException("rocm: " + call + " failed: " + errorText(hipGetErrorName, result, "hipError " + result) + " ("
        + errorText(hipGetErrorString, result, "unknown error " + result) + ")", result);
  }

  private static String errorText(MethodHandle fn, int result, String fallback) {
    try {
      MemorySegment s = (MemorySegment) fn.invokeExact(result);
      return s.equals(MemorySegment.NULL) ? fallback : s.reinterpret(4096).getString(0);
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

  private int intOut(String call, MethodHandle fn) {
    try (Arena a = Arena.ofConfined()) {
      MemorySegment v = a.allocate(JAVA_INT);
      check(call, (int) fn.invokeExact(v));
      return v.get(JAVA_INT, 0);
    } catch (Throwable t) {
      throw rethrow(t);
    }
  }

  @Override public int driverVersion() { return intOut("hipDriverGetVersion", hipDriverGetVersion); }

  @Override public int deviceCount() { return intOut("hipGetDeviceCount", hipGetDeviceCount); }

  @Override
  public String deviceName(int ordinal) {
    try (Arena a = Arena.ofConfined()) {
      MemorySegment name = a.allocate(256);
      check("hipDeviceGetName", (int) hipDeviceGetName.invokeExact(name, 256, ordinal));
      return name.getString(0);
    } catch (Throwable t) {
      throw rethrow(t);
    }
  }

  @Override
  public String arch(int ordinal) { return topology.arch(ordinal); }

  /** HIP's "context" is the device ordinal itself, set per thread. */
  @Override
  public long retainContext(int ordinal) { return ordinal + 1L; }

  @Override
  public void makeCurrent(long context) {
    try {
      check("hipSetDevice", (int) hipSetDevice.invokeExact((int) (context - 1)));
    } catch (Throwable t) {
      throw rethrow(t);
    }
  }

  @Override
  public void releaseContext(int ordinal) {}

  @Override
  public long moduleLoad(MemorySegment image) {
    try (Arena a = Arena.ofConfined()) {
      MemorySegment mod = a.allocate(ADDRESS);
      check("hipModuleLoadData", (int) hipModuleLoadData.invokeExact(mod, image));
      return mod.get(ADDRESS, 0).address();
    } catch (Throwable t) {
      throw rethrow(t);
    }
  }

  @Override
  public void moduleUnload(long module) {
    try {
      check("hipModuleUnload", (int) hipModuleUnload.invokeExact(ptr(module)));
    } catch (Throwable t) {
      throw rethrow(t);
    }
  }

  @Override
  public long function(long module, String name) {
    try (Arena a = Arena.ofConfined()) {
      MemorySegment fn = a.allocate(ADDRESS);
      int r = (int) hipModuleGetFunction.invokeExact(fn, ptr(module), a.allocateFrom(name));
      check("hipModuleGetFunction(" + name + ")", r);
      return fn.get(ADDRESS, 0).address();
    } catch (Throwable t) {
      throw rethrow(t);
    }
  }

  @Override
  public long malloc(long bytes) {
    try (Arena a = Arena.ofConfined()) {
      MemorySegment p = a.allocate(ADDRESS);
      check("hipMalloc(" + bytes + " bytes)", (int) hipMalloc.invokeExact(p, bytes));
      return p.get(ADDRESS, 0).address();
    } catch (Throwable t) {
      throw rethrow(t);
    }
  }

  @Override
  public void free(long ptr) {
    try {
      check("hipFree", (int) hipFree.invokeExact(ptr(ptr)));
    } catch (Throwable t) {
      throw rethrow(t);
    }
  }

  @Override
  public long streamCreate() {
    try (Arena a = Arena.ofConfined()) {
      MemorySegment s = a.allocate(ADDRESS);
      check("hipStreamCreateWithFlags", (int) hipStreamCreateWithFlags.invokeExact(s, HIP_STREAM_NON_BLOCKING));
      return s.get(ADDRESS, 0).address();
    } catch (Throwable t) {
      throw rethrow(t);
    }
  }

  @Override
  public void streamDestroy(long stream) {
    try {
      check("hipStreamDestroy", (int) hipStreamDestroy.invokeExact(ptr(stream)));
    } catch (Throwable t) {
      throw rethrow(t);
    }
  }

  @Override
  public void streamSynchronize(long stream) {
    try {
      check("hipStreamSynchronize", (int) hipStreamSynchronize.invokeExact(ptr(stream)));
    } catch (Throwable t) {
      throw rethrow(t);
    }
  }

  @Override
  public void copyHtoD(long dst, MemorySegment src, long bytes, long stream) {
    try {
      check("hipMemcpyHtoDAsync", (int) hipMemcpyHtoDAsync.invokeExact(ptr(dst), src, bytes, ptr(stream)));
    } catch (Throwable t) {
      throw rethrow(t);
    }
  }

  @Override
  public void copyDtoH(MemorySegment dst, long src, long bytes, long stream) {
    try {
      check("hipMemcpyDtoHAsync", (int) hipMemcpyDtoHAsync.invokeExact(dst, ptr(src), bytes, ptr(stream)));
    } catch (Throwable t) {
      throw rethrow(t);
    }
  }

  @Override
  public void copyDtoD(long dst, long src, long bytes, long stream) {
    try {
      check("hipMemcpyDtoDAsync", (int) hipMemcpyDtoDAsync.invokeExact(ptr(dst), ptr(src), bytes, ptr(stream)));
    } catch (Throwable t) {
      throw rethrow(t);
    }
  }

  @Override
  public void launch(long function, long[] grid, long[] block, long sharedBytes, long stream, MemorySegment params) {
    try {
      int r = (int) hipModuleLaunchKernel.invokeExact(ptr(function), (int) grid[0], (int) grid[1], (int) grid[2],
          (int) block[0], (int) block[1], (int) block[2], (int) sharedBytes, ptr(stream), params, MemorySegment.NULL);
      check("hipModuleLaunchKernel", r);
    } catch (Throwable t) {
      throw rethrow(t);
    }
  }

  @Override
  public void beginCapture(long stream) {
    try {
      check("hipStreamBeginCapture",
          (int) hipStreamBeginCapture.invokeExact(ptr(stream), HIP_STREAM_CAPTURE_MODE_THREAD_LOCAL));
    } catch (Throwable t) {
      throw rethrow(t);
    }
  }

  @Override
  public long endCapture(long stream) {
    try (Arena a = Arena.ofConfined()) {
      MemorySegment g = a.allocate(ADDRESS);
      check("hipStreamEndCapture", (int) hipStreamEndCapture.invokeExact(ptr(stream), g));
      return g.get(ADDRESS, 0).address();
    } catch (Throwable t) {
      throw rethrow(t);
    }
  }

  @Override
  public long instantiate(long graph) {
    try (Arena a = Arena.ofConfined()) {
      MemorySegment e = a.allocate(ADDRESS);
      check("hipGraphInstantiateWithFlags", (int) hipGraphInstantiateWithFlags.invokeExact(e, ptr(graph), 0L));
      return e.get(ADDRESS, 0).address();
    } catch (Throwable t) {
      throw rethrow(t);
    }
  }

  @Override
  public void graphLaunch(long exec, long stream) {
    try {
      check("hipGraphLaunch", (int) hipGraphLaunch.invokeExact(ptr(exec), ptr(stream)));
    } catch (Throwable t) {
      throw rethrow(t);
    }
  }

  @Override
  public void graphExecDestroy(long exec) {
    try {
      check("hipGraphExecDestroy", (int) hipGraphExecDestroy.invokeExact(ptr(exec)));
    } catch (Throwable t) {
      throw rethrow(t);
    }
  }

  @Override
  public void graphDestroy(long graph) {
    try {
      check("hipGraphDestroy", (int) hipGraphDestroy.invokeExact(ptr(graph)));
    } catch (Throwable t) {
      throw rethrow(t);
    }
  }
}
