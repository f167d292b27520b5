package dev.weft.codegen.llvm;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;

/**
 * Drains a child's stderr on a daemon thread (a full pipe would block the child) and keeps the
 * last {@link #CAPACITY} bytes, so a dead worker's last words (LLVM ERROR: ...) reach the
 * exception.
 */
final class StderrTail {
  static final int CAPACITY = 64 * 1024;

  private final byte[] ring = new byte[CAPACITY];
  private long total;
  private final Thread thread;

  StderrTail(InputStream stderr, String name) {
    thread = Thread.ofPlatform().daemon().name(name).start(() -> drain(stderr));
  }

  private void drain(InputStream stderr) {
    byte[] buf = new byte[8192];
    try (stderr) {
      int n;
      while ((n = stderr.read(buf)) > 0) append(buf, n);
    } catch (IOException ignored) {
      // the process is gone; what was read so far is kept
    }
  }

  private synchronized void append(byte[] buf, int n) {
    for (int i = 0; i < n; i++) ring[(int) ((total + i) % CAPACITY)] = buf[i];
    total += n;
  }

  /** Bytes written so far (a mark for {@link #since}). */
  synchronized long position() { return total; }

  /** Text written after {@code mark}, at most the last {@link #CAPACITY} bytes of it. */
  synchronized String since(long mark) {
    long from = Math.max(mark, total - CAPACITY);
    byte[] out = new byte[(int) (total - from)];
    for (int i = 0; i < out.length; i++) out[i] = ring[(int) ((from + i) % CAPACITY)];
    return new String(out, StandardCharsets.UTF_8);
  }

  /** Waits (briefly) until the child closed stderr, so nothing it wrote before dying is missed. */
  void awaitEnd(long millis) {
    try {
      thread.join(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
