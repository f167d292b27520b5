package dev.weft.runtime.cpu;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;

/**
 * Runs {@code [0, extent)} as contiguous chunks on a fixed pool. The calling thread runs the
 * last chunk itself and then waits, so a launch never queues behind itself; chunks are leaves
 * (they never submit work), so many runs sharing one pool cannot deadlock.
 */
final class ParallelFor implements AutoCloseable {
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
    int chunks = (int) Math.min(threads, extent);
    if (chunks == 1) {
      invoke(body, 0, extent);
      return;
    }
    AtomicInteger pending = new AtomicInteger(chunks - 1);
    AtomicReference<Throwable> failure = new AtomicReference<>();
    Thread caller = Thread.currentThread();
    for (int c = 0; c < chunks - 1; c++) {
      long b = extent * c / chunks;
      long e = extent * (c + 1) / chunks;
      try {
        pool.execute(() -> {
          try {
            body.run(b, e);
          } catch (Throwable t) {
            failure.compareAndSet(null, t);
          } finally {
            if (pending.decrementAndGet() == 0) LockSupport.unpark(caller);
          }
        });
      } catch (RejectedExecutionException x) {
        failure.compareAndSet(null, x);
        pending.decrementAndGet();
      }
    }
    try {
      body.run(extent * (chunks - 1) / chunks, extent);
    } catch (Throwable t) {
      failure.compareAndSet(null, t);
    }
    while (pending.get() > 0) LockSupport.park(this);
    Throwable t = failure.get();
    if (t != null) rethrow(t);
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
