package dev.weft.runtime.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
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
  void aClosedPoolLeavesTheCallerToRunEverything() {
    ParallelFor p = new ParallelFor(4);
    p.close();
    assertOnce(cover(p, 5000), "closed pool");
  }
}
