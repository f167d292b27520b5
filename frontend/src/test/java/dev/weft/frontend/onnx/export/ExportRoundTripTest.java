package dev.weft.frontend.onnx.export;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.weft.frontend.onnx.Conformance;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Import -> export -> serialize -> read -> import -> run on every ONNX backend node test that
 * passes the normal path, and on the corpus models. Fails below the committed floor; writes
 * the per-test outcomes to target/export-roundtrip.txt.
 */
class ExportRoundTripTest {
  /** Node tests that must round-trip (raise as the op families grow). */
  static final int NODE_FLOOR = 1762;
  /** Corpus models (models/) that must round-trip. */
  static final int MODEL_FLOOR = 14;

  static Path corpus() {
    String explicit = System.getProperty("weft.corpus");
    if (explicit != null && !explicit.isBlank()) return Path.of(explicit).toAbsolutePath().normalize();
    String root = System.getProperty("weft.root");
    Path base = root != null ? Path.of(root) : Path.of("").toAbsolutePath();
    return base.resolve("../shared/corpus").toAbsolutePath().normalize();
  }

  static List<ExportRoundTrip.Outcome> runAll(List<Path[]> work, ExportRoundTrip.Check check) throws Exception {
    int threads = Math.max(1, Math.min(2, Runtime.getRuntime().availableProcessors()));
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      List<Future<ExportRoundTrip.Outcome>> fs = new ArrayList<>();
      for (Path[] w : work) fs.add(pool.submit(() -> ExportRoundTrip.run(w[0], w[1], 120, check)));
      List<ExportRoundTrip.Outcome> out = new ArrayList<>();
      for (Future<ExportRoundTrip.Outcome> f : fs) out.add(f.get());
      return out;
    } finally {
      pool.shutdownNow();
    }
  }

  static long report(String title, List<ExportRoundTrip.Outcome> outs, String file) throws IOException {
    long pass = outs.stream().filter(o -> o.status() == ExportRoundTrip.Status.PASS).count();
    long fail = outs.stream().filter(o -> o.status() == ExportRoundTrip.Status.FAIL).count();
    long skip = outs.size() - pass - fail;
    StringBuilder sb = new StringBuilder(title + ": " + pass + " round-trip, " + fail + " fail, " + skip
        + " skipped (not passing before export)\n");
    TreeMap<String, String> sorted = new TreeMap<>();
    for (ExportRoundTrip.Outcome o : outs) {
      sorted.put(o.test(), o.status() + (o.reason().isEmpty() ? "" : " " + o.reason())
          + (o.warnings().isEmpty() ? "" : " [warnings: " + String.join("; ", o.warnings()) + "]"));
    }
    sorted.forEach((k, v) -> sb.append(k).append(' ').append(v).append('\n'));
    Path target = Path.of("target");
    Files.createDirectories(target);
    Files.writeString(target.resolve(file), sb.toString());
    System.out.println("[weft] " + title + ": " + pass + " round-trip, " + fail + " fail, " + skip + " skipped; see target/" + file);
    outs.stream().filter(o -> o.status() == ExportRoundTrip.Status.FAIL).limit(40)
        .forEach(o -> System.out.println("[weft]   FAIL " + o.test() + ": " + o.reason()));
    return pass;
  }

  @Test
  void nodeTestsRoundTrip() throws Exception {
    Path node = corpus().resolve("onnx-backend/node");
    if (!Files.isDirectory(node)) System.out.println("[weft] SKIPPED export round trip: no corpus at " + node + " (set -Dweft.corpus=PATH)");
    assumeTrue(Files.isDirectory(node), "no node-test corpus");
    List<Path[]> work = new ArrayList<>();
    for (Path dir : Conformance.discover(node)) {
      try (Stream<Path> s = Files.list(dir)) {
        s.filter(p -> p.toString().endsWith(".onnx")).sorted().forEach(m -> work.add(new Path[] {dir, m}));
      }
    }
    long pass = report("export round trip, node tests", runAll(work, ExportRoundTrip.Check.nodeTests()), "export-roundtrip-node.txt");
    assertTrue(pass >= NODE_FLOOR, pass + " node tests round-trip, below the floor of " + NODE_FLOOR);
  }

  @Test
  void corpusModelsRoundTrip() throws Exception {
    Path models = corpus().resolve("models");
    if (!Files.isDirectory(models)) System.out.println("[weft] SKIPPED export round trip: no corpus at " + models);
    assumeTrue(Files.isDirectory(models), "no model corpus");
    List<Path[]> work = new ArrayList<>();
    for (Path dir : Conformance.discover(models)) {
      try (Stream<Path> s = Files.list(dir)) {
        s.filter(p -> p.toString().endsWith(".onnx")).sorted().forEach(m -> work.add(new Path[] {dir, m}));
      }
    }
    long pass = report("export round trip, corpus models", runAll(work, ExportRoundTrip.Check.models()), "export-roundtrip-models.txt");
    assertTrue(pass >= MODEL_FLOOR, pass + " corpus models round-trip, below the floor of " + MODEL_FLOOR);
  }
}
