package dev.weft.runtime.gpu;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;

import dev.weft.runtime.DeviceException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.util.Map;
import java.util.function.IntFunction;

/**
 * The {@link GpuApi} calls that the CUDA driver API and HIP make the same way, bound through FFM
 * from a table of the API's symbol names ({@link DriverCall} to name). Every symbol is resolved
 * when the library is opened, so a driver missing one fails there, naming it
 * ({@link NativeLibrary#function}); then the API's init call runs. Every non-zero status becomes a
 * {@link DeviceException} with the kind, the symbol, and the driver's error name and description.
 * Subclasses add what differs: device handles, contexts, the architecture, how error texts are read.
 */
public abstract class DriverApi implements GpuApi {
  /** CUDA's and HIP's {@code *_STREAM_NON_BLOCKING}: the legacy default stream cannot be captured. */
  static final int STREAM_NON_BLOCKING = 1;
  /** CUDA's and HIP's {@code *_STREAM_CAPTURE_MODE_THREAD_LOCAL}: other threads' runs go on while one records. */
  static final int CAPTURE_MODE_THREAD_LOCAL = 1;

  /** How an API turns a status into its error name and description, each with a fallback. */
  public record ErrorText(IntFunction<String> name, IntFunction<String> description) {}

  /** One call of a resolved function; returns the driver's status. */
  @FunctionalInterface
  protected interface Invocation {
    int invoke(MethodHandle fn) throws Throwable;
  }

  /** One call of a resolved function that writes its result through {@code out}. */
  @FunctionalInterface
  protected interface OutInvocation {
    int invoke(MethodHandle fn, MemorySegment out) throws Throwable;
  }

  private final NativeLibrary lib;
  private final String kind;
  private final ErrorText errors;
  private final String[] symbols = new String[DriverCall.values().length];
  private final MethodHandle[] handles = new MethodHandle[DriverCall.values().length];

  /**
   * Resolves every {@link DriverCall} by its name in {@code symbols} and calls its init with 0.
   * {@code errors} comes first, so a driver failing init is still described in its own words.
   */
  protected DriverApi(NativeLibrary lib, String kind, Map<DriverCall, String> symbols, ErrorText errors) {
    this.lib = lib;
    this.kind = kind;
    this.errors = errors;
    for (DriverCall c : DriverCall.values()) {
      String symbol = symbols.get(c);
      if (symbol == null) throw new IllegalArgumentException(kind + ": the symbol table has no " + c);
      this.symbols[c.ordinal()] = symbol;
      handles[c.ordinal()] = lib.function(symbol, c.descriptor());
    }
    call(DriverCall.INIT, fn -> (int) fn.invokeExact(0));
  }

  @Override public final String kind() { return kind; }

  @Override public final String library() { return lib.name(); }

  /** Turns a non-zero status into an exception naming the call. */
  protected final void check(String call, int result) {
    if (result == 0) return;
    throw new DeviceException(kind + ": " + call + " failed: " + errors.name().apply(result) + " ("
        + errors.description().apply(result) + ")", result);
  }

  /** Passes runtime exceptions and errors through; wraps what FFM declares but never throws. */
  public static RuntimeException rethrow(Throwable t) {
    if (t instanceof RuntimeException r) return r;
    if (t instanceof Error e) throw e;
    return new IllegalStateException(t);
  }

  protected static MemorySegment ptr(long handle) { return MemorySegment.ofAddress(handle); }

  protected final void call(String call, MethodHandle fn, Invocation invocation) {
    try {
      check(call, invocation.invoke(fn));
    } catch (Throwable t) {
      throw rethrow(t);
    }
  }

  /** A call whose result is one int written through its pointer argument. */
  protected final int intOut(String call, MethodHandle fn, OutInvocation invocation) {
    try (Arena a = Arena.ofConfined()) {
      MemorySegment out = a.allocate(JAVA_INT);
      check(call, invocation.invoke(fn, out));
      return out.get(JAVA_INT, 0);
    } catch (Throwable t) {
      throw rethrow(t);
    }
  }

  /** A call whose result is one handle or device pointer written through its pointer argument. */
  protected final long pointerOut(String call, MethodHandle fn, OutInvocation invocation) {
    try (Arena a = Arena.ofConfined()) {
      MemorySegment out = a.allocate(ADDRESS);
      check(call, invocation.invoke(fn, out));
      return out.get(ADDRESS, 0).address();
    } catch (Throwable t) {
      throw rethrow(t);
    }
  }

  private String symbol(DriverCall c) { return symbols[c.ordinal()]; }

  private MethodHandle handle(DriverCall c) { return handles[c.ordinal()]; }

  private void call(DriverCall c, Invocation invocation) { call(symbol(c), handle(c), invocation); }

  private int intOut(DriverCall c, OutInvocation invocation) { return intOut(symbol(c), handle(c), invocation); }

  private long pointerOut(DriverCall c, OutInvocation invocation) { return pointerOut(symbol(c), handle(c), invocation); }

  /** The driver's handle of device {@code ordinal}; HIP names devices by their ordinal. */
  protected int device(int ordinal) { return ordinal; }

  @Override
  public int driverVersion() { return intOut(DriverCall.DRIVER_VERSION, (fn, v) -> (int) fn.invokeExact(v)); }

  @Override
  public int deviceCount() { return intOut(DriverCall.DEVICE_COUNT, (fn, v) -> (int) fn.invokeExact(v)); }

  @Override
  public String deviceName(int ordinal) {
    int dev = device(ordinal);
    try (Arena a = Arena.ofConfined()) {
      MemorySegment name = a.allocate(256);
      call(DriverCall.DEVICE_NAME, fn -> (int) fn.invokeExact(name, 256, dev));
      return name.getString(0);
    }
  }

  @Override
  public long moduleLoad(MemorySegment image) {
    return pointerOut(DriverCall.MODULE_LOAD, (fn, mod) -> (int) fn.invokeExact(mod, image));
  }

  @Override
  public void moduleUnload(long module) { call(DriverCall.MODULE_UNLOAD, fn -> (int) fn.invokeExact(ptr(module))); }

  @Override
  public long function(long module, String name) {
    try (Arena a = Arena.ofConfined()) {
      MemorySegment cName = a.allocateFrom(name);
      return pointerOut(symbol(DriverCall.MODULE_FUNCTION) + "(" + name + ")", handle(DriverCall.MODULE_FUNCTION),
          (fn, out) -> (int) fn.invokeExact(out, ptr(module), cName));
    }
  }

  @Override
  public long malloc(long bytes) {
    return pointerOut(symbol(DriverCall.MALLOC) + "(" + bytes + " bytes)", handle(DriverCall.MALLOC),
        (fn, p) -> (int) fn.invokeExact(p, bytes));
  }

  @Override
  public void free(long ptr) { call(DriverCall.FREE, fn -> (int) fn.invokeExact(ptr)); }

  @Override
  public long streamCreate() {
    return pointerOut(DriverCall.STREAM_CREATE, (fn, s) -> (int) fn.invokeExact(s, STREAM_NON_BLOCKING));
  }

  @Override
  public void streamDestroy(long stream) { call(DriverCall.STREAM_DESTROY, fn -> (int) fn.invokeExact(ptr(stream))); }

  @Override
  public void streamSynchronize(long stream) {
    call(DriverCall.STREAM_SYNCHRONIZE, fn -> (int) fn.invokeExact(ptr(stream)));
  }

  @Override
  public void copyHtoD(long dst, MemorySegment src, long bytes, long stream) {
    call(DriverCall.COPY_HTOD, fn -> (int) fn.invokeExact(dst, src, bytes, ptr(stream)));
  }

  @Override
  public void copyDtoH(MemorySegment dst, long src, long bytes, long stream) {
    call(DriverCall.COPY_DTOH, fn -> (int) fn.invokeExact(dst, src, bytes, ptr(stream)));
  }

  @Override
  public void copyDtoD(long dst, long src, long bytes, long stream) {
    call(DriverCall.COPY_DTOD, fn -> (int) fn.invokeExact(dst, src, bytes, ptr(stream)));
  }

  @Override
  public void launch(long function, long[] grid, long[] block, long sharedBytes, long stream, MemorySegment params) {
    // Grid, block and shared size are unsigned 32-bit in the API; Geometry bounds them.
    call(DriverCall.LAUNCH, fn -> (int) fn.invokeExact(ptr(function), (int) grid[0], (int) grid[1], (int) grid[2],
        (int) block[0], (int) block[1], (int) block[2], (int) sharedBytes, ptr(stream), params, MemorySegment.NULL));
  }

  @Override
  public void beginCapture(long stream) {
    call(DriverCall.BEGIN_CAPTURE, fn -> (int) fn.invokeExact(ptr(stream), CAPTURE_MODE_THREAD_LOCAL));
  }

  @Override
  public long endCapture(long stream) {
    return pointerOut(DriverCall.END_CAPTURE, (fn, g) -> (int) fn.invokeExact(ptr(stream), g));
  }

  @Override
  public long instantiate(long graph) {
    return pointerOut(DriverCall.GRAPH_INSTANTIATE, (fn, e) -> (int) fn.invokeExact(e, ptr(graph), 0L));
  }

  @Override
  public void graphLaunch(long exec, long stream) {
    call(DriverCall.GRAPH_LAUNCH, fn -> (int) fn.invokeExact(ptr(exec), ptr(stream)));
  }

  @Override
  public void graphExecDestroy(long exec) { call(DriverCall.GRAPH_EXEC_DESTROY, fn -> (int) fn.invokeExact(ptr(exec))); }

  @Override
  public void graphDestroy(long graph) { call(DriverCall.GRAPH_DESTROY, fn -> (int) fn.invokeExact(ptr(graph))); }
}
