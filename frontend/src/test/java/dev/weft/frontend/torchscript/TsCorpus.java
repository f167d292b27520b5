package dev.weft.frontend.torchscript;

import java.nio.file.Files;
import java.nio.file.Path;

/** The shared corpus: -Dweft.corpus, else weft.root/../shared/corpus; null (and a loud line) when absent. */
public final class TsCorpus {
  private TsCorpus() {}

  public static Path models(String what) {
    String explicit = System.getProperty("weft.corpus");
    String root = System.getProperty("weft.root");
    Path corpus = explicit != null ? Path.of(explicit) : root != null ? Path.of(root, "..", "shared", "corpus") : null;
    Path models = corpus == null ? null : corpus.resolve("models");
    if (models == null || !Files.isDirectory(models)) {
      System.out.println("[weft] SKIPPED " + what + ": no corpus models/ at " + models + " (set -Dweft.corpus=PATH)");
      return null;
    }
    return models;
  }
}
