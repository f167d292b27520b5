package dev.weft.cli;

import static dev.weft.cli.CliTest.weft;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.bundle.json.JsonReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code weft bench} end to end: compiled on the fly, generated inputs, JSON report, ONNX Runtime comparison. */
class BenchCommandTest {
  @TempDir Path tmp;

  /** Token ids index a 5-row table: generated ids outside [0, 5) would read past it. */
  private static final String EMBED = """
      module {
        graph @main(%ids: i64[1,6], %x: f32[1,4]) -> (%y) {
          %table = constant() {value = dense<f32[5,4]> [0.1, 0.2, 0.3, 0.4, 1.1, 1.2, 1.3, 1.4, 2.1, 2.2, 2.3, 2.4, 3.1, 3.2, 3.3, 3.4, 4.1, 4.2, 4.3, 4.4]}
          %e = gather(%table, %ids) {axis = 0}
          %s = add(%e, %x)
          %y = relu(%s)
        }
      }
      """;

  private Path model() throws IOException {
    Path p = tmp.resolve("embed.wir");
    Files.writeString(p, EMBED);
    return p;
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> parse(String json) {
    return (Map<String, Object>) JsonReader.parse("stdout", json.getBytes(StandardCharsets.UTF_8));
  }

  private static double num(Map<String, Object> o, String k) { return ((Number) o.get(k)).doubleValue(); }

  @Test
  @SuppressWarnings("unchecked")
  void benchesAWirModelWithGeneratedInputs() throws IOException {
    CliTest.Result r = weft("bench", model().toString(), "--warmup", "1", "--iters", "3", "--threads", "1", "--profile", "--json");
    assertEquals(0, r.code(), r.err());
    Map<String, Object> report = parse(r.out());
    assertEquals(List.of("weft"), List.copyOf(report.keySet()), "without --compare only the weft object");
    Map<String, Object> w = (Map<String, Object>) report.get("weft");
    assertTrue(num(w, "median_ms") > 0, r.out());
    assertTrue(num(w, "p90_ms") >= num(w, "median_ms"), r.out());
    assertEquals(3, ((Number) w.get("iters")).intValue());
    assertEquals(1, ((Number) w.get("threads")).intValue());
    List<Object> profile = (List<Object>) w.get("profile");
    assertFalse(profile.isEmpty(), "--profile lists the steps");
    assertTrue(((Map<String, Object>) profile.getFirst()).containsKey("nodes"), r.out());
    // The step sum is set against the profiled runs themselves; the steps are a run's main part and cannot exceed it by much.
    assertTrue(num(w, "profile_step_sum_ms") > 0, r.out());
    assertTrue(num(w, "profile_run_median_ms") > 0, r.out());
    assertTrue(num(w, "profile_step_sum_ms") <= 2 * num(w, "profile_run_median_ms"), r.out());
  }

  @Test
  void humanReportHasMedianP90AndThroughput() throws IOException {
    CliTest.Result r = weft("bench", model().toString(), "--warmup", "0", "--iters", "2");
    assertEquals(0, r.code(), r.err());
    assertTrue(r.out().contains("2 timed runs after 0 warmup"), r.out());
    assertTrue(r.out().matches("(?s).*weft +median +[0-9.]+ ms +p90 +[0-9.]+ ms +throughput +[0-9.]+ runs/s.*"), r.out());
  }

  @Test
  @SuppressWarnings("unchecked")
  void comparesWithOnnxRuntimeOnTheExportedModel() throws IOException {
    Path onnx = tmp.resolve("embed.onnx");
    CliTest.Result exp = weft("export", model().toString(), "-o", onnx.toString(), "--quiet");
    assertEquals(0, exp.code(), exp.err());
    CliTest.Result r = weft("bench", onnx.toString(), "--compare", "onnxruntime", "--warmup", "1", "--iters", "4", "--threads", "1", "--json");
    assertEquals(0, r.code(), r.err());
    Map<String, Object> report = parse(r.out());
    assertEquals(List.of("weft", "onnxruntime", "ratio"), List.copyOf(report.keySet()));
    Map<String, Object> w = (Map<String, Object>) report.get("weft");
    Map<String, Object> o = (Map<String, Object>) report.get("onnxruntime");
    assertTrue(num(o, "median_ms") > 0, r.out());
    assertEquals(4, ((Number) o.get("iters")).intValue());
    assertEquals(num(w, "median_ms") / num(o, "median_ms"), num(report, "ratio"), 1e-9);
    // Same inputs on both sides, so the outputs agree to rounding (and are not NaN: that would be null).
    Object diff = o.get("max_abs_diff");
    assertTrue(diff instanceof Number n && n.doubleValue() < 1e-5, r.out());
  }

  @Test
  void compareNeedsAnOnnxModel() throws IOException {
    CliTest.Result r = weft("bench", model().toString(), "--compare", "onnxruntime", "--iters", "1");
    assertEquals(1, r.code(), r.out());
    assertTrue(r.err().contains("--compare onnxruntime needs an ONNX model") && r.err().contains("--model"), r.err());
  }

  @Test
  void rejectsZeroIterations() throws IOException {
    CliTest.Result r = weft("bench", model().toString(), "--iters", "0");
    assertEquals(1, r.code());
    assertTrue(r.err().contains("--iters must be at least 1"), r.err());
  }
}
