package dev.weft.bundle;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;

/**
 * File paths inside a bundle. Paths in a manifest are untrusted, so they are checked as text
 * before any file is opened (relative, '/'-separated, no empty, {@code .} or {@code ..} segment,
 * no backslash, colon or control character), and the resolved file must be a regular file whose
 * real path (symlinks followed) is still under the bundle's real root (RELIABILITY.md 2-3).
 */
public final class BundlePaths {
  private BundlePaths() {}

  /** Why {@code rel} is not an acceptable bundle path, or null if it is. */
  public static String problem(String rel) {
    if (rel == null || rel.isEmpty()) return "empty path";
    if (rel.length() > 1024) return "path longer than 1024 characters";
    if (rel.startsWith("/")) return "absolute path";
    for (int i = 0; i < rel.length(); i++) {
      char c = rel.charAt(i);
      if (c < 0x20 || c == 0x7f) return "control character in path";
      if (c == '\\') return "backslash in path";
      if (c == ':') return "colon in path";
    }
    for (String seg : rel.split("/", -1)) {
      if (seg.isEmpty()) return "empty path segment";
      if (seg.equals(".") || seg.equals("..")) return "'" + seg + "' segment in path";
    }
    return null;
  }

  /** Resolves a checked relative path under {@code root} without touching the file system. */
  public static Path resolve(Path root, String rel) {
    String p = problem(rel);
    if (p != null) throw new BundleException("bad bundle path \"" + rel + "\": " + p);
    return root.resolve(rel);
  }

  /**
   * Resolves {@code rel} to an existing regular file inside {@code root}, following symlinks only
   * while they stay inside the root.
   *
   * @throws BundleException naming the path if it is missing, not a regular file, or escapes
   */
  public static Path existingFile(Path root, String rel) {
    Path p = resolve(root, rel);
    try {
      if (!Files.exists(p)) throw new BundleException(rel + ": missing from the bundle at " + root);
      Path real = p.toRealPath();
      Path realRoot = root.toRealPath();
      if (!real.startsWith(realRoot)) throw new BundleException(rel + ": resolves outside the bundle (to " + real + ")");
      if (!Files.isRegularFile(real, LinkOption.NOFOLLOW_LINKS)) throw new BundleException(rel + ": not a regular file");
      return real;
    } catch (IOException e) {
      throw new BundleException(rel + ": cannot be read: " + e.getMessage(), e);
    }
  }
}
