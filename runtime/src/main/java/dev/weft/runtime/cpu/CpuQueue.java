package dev.weft.runtime.cpu;

import dev.weft.bundle.program.Geometry;
import dev.weft.bundle.program.LibraryMatmul;
import dev.weft.runtime.spi.KernelModule;
import dev.weft.runtime.spi.Queue;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * Runs host work synchronously on the calling thread and the device's pool. The argument
 * arrays live in shared memory because pool threads read them.
 */
final class CpuQueue implements Queue {
  private final ParallelFor parallel;
  private final Arena arena = Arena.ofShared();
  private MemorySegment argArray = MemorySegment.NULL;
  private MemorySegment dimArray = MemorySegment.NULL;

  CpuQueue(ParallelFor parallel) { this.parallel = parallel; }

  static MemorySegment at(long address, long bytes) { return MemorySegment.ofAddress(address).reinterpret(bytes); }

  @Override
  public void copyIn(MemorySegment host, long dst, long bytes) { MemorySegment.copy(host, 0, at(dst, bytes), 0, bytes); }

  @Override
  public void copyOut(long src, MemorySegment host, long bytes) { MemorySegment.copy(at(src, bytes), 0, host, 0, bytes); }

  @Override
  public void copy(long src, long dst, long bytes) {
    // MemorySegment.copy behaves like memmove, so an overlapping view copy is still right.
    MemorySegment.copy(at(src, bytes), 0, at(dst, bytes), 0, bytes);
  }

  @Override
  public void launch(KernelModule.Kernel kernel, long[] args, long[] dims, long extent, Geometry geometry) {
    CpuDevice.CpuKernel k = (CpuDevice.CpuKernel) kernel;
    if (argArray.byteSize() < 8L * args.length) argArray = arena.allocate(8L * Math.max(8, args.length), 8);
    if (dimArray.byteSize() < 8L * dims.length) dimArray = arena.allocate(8L * Math.max(8, dims.length), 8);
    for (int i = 0; i < args.length; i++) argArray.setAtIndex(ValueLayout.JAVA_LONG, i, args[i]);
    for (int i = 0; i < dims.length; i++) dimArray.setAtIndex(ValueLayout.JAVA_LONG, i, dims[i]);
    MemorySegment a = argArray;
    MemorySegment d = dims.length == 0 ? MemorySegment.NULL : dimArray;
    // A block body: as an expression lambda the call would be typed as returning Object.
    parallel.run(extent, (b, e) -> {
      k.handle().invokeExact(a, d, b, e);
    });
  }

  /** The host reference GEMM ({@link LibraryMatmul#hostRun}): single-threaded, for tests and small models. */
  @Override
  public void matmul(LibraryMatmul call, long a, long b, long d) {
    long size = call.dtype().byteSize();
    call.hostRun(at(a, call.elementsA() * size), at(b, call.elementsB() * size), at(d, call.elementsD() * size));
  }

  @Override
  public void synchronize() {}

  @Override
  public Recording record(Runnable enqueue) {
    throw new UnsupportedOperationException("the cpu device runs steps directly and does not record them");
  }

  @Override
  public void close() { arena.close(); }
}
