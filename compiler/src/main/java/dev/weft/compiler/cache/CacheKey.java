package dev.weft.compiler.cache;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * Builds a cache key: sha256 over length-prefixed parts, so ("ab","c") and ("a","bc") differ.
 * Callers add everything the cached bytes depend on (input bitcode, target, CPU, features,
 * pass pipeline, compiler and LLVM versions); {@link KernelCache#environment()} supplies the
 * versions.
 */
public final class CacheKey {
  private final MessageDigest digest;

  private CacheKey() {
    try {
      digest = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("the JDK always has SHA-256", e);
    }
  }

  /** A key that starts with the cache format, the compiler and the LLVM versions. */
  public static CacheKey start(String purpose) {
    CacheKey k = new CacheKey();
    k.add(KernelCache.environment());
    k.add(purpose);
    return k;
  }

  public CacheKey add(String part) {
    return add(part == null ? new byte[] {(byte) 0xff} : part.getBytes(StandardCharsets.UTF_8));
  }

  public CacheKey add(byte[] part) {
    long n = part.length;
    for (int i = 0; i < 8; i++) digest.update((byte) (n >>> (8 * i)));
    digest.update(part);
    return this;
  }

  /** The key as 64 hex digits; the key cannot be extended afterwards. */
  public String hex() { return HexFormat.of().formatHex(digest.digest()); }

  static byte[] sha256(byte[] bytes) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(bytes);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("the JDK always has SHA-256", e);
    }
  }
}
