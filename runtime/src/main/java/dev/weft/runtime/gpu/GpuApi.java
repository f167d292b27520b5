package dev.weft.runtime.gpu;

import java.lang.foreign.MemorySegment;

/**
 * The driver calls the GPU devices need, the same shape for the CUDA driver API and HIP.
 * Handles (contexts, modules, functions, streams, graphs) and device pointers are plain longs.
 * Every failing call throws a {@link dev.weft.runtime.DeviceException} naming the call and the
 * driver's error name and description.
 */
public interface GpuApi {
  /** {@code cuda} or {@code rocm}. */
  String kind();

  /** The library the calls go to, for messages. */
  String library();

  int deviceCount();

  String deviceName(int ordinal);

  /** {@code sm_90}, {@code gfx942}; "unknown" if the driver cannot say. */
  String arch(int ordinal);

  /** The driver's integer version (CUDA: 12040 for 12.4). */
  int driverVersion();

  /**
   * Retains device {@code ordinal}'s context (CUDA's primary context, which the driver
   * reference-counts) and returns its handle.
   */
  long retainContext(int ordinal);

  /** Makes a retained context current on the calling thread. */
  void makeCurrent(long context);

  /** Releases one {@link #retainContext} of device {@code ordinal}. */
  void releaseContext(int ordinal);

  /** Loads a code object (cubin, HSACO) or NUL-terminated PTX. */
  long moduleLoad(MemorySegment image);

  void moduleUnload(long module);

  long function(long module, String name);

  long malloc(long bytes);

  void free(long ptr);

  long streamCreate();

  void streamDestroy(long stream);

  void streamSynchronize(long stream);

  /** {@code src} must be native memory. */
  void copyHtoD(long dst, MemorySegment src, long bytes, long stream);

  /** {@code dst} must be native memory. */
  void copyDtoH(MemorySegment dst, long src, long bytes, long stream);

  void copyDtoD(long dst, long src, long bytes, long stream);

  /** {@code params} is the {@code void**} kernelParams array ({@link KernelParams}). */
  void launch(long function, long[] grid, long[] block, long sharedBytes, long stream, MemorySegment params);

  void beginCapture(long stream);

  long endCapture(long stream);

  long instantiate(long graph);

  void graphLaunch(long exec, long stream);

  void graphExecDestroy(long exec);

  void graphDestroy(long graph);
}
