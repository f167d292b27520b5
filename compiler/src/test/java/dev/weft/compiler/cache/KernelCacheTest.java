package dev.weft.compiler.cache;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The store itself: round trip, verification of damaged entries, keys, the off switch, concurrent writers. */
class KernelCacheTest {
  @TempDir Path tmp;

  private static String key(String s) { return CacheKey.start("test").add(s).hex(); }

  @Test
  void storedBytesComeBackAndCountAsHits() {
    KernelCache c = KernelCache.at(tmp);
    byte[] payload = "object bytes".getBytes(StandardCharsets.UTF_8);
    assertNull(c.get(key("a")));
    c.put(key("a"), payload);
    assertArrayEquals(payload, c.get(key("a")));
    assertEquals(new CacheStats(1, 1, 0), c.stats());
    assertTrue(Files.isRegularFile(c.entry(key("a"))));
  }

  @Test
  void getOrCompileCompilesOnlyOnMiss() {
    KernelCache c = KernelCache.at(tmp);
    AtomicInteger compiles = new AtomicInteger();
    for (int i = 0; i < 3; i++) {
      byte[] got = c.getOrCompile(key("k"), () -> {
        compiles.incrementAndGet();
        return new byte[] {1, 2, 3};
      });
      assertArrayEquals(new byte[] {1, 2, 3}, got);
    }
    assertEquals(1, compiles.get());
    assertEquals(new CacheStats(2, 1, 0), c.stats());
  }

  @Test
  void flippedByteTruncationAndForeignFilesAreMissesAndGetRewritten() throws Exception {
    KernelCache c = KernelCache.at(tmp);
    byte[] payload = new byte[1000];
    for (int i = 0; i < payload.length; i++) payload[i] = (byte) i;
    String[] keys = {key("flip"), key("cut"), key("junk"), key("empty")};
    for (String k : keys) c.put(k, payload);
    Path flip = c.entry(keys[0]);
    byte[] raw = Files.readAllBytes(flip);
    raw[raw.length - 10] ^= 0x40;
    Files.write(flip, raw);
    Path cut = c.entry(keys[1]);
    byte[] whole = Files.readAllBytes(cut);
    Files.write(cut, java.util.Arrays.copyOf(whole, whole.length - 1));
    Files.writeString(c.entry(keys[2]), "not a cache entry at all, but long enough to hold a header.....");
    Files.write(c.entry(keys[3]), new byte[0]);

    KernelCache again = KernelCache.at(tmp);
    for (String k : keys) assertNull(again.get(k), "damaged entry " + k + " is a miss");
    assertEquals(new CacheStats(0, 4, 4), again.stats());
    for (String k : keys) assertFalse(Files.exists(again.entry(k)), "damaged entry deleted");
    for (String k : keys) assertArrayEquals(payload, again.getOrCompile(k, () -> payload));
    KernelCache third = KernelCache.at(tmp);
    for (String k : keys) assertArrayEquals(payload, third.get(k));
    assertEquals(new CacheStats(4, 0, 0), third.stats());
  }

  @Test
  void keysSeparateParts() {
    assertNotEquals(CacheKey.start("p").add("ab").add("c").hex(), CacheKey.start("p").add("a").add("bc").hex());
    assertNotEquals(CacheKey.start("p").add("x").hex(), CacheKey.start("q").add("x").hex());
    assertEquals(CacheKey.start("p").add("x").hex(), CacheKey.start("p").add("x").hex());
    assertTrue(CacheKey.start("p").hex().matches("[0-9a-f]{64}"));
    assertThrows(IllegalArgumentException.class, () -> KernelCache.at(tmp).entry("../../etc/passwd"));
  }

  @Test
  void offSwitchDisablesAndPropertyNamesTheFolder() {
    String before = System.getProperty("weft.cache");
    try {
      System.setProperty("weft.cache", "off");
      KernelCache off = KernelCache.open();
      assertFalse(off.enabled());
      off.put(key("z"), new byte[] {1});
      assertNull(off.get(key("z")));
      assertEquals(new CacheStats(0, 1, 0), off.stats());
      System.setProperty("weft.cache", tmp.resolve("here").toString());
      assertEquals(tmp.resolve("here").toAbsolutePath(), KernelCache.open().dir());
    } finally {
      if (before == null) System.clearProperty("weft.cache");
      else System.setProperty("weft.cache", before);
    }
  }

  @Test
  void concurrentWritersAndReadersNeverSeeAPartialEntry() throws Exception {
    byte[] big = new byte[1 << 20];
    for (int i = 0; i < big.length; i++) big[i] = (byte) (i * 31);
    String k = key("shared");
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      List<Future<Boolean>> jobs = new ArrayList<>();
      for (int t = 0; t < 8; t++) {
        jobs.add(pool.submit(() -> {
          KernelCache c = KernelCache.at(tmp);
          for (int i = 0; i < 10; i++) {
            byte[] got = c.getOrCompile(k, () -> big.clone());
            if (!java.util.Arrays.equals(big, got)) return false;
          }
          return c.stats().corrupt() == 0;
        }));
      }
      for (Future<Boolean> f : jobs) assertTrue(f.get(), "every read is whole and verified");
    } finally {
      pool.shutdownNow();
    }
    try (Stream<Path> s = Files.walk(tmp)) {
      assertEquals(0, s.filter(p -> p.toString().endsWith(".tmp")).count(), "no temporary files left behind");
    }
  }
}
