package dev.weft.runtime.gpu;

import dev.weft.bundle.program.Geometry;
import dev.weft.bundle.program.LibraryMatmul;
import dev.weft.runtime.spi.KernelModule;
import dev.weft.runtime.spi.Queue;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;

/**
 * One stream. Copies are asynchronous; host memory that is not native (heap arrays) is staged
 * through native memory, and device-to-host copies into the heap are finished at
 * {@link #synchronize}. Recording captures the stream into a graph and instantiates it.
 */
final class GpuQueue implements Queue {
  private final GpuDevice device;
  private final GpuApi api;
  private final long stream;
  private Arena staging;
  private final List<Runnable> afterSync = new ArrayList<>();

  GpuQueue(GpuDevice device, GpuApi api) {
    this.device = device;
    this.api = api;
    device.makeCurrent();
    this.stream = api.streamCreate();
    // The workspace is allocated now, not at the first matmul: that may come inside a stream
    // capture, where cuMemAlloc is not allowed. Only devices whose program has matmuls opened a library.
    GemmLibrary lib = device.openedGemm();
    if (lib != null) {
      workspaceBytes = lib.workspaceBytes();
      try {
        workspace = api.malloc(workspaceBytes);
      } catch (RuntimeException e) {
        api.streamDestroy(stream);
        throw e;
      }
    }
  }

  private Arena staging() {
    if (staging == null) staging = Arena.ofShared();
    return staging;
  }

  @Override
  public void copyIn(MemorySegment host, long dst, long bytes) {
    device.makeCurrent();
    MemorySegment src = host;
    if (!host.isNative()) {
      src = staging().allocate(Math.max(1, bytes), 16);
      MemorySegment.copy(host, 0, src, 0, bytes);
    }
    api.copyHtoD(dst, src, bytes, stream);
  }

  @Override
  public void copyOut(long src, MemorySegment host, long bytes) {
    device.makeCurrent();
    if (host.isNative()) {
      api.copyDtoH(host, src, bytes, stream);
      return;
    }
    MemorySegment tmp = staging().allocate(Math.max(1, bytes), 16);
    api.copyDtoH(tmp, src, bytes, stream);
    afterSync.add(() -> MemorySegment.copy(tmp, 0, host, 0, bytes));
  }

  @Override
  public void copy(long src, long dst, long bytes) {
    device.makeCurrent();
    api.copyDtoD(dst, src, bytes, stream);
  }

  @Override
  public void launch(KernelModule.Kernel kernel, long[] args, long[] dims, long extent, Geometry geometry) {
    if (geometry == null) throw new IllegalArgumentException("launch of " + kernel.name() + " has no grid/block");
    long fn = ((GpuDevice.GpuKernel) kernel).function();
    device.makeCurrent();
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment params = KernelParams.marshal(arena, args, dims, extent);
      long[] grid = KernelParams.grid(geometry.grid(), geometry.itemsPerBlock(), extent);
      long[] block = geometry.block().stream().mapToLong(Long::longValue).toArray();
      api.launch(fn, grid, block, geometry.sharedBytes(), stream, params);
    }
  }

  /** Device scratch for the GEMM library, allocated on this queue's first matmul and freed with it. */
  private long workspace;
  private long workspaceBytes;

  @Override
  public void matmul(LibraryMatmul call, long a, long b, long d) {
    GemmLibrary lib = device.gemm();
    if (lib == null) throw new UnsupportedOperationException(device.matmulUnsupported());
    device.makeCurrent();
    if (workspace == 0) throw new IllegalStateException("queue was made before " + lib.library() + " was opened");
    lib.matmul(call, a, b, d, workspace, workspaceBytes, stream);
  }

  @Override
  public void synchronize() {
    device.makeCurrent();
    api.streamSynchronize(stream);
    afterSync.forEach(Runnable::run);
    afterSync.clear();
    if (staging != null) {
      staging.close();
      staging = null;
    }
  }

  @Override
  public Recording record(Runnable enqueue) {
    device.makeCurrent();
    api.beginCapture(stream);
    long graph;
    try {
      enqueue.run();
    } catch (RuntimeException | Error e) {
      // End the capture so the stream is usable again, then report the original failure.
      try {
        api.graphDestroy(api.endCapture(stream));
      } catch (RuntimeException suppressed) {
        e.addSuppressed(suppressed);
      }
      throw e;
    }
    graph = api.endCapture(stream);
    long exec;
    try {
      exec = api.instantiate(graph);
    } finally {
      api.graphDestroy(graph);
    }
    return new Recording() {
      private boolean closed;

      @Override
      public void replay() {
        device.makeCurrent();
        api.graphLaunch(exec, stream);
      }

      @Override
      public void close() {
        if (closed) return;
        closed = true;
        device.makeCurrent();
        api.graphExecDestroy(exec);
      }
    };
  }

  @Override
  public void close() {
    device.makeCurrent();
    api.streamDestroy(stream);
    if (workspace != 0) api.free(workspace);
    workspace = 0;
    if (staging != null) staging.close();
  }
}
