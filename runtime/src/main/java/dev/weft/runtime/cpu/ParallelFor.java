package dev.weft.runtime.cpu;

import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;

/**
 * Runs {@code [0, extent)} as contiguous chunks, one per thread, on a fixed set of pool threads
 * that live as long as the device. The calling thread and the pool threads claim chunks from a
 * shared counter, so a pool thread that wakes late, or is busy with another run's launch, leaves
 * its chunk to the caller instead of holding the launch. Between launches a pool thread keeps looking for work
 * for {@link #SPIN_NANOS} before it parks: launches of one run follow each other within
 * microseconds, and handing each one to a parked thread (an executor queue, a futex wake-up)
 * cost about 50 us a launch, a fifth of gpt's and bert's runs (testsuite/BENCHMARKS.md,
 * "cpu launch hand-off").
 *
 * <p>The caller waits only for chunks that were claimed, never for a pool thread to start, and
 * chunks are leaves (they never submit work), so many runs sharing one pool cannot deadlock: in
 * the worst case the caller runs every chunk itself. Results do not depend on who runs a chunk:
 * the kernel ABI makes work items independent (docs/KERNELS.md).
 */
final class ParallelFor implements AutoCloseable {
  /**
   * Chunks per thread. More, smaller chunks would rebalance around a preempted thread, but they
   * measured slower on a quiet host (gpt 8.6 ms at 1, 9.0 at 4, 10.0 at 8) and no faster on a
   * loaded one.
   */
  static final int CHUNKS_PER_THREAD = 1;

  /** A chunk of work items {@code [begin, end)}. */
  @FunctionalInterface
  interface Body {
    void run(long begin, long end) throws Throwable;
  }

  /**
   * How long an idle thread keeps looking for work before it parks: a pool thread waiting for
   * the next launch, or a caller waiting for the other chunks. It yields while it looks, so on a
   * loaded host the core goes to whoever is runnable.
   */
  static final long SPIN_NANOS = 50_000;

  private final int threads;
  private final Worker[] workers;
  /** Launches that want helpers: each entry lets one pool thread join; an entry of a finished launch finds no chunk. */
  private final ConcurrentLinkedQueue<Launch> wanted = new ConcurrentLinkedQueue<>();
  private volatile boolean closed;

  ParallelFor(int threads) {
    this.threads = threads;
    this.workers = new Worker[threads - 1];
    for (int i = 0; i < workers.length; i++) {
      workers[i] = new Worker();
      Thread t = new Thread(workers[i], "weft-cpu-" + i);
      t.setDaemon(true);
      workers[i].thread = t;
      t.start();
    }
  }

  int threads() { return threads; }

  void run(long extent, Body body) {
    if (extent <= 0) return;
    int chunks = (int) Math.min((long) threads * CHUNKS_PER_THREAD, extent);
    if (workers.length == 0 || chunks == 1 || closed) {
      invoke(body, 0, extent);
      return;
    }
    Launch launch = new Launch(extent, chunks, body, Thread.currentThread());
    int helpers = Math.min(workers.length, chunks - 1);
    for (int i = 0; i < helpers; i++) wanted.add(launch);
    // After the adds: a worker that went to sleep before seeing them has its flag set by now.
    for (Worker w : workers) {
      if (w.sleeping) LockSupport.unpark(w.thread);
    }
    launch.work();
    launch.awaitDone();
    Throwable t = launch.failure.get();
    if (t != null) rethrow(t);
  }

  /** A pool thread: takes launches from {@code wanted}, looks a while longer when there is none, then parks. */
  private final class Worker implements Runnable {
    Thread thread;
    volatile boolean sleeping;

    @Override
    public void run() {
      while (!closed) {
        Launch l = wanted.poll();
        if (l != null) {
          l.work();
          continue;
        }
        long until = System.nanoTime() + SPIN_NANOS;
        while (wanted.isEmpty() && !closed && System.nanoTime() - until < 0) Thread.yield();
        if (!wanted.isEmpty() || closed) continue;
        // Flag first, then look again: a caller that adds after this look sees the flag and unparks.
        sleeping = true;
        if (wanted.isEmpty() && !closed) LockSupport.park(this);
        sleeping = false;
        // Nothing interrupts a pool thread on purpose; a stray interrupt must not turn park into a busy loop.
        Thread.interrupted();
      }
    }
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
      long until = System.nanoTime() + SPIN_NANOS;
      while (done.get() < chunks) {
        if (System.nanoTime() - until < 0) Thread.yield();
        else LockSupport.park(this);
      }
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
    closed = true;
    for (Worker w : workers) LockSupport.unpark(w.thread);
  }
}
