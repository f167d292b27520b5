package dev.weft.runtime.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicIntegerArray;
import org.junit.jupiter.api.Test;

/** The launch splitter: every work item runs exactly once, whatever the thread count, extent or concurrency. */
class ParallelForTest {
  /** Runs a launch of {@code extent} items and returns how often each item ran. */
  private static AtomicIntegerArray cover(ParallelFor p, int extent) {
    AtomicIntegerArray seen = new AtomicIntegerArray(extent);
    p.run(extent, (b, e) -> {
      if (b < 0 || b >= e || e > extent) throw new AssertionError("bad chunk [" + b + ", " + e + ") of " + extent);
      for (long i = b; i < e; i++) seen.incrementAndGet((int) i);
    });
    return seen;
  }

  private static void assertOnce(AtomicIntegerArray seen, String what) {
    for (int i = 0; i < seen.length(); i++) assertEquals(1, seen.get(i), what + ": item " + i);
  }

  @Test
  void tinyAndLargeLaunchesRunEveryItemOnce() {
    for (int threads : new int[] {1, 2, 3, 8}) {
      try (ParallelFor p = new ParallelFor(threads)) {
        for (int extent : new int[] {1, 2, 3, 7, 8, 9, 31, 32, 33, 1000, 1 << 20}) {
          assertOnce(cover(p, extent), threads + " threads, extent " + extent);
        }
        p.run(0, (b, e) -> { throw new AssertionError("an empty launch ran [" + b + ", " + e + ")"); });
      }
    }
  }

  @Test
  void manyCallersShareOnePool() throws Exception {
    try (ParallelFor p = new ParallelFor(3); ExecutorService callers = Executors.newFixedThreadPool(6)) {
      List<Future<?>> runs = new ArrayList<>();
      for (int c = 0; c < 6; c++) {
        int extent = 97 + 1000 * c;
        runs.add(callers.submit(() -> {
          for (int k = 0; k < 200; k++) assertOnce(cover(p, extent), "extent " + extent + ", launch " + k);
        }));
      }
      for (Future<?> f : runs) f.get();
    }
  }

  @Test
  void aFailingChunkFailsItsLaunchOnlyAndThePoolGoesOn() {
    try (ParallelFor p = new ParallelFor(2)) {
      IllegalStateException boom = new IllegalStateException("boom");
      IllegalStateException got = assertThrows(IllegalStateException.class, () -> p.run(1000, (b, e) -> {
        if (b <= 500 && 500 < e) throw boom;
      }));
      assertSame(boom, got);
      assertOnce(cover(p, 1000), "after a failure");
    }
  }

  @Test
  void aLaunchDoesNotWaitForABusyPoolThread() throws Exception {
    try (ParallelFor p = new ParallelFor(2)) {
      CountDownLatch stuck = new CountDownLatch(1);
      CountDownLatch release = new CountDownLatch(1);
      // Another run's launch whose pool-thread chunk blocks: the only pool thread is then busy.
      Thread other = new Thread(() -> {
        Thread me = Thread.currentThread();
        while (stuck.getCount() > 0) {
          p.run(2, (b, e) -> {
            if (Thread.currentThread() != me) {
              stuck.countDown();
              release.await();
            }
          });
        }
      });
      other.start();
      try {
        assertTrue(stuck.await(30, TimeUnit.SECONDS), "the pool thread never joined a launch");
        // This launch must finish on the calling thread alone, not wait for the pool thread.
        assertTimeoutPreemptively(Duration.ofSeconds(30), () -> assertOnce(cover(p, 1000), "with the pool thread busy"));
      } finally {
        release.countDown();
        other.join();
      }
    }
  }

  @Test
  void aClosedPoolLeavesTheCallerToRunEverything() {
    ParallelFor p = new ParallelFor(4);
    p.close();
    assertOnce(cover(p, 5000), "closed pool");
  }
}
