package dev.weft.runtime.cpu;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;

/**
 * Runs {@code [0, extent)} as contiguous chunks on a fixed pool. A launch cuts its range into
 * up to {@value #CHUNKS_PER_THREAD} chunks per thread, and the calling thread and the pool
 * threads that join claim them one at a time from a shared counter. So a thread that wakes late
 * or is preempted (the host is shared) leaves its chunks to the others instead of holding the
 * whole launch; with one chunk per thread a launch took as long as its slowest thread
 * (testsuite/BENCHMARKS.md, "cpu launch chunking").
 *
 * <p>The caller waits only for chunks that were claimed, never for a pool thread to start, and
 * chunks are leaves (they never submit work), so many runs sharing one pool cannot deadlock: in
 * the worst case the caller runs every chunk itself. Results do not depend on the cut: the
 * kernel ABI makes work items independent (docs/KERNELS.md).
 */
final class ParallelFor implements AutoCloseable {
  /** Chunks per thread: enough to rebalance around a late thread, few enough that a claim stays cheap. */
  static final int CHUNKS_PER_THREAD = 4;

  /** A chunk of work items {@code [begin, end)}. */
  @FunctionalInterface
  interface Body {
    void run(long begin, long end) throws Throwable;
  }

  private final int threads;
  private final ExecutorService pool;

  ParallelFor(int threads) {
    this.threads = threads;
    AtomicInteger n = new AtomicInteger();
    ThreadFactory f = r -> {
      Thread t = new Thread(r, "weft-cpu-" + n.getAndIncrement());
      t.setDaemon(true);
      return t;
    };
    this.pool = threads > 1 ? Executors.newFixedThreadPool(threads - 1, f) : null;
  }

  int threads() { return threads; }

  void run(long extent, Body body) {
    if (extent <= 0) return;
    int chunks = (int) Math.min((long) threads * CHUNKS_PER_THREAD, extent);
    if (pool == null || chunks == 1) {
      invoke(body, 0, extent);
      return;
    }
    Launch launch = new Launch(extent, chunks, body, Thread.currentThread());
    int helpers = Math.min(threads - 1, chunks - 1);
    for (int i = 0; i < helpers; i++) {
      try {
        pool.execute(launch::work);
      } catch (RejectedExecutionException x) {
        break;   // the pool is closing: the caller runs what is left
      }
    }
    launch.work();
    launch.awaitDone();
    Throwable t = launch.failure.get();
    if (t != null) rethrow(t);
  }

  /** One launch's chunks: claimed through {@code next}, counted through {@code done}. */
  private static final class Launch {
    final long extent;
    final int chunks;
    final Body body;
    final Thread caller;
    final AtomicInteger next = new AtomicInteger();
    final AtomicInteger done = new AtomicInteger();
    final AtomicReference<Throwable> failure = new AtomicReference<>();

    Launch(long extent, int chunks, Body body, Thread caller) {
      this.extent = extent;
      this.chunks = chunks;
      this.body = body;
      this.caller = caller;
    }

    /** Runs chunks until none is left; a pool thread that starts after the launch ended finds none and returns. */
    void work() {
      int c;
      while ((c = next.getAndIncrement()) < chunks) {
        try {
          // After a failure the remaining chunks are only counted: the launch rethrows anyway.
          if (failure.get() == null) body.run(extent * c / chunks, extent * (c + 1) / chunks);
        } catch (Throwable t) {
          failure.compareAndSet(null, t);
        } finally {
          if (done.incrementAndGet() == chunks && Thread.currentThread() != caller) LockSupport.unpark(caller);
        }
      }
    }

    void awaitDone() {
      while (done.get() < chunks) LockSupport.park(this);
    }
  }

  private static void invoke(Body body, long b, long e) {
    try {
      body.run(b, e);
    } catch (Throwable t) {
      rethrow(t);
    }
  }

  private static void rethrow(Throwable t) {
    if (t instanceof RuntimeException r) throw r;
    if (t instanceof Error err) throw err;
    throw new IllegalStateException(t);
  }

  @Override
  public void close() {
    if (pool != null) pool.shutdownNow();
  }
}
