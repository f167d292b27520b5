package dev.weft.compiler;

/**
 * Counts a backend's finished kernels for a {@link CompileProgress}. Code generator threads call
 * {@link #done} concurrently; the lock keeps the counts consistent and the display's calls in order.
 */
final class KernelTally {
  private final int total;
  private final CompileProgress sink;
  private int done;
  private int cached;

  KernelTally(int total, CompileProgress sink) {
    this.total = total;
    this.sink = sink;
  }

  /** Reports the starting 0/total. */
  synchronized void start() { sink.kernels(done, total, cached); }

  synchronized void done(boolean fromCache) { add(1, fromCache); }

  /** {@code n} kernels finished at once (a GPU target's linked module). */
  synchronized void add(int n, boolean fromCache) {
    done += n;
    if (fromCache) cached += n;
    sink.kernels(done, total, cached);
  }
}
