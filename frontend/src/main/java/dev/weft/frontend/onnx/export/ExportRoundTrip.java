package dev.weft.frontend.onnx.export;

import dev.weft.frontend.onnx.OnnxBackendRunner;
import dev.weft.frontend.onnx.OnnxCoverage;
import dev.weft.frontend.onnx.OnnxImporter;
import dev.weft.frontend.onnx.OnnxModel;
import dev.weft.frontend.onnx.OnnxModelReader;
import dev.weft.frontend.onnx.OnnxTestData;
import dev.weft.frontend.onnx.proto.OnnxProto.GraphProto;
import dev.weft.frontend.onnx.proto.OnnxProto.ModelProto;
import dev.weft.frontend.onnx.proto.OnnxProto.TensorProto;
import dev.weft.frontend.onnx.proto.OnnxProto.ValueInfoProto;
import dev.weft.ir.Module;
import dev.weft.ir.Verifier;
import dev.weft.ir.interp.Interpreter;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Stream;

/**
 * The export round trip on an ONNX test directory: import, run, and only when that passes,
 * export, check the model's structure and determinism, serialize, read back, import again, run
 * again and compare with the test's expected outputs (ONNX's rule). Used by the tests and
 * usable on any folder of backend-style tests.
 */
public final class ExportRoundTrip {
  /** SKIPPED: the model does not pass the normal path, so there is nothing to round-trip. */
  public enum Status { PASS, FAIL, SKIPPED }

  public record Outcome(String test, Status status, String reason, List<String> warnings) {}

  /**
   * How results are judged. {@code againstFirstRun}: the round trip must reproduce what the
   * imported module computes (for models whose oracle needs a looser rule than ONNX's, such as
   * dynamically quantized ones); else it must match the test's expected outputs, and a model
   * that does not match them before export is skipped.
   */
  public record Check(double rtol, double atol, boolean againstFirstRun) {
    public static Check nodeTests() { return new Check(1e-3, 1e-7, false); }

    public static Check models() { return new Check(1e-3, 1e-5, true); }
  }

  private ExportRoundTrip() {}

  public static Outcome run(Path dir, Path model, long timeoutSeconds, Check check) {
    String test = dir.getFileName().toString();
    ExecutorService ex = Executors.newSingleThreadExecutor(r -> {
      Thread t = new Thread(null, r, "export-" + test, 64L << 20);
      t.setDaemon(true);
      return t;
    });
    try {
      Future<Outcome> f = ex.submit(() -> runUnbounded(test, dir, model, check));
      return f.get(timeoutSeconds, TimeUnit.SECONDS);
    } catch (TimeoutException e) {
      return new Outcome(test, Status.SKIPPED, "timed out after " + timeoutSeconds + " s", List.of());
    } catch (Exception e) {
      return new Outcome(test, Status.FAIL, String.valueOf(e.getCause() == null ? e : e.getCause()), List.of());
    } finally {
      ex.shutdownNow();
    }
  }

  private static Outcome runUnbounded(String test, Path dir, Path modelFile, Check check) throws IOException {
    List<Path> sets;
    try (Stream<Path> s = Files.list(dir)) {
      sets = s.filter(p -> p.getFileName().toString().startsWith("test_data_set_") && Files.isDirectory(p)).sorted().toList();
    }
    ModelProto original;
    Module first;
    List<List<Object>> inputs = new ArrayList<>();
    List<List<Object>> expected = new ArrayList<>();
    try {
      OnnxModel model = OnnxModelReader.read(modelFile);
      original = model.proto();
      if (!OnnxCoverage.scan(original).fullySupported()) return skip(test, "unsupported op");
      first = OnnxImporter.importModel(model);
      new Verifier().verify(first);
      if (sets.isEmpty()) return skip(test, "no test data");
      GraphProto g = original.getGraph();
      Set<String> inits = new HashSet<>();
      for (TensorProto t : g.getInitializerList()) inits.add(t.getName());
      List<ValueInfoProto> ins = g.getInputList().stream().filter(v -> !inits.contains(v.getName())).toList();
      for (Path set : sets) {
        List<Object> in = new ArrayList<>();
        for (int i = 0; i < ins.size(); i++) in.add(OnnxTestData.read(set.resolve("input_" + i + ".pb"), ins.get(i).getType()));
        List<Object> out = new ArrayList<>();
        for (int i = 0; i < g.getOutputCount(); i++) out.add(OnnxTestData.read(set.resolve("output_" + i + ".pb"), g.getOutput(i).getType()));
        List<Object> got = new Interpreter().run(first.main(), in);
        String diff = compare(out, got, check);
        if (diff != null && !check.againstFirstRun()) return skip(test, "fails before export: " + diff);
        inputs.add(in);
        expected.add(check.againstFirstRun() ? got : out);
      }
    } catch (Throwable e) {
      return skip(test, "fails before export: " + e);
    }
    try {
      OnnxExporter.Result r = OnnxExporter.export(first, OnnxExporter.Options.defaults());
      List<String> problems = OnnxValidator.check(r.model());
      if (!problems.isEmpty()) return fail(test, "invalid export: " + problems.get(0), r.warnings());
      byte[] bytes = r.model().toByteArray();
      if (!Arrays.equals(bytes, OnnxExporter.export(first, OnnxExporter.Options.defaults()).model().toByteArray())) {
        return fail(test, "export is not deterministic", r.warnings());
      }
      Module again = OnnxImporter.importModel(OnnxModelReader.read(bytes, test + "/exported.onnx"));
      new Verifier().verify(again);
      for (int k = 0; k < inputs.size(); k++) {
        String diff = compare(expected.get(k), new Interpreter().run(again.main(), inputs.get(k)), check);
        if (diff != null) return fail(test, "data set " + k + ": " + diff, r.warnings());
      }
      return new Outcome(test, Status.PASS, "", r.warnings());
    } catch (Throwable e) {
      return fail(test, e.getClass().getSimpleName() + ": " + e.getMessage(), List.of());
    }
  }

  private static String compare(List<Object> expected, List<Object> actual, Check check) {
    if (expected.size() != actual.size()) return expected.size() + " outputs expected, got " + actual.size();
    for (int i = 0; i < expected.size(); i++) {
      String d = OnnxBackendRunner.compare(expected.get(i), actual.get(i), check.rtol(), check.atol());
      if (d != null) return "output " + i + ": " + d;
    }
    return null;
  }

  private static Outcome skip(String test, String why) { return new Outcome(test, Status.SKIPPED, why, List.of()); }

  private static Outcome fail(String test, String why, List<String> warnings) { return new Outcome(test, Status.FAIL, why, warnings); }
}
