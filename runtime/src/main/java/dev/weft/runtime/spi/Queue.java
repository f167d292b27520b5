package dev.weft.runtime.spi;

import dev.weft.bundle.program.Geometry;
import dev.weft.bundle.program.LibraryMatmul;
import java.lang.foreign.MemorySegment;

/**
 * Work for one run, in order. Used by one thread at a time. Operations may complete
 * asynchronously; {@link #synchronize} waits for all of them, and host memory handed to
 * {@link #copyIn}/{@link #copyOut} must stay valid until then.
 */
public interface Queue extends AutoCloseable {
  void copyIn(MemorySegment host, long dst, long bytes);

  void copyOut(long src, MemorySegment host, long bytes);

  void copy(long src, long dst, long bytes);

  /**
   * Launches a kernel over {@code [0, extent)} with its buffer addresses and symbolic dim
   * values, as docs/KERNELS.md lays them out for this device.
   *
   * @param geometry GPU geometry (ignored on the host; required on GPUs)
   */
  void launch(KernelModule.Kernel kernel, long[] args, long[] dims, long extent, Geometry geometry);

  /**
   * Enqueues a cuBLASLt-style matmul ({@link LibraryMatmul}: column-major, cuBLAS's terms) on
   * device addresses {@code a}, {@code b}, {@code d}.
   *
   * @throws UnsupportedOperationException when the device has no GEMM ({@link Device#matmulUnsupported})
   */
  default void matmul(LibraryMatmul call, long a, long b, long d) {
    throw new UnsupportedOperationException("this device runs no library matmul");
  }

  void synchronize();

  /**
   * Captures what {@code enqueue} puts on the queue (launches and device copies) for replay;
   * nothing runs during capture.
   *
   * @throws UnsupportedOperationException when the device cannot record
   */
  Recording record(Runnable enqueue);

  @Override
  void close();

  /** A captured sequence of work, replayed on the queue that recorded it. */
  interface Recording extends AutoCloseable {
    void replay();

    @Override
    void close();
  }
}
