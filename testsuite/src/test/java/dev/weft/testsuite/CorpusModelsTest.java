package dev.weft.testsuite;

import static org.junit.jupiter.api.Assertions.assertNull;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Every ONNX model under {@code corpus/models} on the reference interpreter against its oracle:
 * rtol 1e-3, atol 1e-5; the dynamically quantized MiniLM by output cosine >= 0.99 (correct
 * implementations differ there by up to 0.2 absolute; see the corpus README).
 */
class CorpusModelsTest {
  static final double RTOL = 1e-3;
  static final double ATOL = 1e-5;
  static final double MIN_COSINE = 0.99;

  static boolean judgedByCosine(Path model) { return model.getParent().getFileName().toString().endsWith("-q"); }

  @TestFactory
  Stream<DynamicTest> onnxModelsMatchTheirOracles() throws IOException {
    Path models = Corpus.find("models");
    if (models == null) {
      System.out.println("[weft] SKIPPED corpus models: no corpus at " + Corpus.root());
      Assumptions.abort("corpus not found at " + Corpus.root());
    }
    List<Path> files = new ArrayList<>();
    try (Stream<Path> s = Files.walk(models, 2)) {
      s.filter(p -> p.toString().endsWith(".onnx")).sorted().forEach(files::add);
    }
    return files.stream().map(f -> DynamicTest.dynamicTest(models.relativize(f).toString(), () -> {
      boolean cosine = judgedByCosine(f);
      ModelOracle.Outcome o = ModelOracle.check(f, RTOL, ATOL, cosine ? MIN_COSINE : 0);
      System.out.printf("[weft] model %-45s %s in %d ms%s%n", models.relativize(f), o.failure() == null ? "PASS" : "FAIL",
          o.millis(), cosine ? String.format(" (cosine %.6f)", o.worstCosine()) : "");
      assertNull(o.failure(), o.failure());
    }));
  }
}
