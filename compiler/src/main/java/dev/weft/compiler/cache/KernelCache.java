package dev.weft.compiler.cache;

import dev.weft.compiler.BundleOutput;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Arrays;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * A content-addressed store of compiled kernel pieces (objects, bitcode, PTX) under the user's
 * cache folder, so a recompile of an unchanged model skips LLVM optimization and code
 * generation. The folder is {@code -Dweft.cache=DIR}, else {@code $WEFT_CACHE}, else
 * {@code $XDG_CACHE_HOME/weft/kernels}, else {@code ~/.cache/weft/kernels}; the value
 * {@code off} turns caching off.
 *
 * <p>Entries are written to a temporary file and renamed into place, so a reader sees a whole
 * entry or none, and several compilers may share the folder. Each entry carries its length and
 * sha256; an entry that does not match is treated as missing and rewritten. The cache is an
 * accelerator only: an entry that cannot be read or written means compiling, never failing.
 *
 * <p>One instance counts the hits and misses of one kernel build; {@link #lastBuild()} gives the
 * counts of the calling thread's latest build.
 */
public final class KernelCache {
  /** Bumped when the entry layout or what keys cover changes: old entries then simply miss. */
  static final String FORMAT = "weft-kernel-cache-1";
  private static final byte[] MAGIC = "WEFTKC1\n".getBytes(StandardCharsets.US_ASCII);
  private static final int HEADER = MAGIC.length + Long.BYTES + 32;
  private static final ThreadLocal<CacheStats> LAST = ThreadLocal.withInitial(() -> CacheStats.NONE);
  private static final AtomicBoolean WARNED = new AtomicBoolean();
  private static volatile String environment;

  private final Path dir;
  private final AtomicInteger hits = new AtomicInteger();
  private final AtomicInteger misses = new AtomicInteger();
  private final AtomicInteger corrupt = new AtomicInteger();

  private KernelCache(Path dir) { this.dir = dir; }

  /** The cache the settings name (system property, environment), or a disabled one. */
  public static KernelCache open() {
    String setting = System.getProperty("weft.cache");
    if (setting == null || setting.isBlank()) setting = System.getenv("WEFT_CACHE");
    if (setting != null && !setting.isBlank()) {
      String s = setting.trim().toLowerCase(Locale.ROOT);
      if (s.equals("off") || s.equals("none") || s.equals("false") || s.equals("0")) return disabled();
      return at(Path.of(setting.trim()));
    }
    String xdg = System.getenv("XDG_CACHE_HOME");
    Path base = xdg != null && !xdg.isBlank() ? Path.of(xdg) : Path.of(System.getProperty("user.home"), ".cache");
    return at(base.resolve("weft").resolve("kernels"));
  }

  public static KernelCache at(Path dir) { return new KernelCache(dir.toAbsolutePath()); }

  public static KernelCache disabled() { return new KernelCache(null); }

  public boolean enabled() { return dir != null; }

  /** The folder, or null when disabled. */
  public Path dir() { return dir; }

  /**
   * The cached bytes for {@code key}, or what {@code compile} returns (stored for next time).
   * Counts a hit or a miss.
   */
  public byte[] getOrCompile(String key, Supplier<byte[]> compile) {
    byte[] found = get(key);
    if (found != null) return found;
    byte[] made = compile.get();
    put(key, made);
    return made;
  }

  /** The verified entry for {@code key} (a hit), or null (a miss; a damaged entry is deleted). */
  public byte[] get(String key) {
    if (dir == null) {
      misses.incrementAndGet();
      return null;
    }
    Path file = entry(key);
    byte[] raw;
    try {
      raw = Files.readAllBytes(file);
    } catch (NoSuchFileException e) {
      misses.incrementAndGet();
      return null;
    } catch (IOException e) {
      warn("cannot read " + file + ": " + e.getMessage());
      misses.incrementAndGet();
      return null;
    }
    byte[] payload = verified(raw);
    if (payload == null) {
      corrupt.incrementAndGet();
      misses.incrementAndGet();
      try {
        Files.deleteIfExists(file);
      } catch (IOException e) {
        warn("cannot delete damaged entry " + file + ": " + e.getMessage());
      }
      return null;
    }
    hits.incrementAndGet();
    return payload;
  }

  /** Stores {@code bytes} under {@code key}: written beside the entry, then renamed into place. */
  public void put(String key, byte[] bytes) {
    if (dir == null) return;
    Path file = entry(key);
    Path tmp = null;
    try {
      Files.createDirectories(file.getParent());
      tmp = Files.createTempFile(file.getParent(), key.substring(0, 16) + ".", ".tmp");
      ByteBuffer header = ByteBuffer.allocate(HEADER).put(MAGIC).putLong(bytes.length).put(CacheKey.sha256(bytes));
      try (var out = Files.newOutputStream(tmp)) {
        out.write(header.array());
        out.write(bytes);
      }
      try {
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
      }
      tmp = null;
    } catch (IOException e) {
      warn("cannot write " + file + ": " + e.getMessage());
    } finally {
      if (tmp != null) {
        try {
          Files.deleteIfExists(tmp);
        } catch (IOException ignored) {
          // a stray temporary file is harmless: its name never matches an entry
        }
      }
    }
  }

  /** The file of an entry: sharded by the key's first two digits, so no folder grows huge. */
  public Path entry(String key) {
    if (dir == null) throw new IllegalStateException("the kernel cache is off");
    if (!key.matches("[0-9a-f]{64}")) throw new IllegalArgumentException("not a sha256 key: " + key);
    return dir.resolve(key.substring(0, 2)).resolve(key + ".bin");
  }

  public CacheStats stats() { return new CacheStats(hits.get(), misses.get(), corrupt.get()); }

  /** Records this instance's counts as the calling thread's latest build. */
  public CacheStats finishBuild() {
    CacheStats s = stats();
    LAST.set(s);
    return s;
  }

  /** The hits and misses of the calling thread's latest kernel build. */
  public static CacheStats lastBuild() { return LAST.get(); }

  /**
   * What every key starts with: the entry format, compiler version, LLVM presets version, and
   * the identity of the code that optimizes and emits (so a rebuilt compiler does not reuse
   * output of an older one whose version string was not bumped).
   */
  static String environment() {
    String e = environment;
    if (e == null) {
      String llvm;
      try {
        llvm = org.bytedeco.javacpp.Loader.getVersion("org.bytedeco", "llvm");
      } catch (IOException | RuntimeException ex) {
        llvm = "unknown";
      }
      e = FORMAT + "|weft=" + BundleOutput.COMPILER_VERSION + "|llvm=" + llvm
          + "|codegen=" + CodeIdentity.of(dev.weft.codegen.llvm.LlvmToolchain.class)
          + "|compiler=" + CodeIdentity.of(KernelCache.class);
      environment = e;
    }
    return e;
  }

  private static byte[] verified(byte[] raw) {
    if (raw.length < HEADER || !Arrays.equals(raw, 0, MAGIC.length, MAGIC, 0, MAGIC.length)) return null;
    ByteBuffer b = ByteBuffer.wrap(raw);
    b.position(MAGIC.length);
    long length = b.getLong();
    if (length != raw.length - HEADER) return null;
    byte[] sha = new byte[32];
    b.get(sha);
    byte[] payload = Arrays.copyOfRange(raw, HEADER, raw.length);
    return Arrays.equals(sha, CacheKey.sha256(payload)) ? payload : null;
  }

  private static void warn(String message) {
    if (WARNED.compareAndSet(false, true)) System.err.println("weft: kernel cache: " + message + " (compiling without it)");
  }
}
