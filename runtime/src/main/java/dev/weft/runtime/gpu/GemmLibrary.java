package dev.weft.runtime.gpu;

import dev.weft.bundle.program.LibraryMatmul;

/**
 * A vendor GEMM library on a GPU device (cuBLASLt; hipBLASLt would be the same shape). Calls are
 * enqueued on the caller's stream, so they order with launches and copies and are captured into
 * graphs like them.
 */
public interface GemmLibrary extends AutoCloseable {
  /** The library file, for messages. */
  String library();

  /**
   * Enqueues {@code D = op(A) op(B)} as {@code call} describes (column-major, cuBLAS's terms).
   *
   * @param workspace device scratch of {@code workspaceBytes}, owned by the stream's queue
   */
  void matmul(LibraryMatmul call, long a, long b, long d, long workspace, long workspaceBytes, long stream);

  /** Scratch bytes each queue hands to {@link #matmul}. */
  long workspaceBytes();

  @Override
  void close();
}
