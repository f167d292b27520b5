package dev.weft.passes;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.weft.frontend.onnx.OnnxBackendRunner;
import dev.weft.frontend.onnx.OnnxCoverage;
import dev.weft.frontend.onnx.OnnxImporter;
import dev.weft.frontend.onnx.OnnxModel;
import dev.weft.frontend.onnx.OnnxModelReader;
import dev.weft.frontend.onnx.OnnxTestData;
import dev.weft.frontend.onnx.proto.OnnxProto.GraphProto;
import dev.weft.frontend.onnx.proto.OnnxProto.TensorProto;
import dev.weft.frontend.onnx.proto.OnnxProto.ValueInfoProto;
import dev.weft.ir.Module;
import dev.weft.ir.interp.Interpreter;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * Every pass preserves results: for each corpus model and a sample of ONNX node tests, the
 * interpreter's outputs before and after the default pipeline agree within rtol 1e-4, atol
 * 1e-5 (DESIGN.md's bound for transformed programs). Node counts before/after are printed.
 */
class SemanticPreservationTest {
  static final double RTOL = 1e-4;
  static final double ATOL = 1e-5;
  /** Every Nth node test (sorted by name), so the sample is fixed and covers all op families. */
  static final int NODE_SAMPLE_STRIDE = 12;

  static Path corpus() {
    String c = System.getProperty("weft.corpus");
    if (c == null && System.getProperty("weft.root") != null) c = System.getProperty("weft.root") + "/../shared/corpus";
    Path p = c == null ? null : Path.of(c);
    if (p == null || !Files.isDirectory(p)) {
      System.err.println("SKIPPED: no corpus (set -Dweft.corpus=...; looked at " + p + ")");
      assumeTrue(false, "corpus not found at " + p);
    }
    return p;
  }

  @TestFactory
  Stream<DynamicTest> corpusModels() throws IOException {
    Path models = corpus().resolve("models");
    List<Path> files;
    try (Stream<Path> s = Files.walk(models, 2)) {
      files = s.filter(p -> p.toString().endsWith(".onnx")).sorted().toList();
    }
    assertTrue(!files.isEmpty(), "no .onnx models under " + models);
    return files.stream().map(f -> DynamicTest.dynamicTest(models.relativize(f).toString(), () -> {
      Outcome o = beforeAndAfter(f, f.getParent().resolve("test_data_set_0"));
      System.out.printf("%-48s nodes %6d -> %6d  (%s)%n", models.relativize(f), o.before, o.after, o.timing);
      assertEquals(null, o.diff, () -> models.relativize(f) + ": " + o.diff);
    }));
  }

  @Test
  void nodeTestSample() throws Exception {
    Path node = corpus().resolve("onnx-backend/node");
    assumeTrue(Files.isDirectory(node), "no node tests at " + node);
    List<Path> dirs;
    try (Stream<Path> s = Files.list(node)) {
      dirs = s.filter(Files::isDirectory).sorted().toList();
    }
    List<String> failures = new ArrayList<>();
    int ran = 0;
    int changed = 0;
    for (int i = 0; i < dirs.size(); i += NODE_SAMPLE_STRIDE) {
      Path dir = dirs.get(i);
      Path model = dir.resolve("model.onnx");
      if (!Files.isRegularFile(model) || !Files.isDirectory(dir.resolve("test_data_set_0"))) continue;
      Outcome o;
      try {
        o = beforeAndAfter(model, dir.resolve("test_data_set_0"));
      } catch (NotRunnable e) {
        continue;   // unsupported or failing before any pass ran: the conformance suite's business
      }
      ran++;
      if (o.before != o.after) changed++;
      if (o.diff != null) failures.add(dir.getFileName() + ": " + o.diff);
    }
    System.out.println("node test sample: " + ran + " ran, " + changed + " changed by the pipeline, " + failures.size() + " differ");
    assertTrue(ran > 50, "only " + ran + " node tests ran");
    assertTrue(failures.isEmpty(), String.join("\n", failures));
  }

  record Outcome(int before, int after, String diff, String timing) {}

  static final class NotRunnable extends Exception {
    NotRunnable(String why, Throwable cause) { super(why, cause); }
  }

  /** Runs the model as imported and after the default pipeline on the data set's inputs; the diff or null. */
  static Outcome beforeAndAfter(Path file, Path dataSet) throws Exception {
    OnnxModel model = OnnxModelReader.read(file);
    List<Object> args;
    Module reference;
    List<Object> expected;
    try {
      if (!OnnxCoverage.scan(model.proto()).fullySupported()) throw new NotRunnable("unsupported ops", null);
      reference = OnnxImporter.importModel(model);
      args = inputs(model, dataSet);
      expected = new Interpreter().run(reference.main(), args);
    } catch (NotRunnable e) {
      throw e;
    } catch (Exception | StackOverflowError e) {
      throw new NotRunnable("does not run before optimization: " + e, e);
    }
    Module optimized = OnnxImporter.importModel(model);
    int before = PassManager.nodeCount(optimized);
    PassContext ctx = new PassContext();
    long t0 = System.nanoTime();
    PassManager.parse(PassManager.DEFAULT_PIPELINE).run(optimized, ctx);
    String timing = String.format("pipeline %.0f ms", (System.nanoTime() - t0) / 1e6);
    int after = PassManager.nodeCount(optimized);
    List<Object> actual = new Interpreter().run(optimized.main(), args);
    String diff = null;
    for (int i = 0; i < expected.size() && diff == null; i++) {
      String d = OnnxBackendRunner.compare(expected.get(i), actual.get(i), RTOL, ATOL);
      if (d != null) diff = "output " + i + " (" + optimized.main().outputs().get(i).name() + "): " + d;
    }
    if (!optimized.main().outputs().stream().map(v -> v.name()).toList()
        .equals(reference.main().outputs().stream().map(v -> v.name()).toList())) {
      diff = "output names changed: " + reference.main().outputs() + " -> " + optimized.main().outputs();
    }
    return new Outcome(before, after, diff, timing);
  }

  private static List<Object> inputs(OnnxModel model, Path dataSet) throws IOException {
    GraphProto g = model.proto().getGraph();
    Set<String> inits = new HashSet<>();
    for (TensorProto t : g.getInitializerList()) inits.add(t.getName());
    List<ValueInfoProto> ins = g.getInputList().stream().filter(v -> !inits.contains(v.getName())).toList();
    List<Object> args = new ArrayList<>();
    for (int i = 0; i < ins.size(); i++) {
      Path f = dataSet.resolve("input_" + i + ".pb");
      if (!Files.isRegularFile(f)) throw new IOException(f + " is missing");
      args.add(OnnxTestData.read(f, ins.get(i).getType()));
    }
    return args;
  }
}
