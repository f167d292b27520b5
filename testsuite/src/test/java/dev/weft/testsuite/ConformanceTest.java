package dev.weft.testsuite;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.frontend.onnx.Conformance;
import dev.weft.frontend.onnx.OnnxBackendRunner;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * ONNX's own backend tests through import, verifier and interpreter. Writes
 * {@code testsuite/target/conformance.json} and {@code conformance.md}, and fails when a
 * suite's pass count drops below its committed floor ({@code conformance-floor.properties}).
 */
class ConformanceTest {
  static final List<String> SUITES = List.of("node", "simple", "pytorch-converted", "pytorch-operator", "light");

  @Test
  void onnxBackendSuites() throws IOException {
    Path backend = Corpus.find("onnx-backend");
    if (backend == null) {
      System.out.println("[weft] SKIPPED conformance: no corpus at " + Corpus.root() + " (set -Dweft.corpus=PATH)");
      Assumptions.abort("corpus not found at " + Corpus.root());
    }
    Properties floors = new Properties();
    try (InputStream in = getClass().getResourceAsStream("/conformance-floor.properties")) {
      floors.load(in);
    }
    int threads = Runtime.getRuntime().availableProcessors();
    List<Conformance.Outcome> all = new ArrayList<>();
    List<String> shortfalls = new ArrayList<>();
    StringBuilder summary = new StringBuilder();
    for (String suite : SUITES) {
      Path dir = backend.resolve(suite);
      if (!Files.isDirectory(dir)) {
        System.out.println("[weft] SKIPPED conformance suite " + suite + ": " + dir + " is missing");
        continue;
      }
      long t0 = System.nanoTime();
      Conformance.Report r = Conformance.run(dir, null, threads, OnnxBackendRunner.Options.defaults());
      for (Conformance.Outcome o : r.outcomes()) all.add(new Conformance.Outcome(suite + "/" + o.key(), o.result(), o.ops()));
      long floor = Long.parseLong(floors.getProperty(suite, "0"));
      String line = String.format("[weft] conformance %-18s %4d / %4d pass (%d fail, %d unsupported; floor %d) in %.0f s",
          suite, r.passed(), r.outcomes().size(), r.count(OnnxBackendRunner.Status.FAIL),
          r.count(OnnxBackendRunner.Status.UNSUPPORTED), floor, (System.nanoTime() - t0) / 1e9);
      System.out.println(line);
      summary.append(line).append('\n');
      if (r.passed() < floor) shortfalls.add(suite + ": " + r.passed() + " < floor " + floor);
    }
    Conformance.Report merged = new Conformance.Report(backend, all);
    Path target = Path.of("target");
    Files.createDirectories(target);
    Files.writeString(target.resolve("conformance.json"), merged.toJson());
    Files.writeString(target.resolve("conformance.md"), merged.toMarkdown("ONNX backend conformance") + "\n" + summary);
    System.out.println("[weft] conformance report: " + target.toAbsolutePath().resolve("conformance.json"));
    assertTrue(shortfalls.isEmpty(), "conformance fell below the committed floor: " + shortfalls);
  }
}
