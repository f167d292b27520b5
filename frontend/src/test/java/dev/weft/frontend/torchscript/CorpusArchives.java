package dev.weft.frontend.torchscript;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/** Locates the shared corpus: system property weft.corpus, else weft.root + "/../shared/corpus". */
final class CorpusArchives {
  private CorpusArchives() {}

  static Path corpus() {
    String c = System.getProperty("weft.corpus");
    if (c != null && !c.isBlank()) return Path.of(c);
    String root = System.getProperty("weft.root");
    return root == null ? null : Path.of(root, "..", "shared", "corpus").normalize();
  }

  static Path models() {
    Path c = corpus();
    return c == null ? null : c.resolve("models");
  }

  /** Every {@code models/*}{@code /*.pt}, sorted; empty when the corpus is absent. */
  static List<Path> archives() {
    Path m = models();
    if (m == null || !Files.isDirectory(m)) return List.of();
    try (Stream<Path> dirs = Files.list(m)) {
      return dirs.filter(Files::isDirectory).flatMap(d -> {
        try (Stream<Path> files = Files.list(d)) {
          return files.filter(f -> f.getFileName().toString().endsWith(".pt")).toList().stream();
        } catch (IOException e) {
          throw new java.io.UncheckedIOException(e);
        }
      }).sorted().toList();
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}
