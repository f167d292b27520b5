package dev.weft.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.bundle.json.JsonReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code --json} on every command: stdout is exactly one JSON document (JsonReader accepts the
 * whole of it), for successes and for errors. Expected values come from the example MLP's known
 * facts (its inputs, outputs and shapes) or from the files the command wrote.
 */
class JsonOutputTest {
  @TempDir Path tmp;

  private static final Path MLP = ExampleMlpTest.repoExample();
  private static final String MODEL = MLP.resolve("model.wir").toString();
  private static final String INPUTS = MLP.resolve("inputs").toString();

  @SuppressWarnings("unchecked")
  static Map<String, Object> json(CliTest.Result r) {
    return (Map<String, Object>) JsonReader.parse("stdout", r.out().getBytes(StandardCharsets.UTF_8));
  }

  @SuppressWarnings("unchecked")
  static Map<String, Object> obj(Map<String, Object> o, String k) { return (Map<String, Object>) o.get(k); }

  @SuppressWarnings("unchecked")
  static List<Object> arr(Map<String, Object> o, String k) { return (List<Object>) o.get(k); }

  @Test
  void compile() {
    Path out = tmp.resolve("b");
    CliTest.Result r = CliTest.weft("compile", MODEL, "--shapes", "x=1x16", "-o", out.toString(), "--json");
    assertEquals(0, r.code(), r.err());
    Map<String, Object> o = json(r);
    assertEquals("cpu", o.get("target"));
    assertEquals(out.toString(), o.get("bundle"));
    assertTrue(Files.isRegularFile(out.resolve("manifest.json")));
    assertTrue(((Number) o.get("kernels")).longValue() > 0);
  }

  @Test
  void runOnTheInterpreterAndCompiled() throws Exception {
    for (String engine : List.of("reference", "compiled")) {
      Path out = tmp.resolve(engine);
      CliTest.Result r = CliTest.weft("run", MODEL, "--inputs", INPUTS, "--outputs", out.toString(), "--engine", engine, "--json");
      assertEquals(0, r.code(), r.err());
      Map<String, Object> o = json(r);
      assertEquals(engine, o.get("engine"));
      List<Object> outputs = arr(o, "outputs");
      // the example MLP has one output, written as output_0.pb
      assertEquals(1, outputs.size());
      @SuppressWarnings("unchecked") Map<String, Object> first = (Map<String, Object>) outputs.get(0);
      assertEquals(out.resolve("output_0.pb").toString(), first.get("file"));
      assertTrue(Files.isRegularFile(out.resolve("output_0.pb")));
      assertEquals("compiled".equals(engine), o.containsKey("compile_ms"));
    }
  }

  @Test
  void bench() {
    CliTest.Result r = CliTest.weft("bench", MODEL, "--warmup", "0", "--iters", "1", "--threads", "1", "--json");
    assertEquals(0, r.code(), r.err());
    assertFalse(json(r).isEmpty());
  }

  @Test
  void inspectModelIrAndBundle() {
    Map<String, Object> model = json(CliTest.weft("inspect", MODEL, "--json"));
    assertEquals("model.wir", model.get("model"));
    Map<String, Object> ir = json(CliTest.weft("inspect", MODEL, "--ir", "--json"));
    assertTrue(((String) ir.get("ir")).startsWith("module"), ir.toString());
    Path b = tmp.resolve("b");
    assertEquals(0, CliTest.weft("compile", MODEL, "--shapes", "x=1x16", "-o", b.toString(), "--quiet").code());
    assertEquals("b", json(CliTest.weft("inspect", b.toString(), "--json")).get("bundle"));
  }

  @Test
  void optimizePrintsPassesAndIrButNoText() {
    CliTest.Result r = CliTest.weft("optimize", MODEL, "--json", "--memory-plan", "--bind", "batch=1", "--explain-fusion");
    assertEquals(0, r.code(), r.err());
    Map<String, Object> o = json(r);
    assertFalse(arr(o, "passes").isEmpty());
    assertTrue(((String) o.get("ir")).startsWith("module"));
    assertNull(o.get("output"));
    assertTrue(obj(o, "memory_plan").containsKey("buffers"), o.get("memory_plan").toString());
    assertTrue(((Number) obj(o, "fusion").get("kernels")).longValue() > 0);

    Path wir = tmp.resolve("o.wir");
    Map<String, Object> written = json(CliTest.weft("optimize", MODEL, "-o", wir.toString(), "--json"));
    assertEquals(wir.toString(), written.get("output"));
    assertFalse(written.containsKey("ir"));
    assertTrue(Files.isRegularFile(wir));

    Map<String, Object> list = json(CliTest.weft("optimize", "--list-passes", "--json"));
    assertTrue(arr(list, "passes").size() > 3);
  }

  @Test
  void export() {
    Path onnx = tmp.resolve("m.onnx");
    CliTest.Result r = CliTest.weft("export", MODEL, "-o", onnx.toString(), "--json");
    assertEquals(0, r.code(), r.err());
    Map<String, Object> o = json(r);
    assertEquals(onnx.toString(), o.get("output"));
    assertTrue(((Number) o.get("nodes")).longValue() > 0);
    assertNull(o.get("external_data"));
    assertTrue(Files.isRegularFile(onnx));
  }

  @Test
  void conformanceOnStdoutAndToAFile() throws Exception {
    Path node = TorchScriptCliTest.corpus().resolve("onnx-backend/node");
    Assumptions.assumeTrue(Files.isDirectory(node.resolve("test_abs")), "corpus onnx-backend/node/test_abs missing under " + node);
    CliTest.Result r = CliTest.weft("conformance", node.toString(), "--filter", "^test_abs$", "--json");
    assertEquals(0, r.code(), r.err());
    Map<String, Object> o = json(r);
    assertEquals(1L, ((Number) obj(o, "summary").get("total")).longValue());
    assertEquals("pass", ((Map<?, ?>) obj(o, "tests").values().iterator().next()).get("status"));
    Path file = tmp.resolve("c.json");
    CliTest.Result f = CliTest.weft("conformance", node.toString(), "--filter", "^test_abs$", "--json", file.toString());
    assertEquals(0, f.code(), f.err());
    assertTrue(f.out().contains("conformance: 1 pass"), f.out());
    assertTrue(Files.readString(file).contains("\"test_abs\""));
  }

  @Test
  void debugNumerics() {
    CliTest.Result r = CliTest.weft("debug-numerics", MODEL, "--inputs", INPUTS, "--json");
    assertEquals(0, r.code(), r.err());
    assertFalse(json(r).isEmpty());
  }

  @Test
  void errorsAreJsonToo() {
    CliTest.Result missing = CliTest.weft("compile", tmp.resolve("nope.onnx").toString(), "-o", tmp.resolve("x").toString(), "--json");
    assertEquals(Main.USER_ERROR, missing.code());
    Map<String, Object> e = obj(json(missing), "error");
    assertEquals("user", e.get("kind"));
    assertTrue(((String) e.get("message")).contains("nope.onnx"), e.toString());
    assertFalse(((String) e.get("type")).isEmpty());

    CliTest.Result usage = CliTest.weft("run", MODEL, "--json");   // --inputs and --outputs missing
    assertEquals(Main.USER_ERROR, usage.code());
    Map<String, Object> u = obj(json(usage), "error");
    assertEquals("usage", u.get("kind"));
    assertTrue(((String) u.get("message")).contains("--inputs"), u.toString());

    CliTest.Result badTarget = CliTest.weft("compile", MODEL, "--shapes", "x=1x16", "--target", "tpu", "-o", tmp.resolve("t").toString(), "--json");
    assertEquals(Main.USER_ERROR, badTarget.code());
    assertTrue(((String) obj(json(badTarget), "error").get("message")).contains("tpu"));
  }
}
