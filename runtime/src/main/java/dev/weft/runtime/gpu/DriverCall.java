package dev.weft.runtime.gpu;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemoryLayout;

/**
 * The driver calls CUDA and HIP both have, with the one C signature they share; each API names
 * them in its own table ({@code cuMemAlloc_v2}, {@code hipMalloc}). Every call returns the
 * driver's int status. Device pointers are 64-bit integers here: CUDA declares them
 * {@code CUdeviceptr} (unsigned long long), HIP {@code void*}, which every 64-bit C ABI passes
 * the same way.
 */
public enum DriverCall {
  INIT(JAVA_INT),
  DRIVER_VERSION(ADDRESS),
  DEVICE_COUNT(ADDRESS),
  DEVICE_NAME(ADDRESS, JAVA_INT, JAVA_INT),
  MODULE_LOAD(ADDRESS, ADDRESS),
  MODULE_UNLOAD(ADDRESS),
  MODULE_FUNCTION(ADDRESS, ADDRESS, ADDRESS),
  MALLOC(ADDRESS, JAVA_LONG),
  FREE(JAVA_LONG),
  COPY_HTOD(JAVA_LONG, ADDRESS, JAVA_LONG, ADDRESS),
  COPY_DTOH(ADDRESS, JAVA_LONG, JAVA_LONG, ADDRESS),
  COPY_DTOD(JAVA_LONG, JAVA_LONG, JAVA_LONG, ADDRESS),
  STREAM_CREATE(ADDRESS, JAVA_INT),
  STREAM_DESTROY(ADDRESS),
  STREAM_SYNCHRONIZE(ADDRESS),
  LAUNCH(ADDRESS, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS, ADDRESS, ADDRESS),
  BEGIN_CAPTURE(ADDRESS, JAVA_INT),
  END_CAPTURE(ADDRESS, ADDRESS),
  GRAPH_INSTANTIATE(ADDRESS, ADDRESS, JAVA_LONG),
  GRAPH_LAUNCH(ADDRESS, ADDRESS),
  GRAPH_EXEC_DESTROY(ADDRESS),
  GRAPH_DESTROY(ADDRESS);

  private final FunctionDescriptor descriptor;

  DriverCall(MemoryLayout... args) { this.descriptor = status(args); }

  public FunctionDescriptor descriptor() { return descriptor; }

  /** A function returning the driver's int status ({@code CUresult}, {@code hipError_t}). */
  public static FunctionDescriptor status(MemoryLayout... args) { return FunctionDescriptor.of(JAVA_INT, args); }
}
