package dev.weft.testsuite;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Where the shared test corpus is: {@code -Dweft.corpus=PATH}, else {@code ../shared/corpus}
 * beside the repository root ({@code -Dweft.root}, set by the build; Surefire runs in each
 * module's folder, so the working directory is not the root).
 */
public final class Corpus {
  private Corpus() {}

  public static Path root() {
    String explicit = System.getProperty("weft.corpus");
    if (explicit != null && !explicit.isBlank()) return Path.of(explicit).toAbsolutePath().normalize();
    String repo = System.getProperty("weft.root");
    Path base = repo != null ? Path.of(repo) : Path.of("").toAbsolutePath();
    return base.resolve("../shared/corpus").toAbsolutePath().normalize();
  }

  /** A corpus folder, or null when it is absent (the caller skips loudly). */
  public static Path find(String relative) {
    Path p = root().resolve(relative);
    return Files.isDirectory(p) ? p : null;
  }

  /** True when the slow tier was asked for ({@code -Dweft.tier=full}). */
  public static boolean fullTier() { return "full".equals(System.getProperty("weft.tier")); }
}
