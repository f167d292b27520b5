package dev.weft.testsuite;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.api.Weft;
import dev.weft.bundle.Tensor;
import dev.weft.compiler.BundleOutput;
import dev.weft.compiler.CompileOptions;
import dev.weft.compiler.Compiler;
import dev.weft.compiler.ShapeBinding;
import dev.weft.frontend.onnx.OnnxBackendRunner;
import dev.weft.frontend.onnx.OnnxImporter;
import dev.weft.frontend.onnx.OnnxModel;
import dev.weft.frontend.onnx.OnnxModelReader;
import dev.weft.frontend.onnx.OnnxTestData;
import dev.weft.ir.Graph;
import dev.weft.ir.GraphBuilder;
import dev.weft.ir.Module;
import dev.weft.ir.Node;
import dev.weft.ir.Value;
import dev.weft.ir.interp.Interpreter;
import dev.weft.passes.PassContext;
import dev.weft.passes.PassManager;
import dev.weft.passes.Rewrite;
import dev.weft.runtime.Bundle;
import dev.weft.runtime.Session;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * silero-vad-v5: its top-level {@code if} tests the input {@code sr}. At the test's 576 samples
 * only the 16 kHz branch types, so the if settles on it and the 8 kHz branch compiles to a fail
 * step (CompiledModelsTest runs the whole model; the CLI test below too). With the test inputs' shapes bound the 16 kHz branch (the one
 * test_data_set_0 takes) loses its two dozen shape-guard ifs (fold-shapes inlines them) and its
 * LSTMs (unroll-recurrent). Specialized on sr = 16000, the rest compiles to kernels and must
 * match the interpreter (rtol 1e-4, atol 1e-5) and the ONNX Runtime oracle outputs (1e-3).
 */
class SileroVadTest {
  @TempDir Path tmp;

  static final String MODEL = "silero-vad-v5/model.onnx";

  @Test
  void sixteenKiloHertzBranchFoldsToPlainOps() {
    Loaded l = load();
    ShapeBinding.bind(l.module.main(), Weft.profileOf(l.names(), l.inputs));
    PassManager.parse(PassManager.DEFAULT_PIPELINE.replace(",fuse", "")).run(l.module, new PassContext().verify(false));
    Node top = null;
    for (Node n : l.module.main().nodes()) if (n.opName().equals("if")) top = n;
    assertTrue(top != null, "the top-level if on sr is expected to remain");
    Map<String, Integer> ops = histogram(top.attrs().getGraph("then_branch"));
    System.out.println("[weft] silero-vad-v5 16 kHz branch after the pipeline: " + ops);
    for (String gone : List.of("if", "lstm", "shape_of")) assertNull(ops.get(gone), gone + " left in the 16 kHz branch: " + ops);
  }

  @Test
  void specializedOnSixteenKiloHertzCompilesAndMatches() {
    Loaded l = load();
    List<Object> want = new Interpreter().run(l.module.main(), new ArrayList<>(l.inputs));
    Graph g = l.module.main();
    Value sr = g.inputs().get(2);
    assertEquals(16000, l.inputs.get(2).getLong(0), "test_data_set_0 is a 16 kHz case");
    sr.replaceAllUsesWith(new GraphBuilder(g).insertBefore(g.nodes().get(0)).constant(l.inputs.get(2)));
    Compiler.Compilation c = Compiler.compile(l.module, new CompileOptions("cpu", Weft.profileOf(l.names(), l.inputs), null, "fp32"), null);
    var manifest = BundleOutput.write(c, tmp.resolve("silero"));
    Map<String, Tensor> feed = new LinkedHashMap<>();
    for (int i = 0; i < l.inputs.size(); i++) feed.put(manifest.inputs().get(i).name(), l.inputs.get(i));
    try (Bundle b = Bundle.load(tmp.resolve("silero")); Session s = b.session("cpu")) {
      Map<String, Tensor> got = s.run(feed);
      for (int i = 0; i < manifest.outputs().size(); i++) {
        Tensor actual = got.get(manifest.outputs().get(i).name());
        assertNull(OnnxBackendRunner.compare(want.get(i), actual, 1e-4, 1e-5), "output " + i + " vs interpreter");
        Object oracle = OnnxTestData.read(l.set.resolve("output_" + i + ".pb"), l.model.proto().getGraph().getOutput(i).getType());
        assertNull(OnnxBackendRunner.compare(oracle, actual, 1e-3, 1e-5), "output " + i + " vs oracle");
      }
    }
    System.out.println("[weft] silero-vad-v5 at sr=16000: " + c.lowered().kernels().size() + " kernels, matches interpreter and oracle");
  }

  /**
   * The 8 kHz branch, which the test data does not take: at 288 samples (256 + 32 context, its
   * chunk size) it types, and specialized on sr = 8000 it compiles and matches the interpreter
   * on seeded random audio (no oracle output exists for it).
   */
  @Test
  void specializedOnEightKiloHertzCompilesAndMatchesTheInterpreter() {
    Loaded l = load();
    java.util.Random r = new java.util.Random(8000);
    double[] audio = new double[288];
    for (int i = 0; i < audio.length; i++) audio[i] = r.nextGaussian() * 0.1;
    double[] state = new double[2 * 128];
    for (int i = 0; i < state.length; i++) state[i] = r.nextGaussian() * 0.5;
    List<Tensor> inputs = List.of(Tensor.of(dev.weft.bundle.DType.F32, new long[] {1, 288}, audio),
        Tensor.of(dev.weft.bundle.DType.F32, new long[] {2, 1, 128}, state), Tensor.ofLongs(new long[0], 8000));
    List<Object> want = new Interpreter().run(l.module.main(), new ArrayList<>(inputs));
    Graph g = l.module.main();
    g.inputs().get(2).replaceAllUsesWith(new GraphBuilder(g).insertBefore(g.nodes().get(0)).constant(inputs.get(2)));
    Compiler.Compilation c = Compiler.compile(l.module, new CompileOptions("cpu", Weft.profileOf(l.names(), inputs), null, "fp32"), null);
    var manifest = BundleOutput.write(c, tmp.resolve("silero8k"));
    Map<String, Tensor> feed = new LinkedHashMap<>();
    for (int i = 0; i < inputs.size(); i++) feed.put(manifest.inputs().get(i).name(), inputs.get(i));
    try (Bundle b = Bundle.load(tmp.resolve("silero8k")); Session s = b.session("cpu")) {
      Map<String, Tensor> got = s.run(feed);
      for (int i = 0; i < manifest.outputs().size(); i++) {
        assertNull(OnnxBackendRunner.compare(want.get(i), got.get(manifest.outputs().get(i).name()), 1e-4, 1e-5), "output " + i + " vs interpreter");
      }
    }
    System.out.println("[weft] silero-vad-v5 at sr=8000, 288 samples: " + c.lowered().kernels().size() + " kernels, matches interpreter");
  }

  /**
   * The whole model through the CLI, as a user runs it: {@code weft compile --shapes} at the
   * test's 576 samples warns that If_0's 8 kHz branch was not compiled (it does not type there),
   * {@code weft inspect} lists that fail step, and {@code weft run} of the bundle on
   * test_data_set_0 (16 kHz) writes outputs matching the ONNX Runtime oracle (rtol 1e-3, atol 1e-5).
   */
  @Test
  void weftCompileAndRunOnTestDataMatchTheOracle() {
    Loaded l = load();
    Path model = Corpus.find("models").resolve(MODEL);
    Path bundle = tmp.resolve("silero.bundle");
    Cli compile = Cli.weft("compile", model.toString(), "--target", "cpu", "--shapes", "input=1x576,state=2x1x128", "-o", bundle.toString());
    assertEquals(0, compile.code(), compile.err());
    assertTrue(compile.out().contains("warning: If_0 else branch (taken when the condition is false) was not compiled: "), compile.out());
    // --quiet drops progress but keeps the warning (on stderr); --json carries it as "warnings".
    Cli quiet = Cli.weft("compile", model.toString(), "--shapes", "input=1x576,state=2x1x128", "-o", tmp.resolve("q").toString(), "--quiet");
    assertEquals(0, quiet.code(), quiet.err());
    assertEquals("", quiet.out());
    assertTrue(quiet.err().contains("weft: warning: If_0 else branch"), quiet.err());
    Cli json = Cli.weft("compile", model.toString(), "--shapes", "input=1x576,state=2x1x128", "-o", tmp.resolve("j").toString(), "--json");
    assertEquals(0, json.code(), json.err());
    Object warnings = ((java.util.Map<?, ?>) dev.weft.bundle.json.JsonReader.parse("weft compile --json", json.out().getBytes(java.nio.charset.StandardCharsets.UTF_8))).get("warnings");
    assertTrue(warnings instanceof java.util.List<?> w && w.size() == 1 && w.get(0).toString().startsWith("If_0 else branch"), json.out());
    Cli inspect = Cli.weft("inspect", bundle.toString());
    assertEquals(0, inspect.code(), inspect.err());
    assertTrue(inspect.out().contains("  fail step: If_0 else branch"), inspect.out());
    Path outs = tmp.resolve("outs");
    Cli run = Cli.weft("run", bundle.toString(), "--inputs", l.set.toString(), "--outputs", outs.toString(), "--quiet");
    assertEquals(0, run.code(), run.err());
    for (int i = 0; i < 2; i++) {
      var type = l.model.proto().getGraph().getOutput(i).getType();
      Object oracle = OnnxTestData.read(l.set.resolve("output_" + i + ".pb"), type);
      Object got = OnnxTestData.read(outs.resolve("output_" + i + ".pb"), type);
      assertNull(OnnxBackendRunner.compare(oracle, got, 1e-3, 1e-5), "output " + i + " vs oracle");
    }
    System.out.println("[weft] silero-vad-v5 via weft compile/run at input=1x576: matches the oracle; " + compile.out().lines()
        .filter(x -> x.contains("warning: ")).findFirst().orElse("").strip());
  }

  record Cli(int code, String out, String err) {
    static Cli weft(String... args) {
      java.io.StringWriter out = new java.io.StringWriter();
      java.io.StringWriter err = new java.io.StringWriter();
      int code = dev.weft.cli.Main.execute(args, new java.io.PrintWriter(out), new java.io.PrintWriter(err));
      return new Cli(code, out.toString(), err.toString());
    }
  }

  record Loaded(OnnxModel model, Module module, List<Tensor> inputs, Path set) {
    List<String> names() { return module.main().inputs().stream().map(Value::name).toList(); }
  }

  static Loaded load() {
    Path models = Corpus.find("models");
    Assumptions.assumeTrue(models != null && Files.isRegularFile(models.resolve(MODEL)), "SKIPPED: no " + MODEL + " in the corpus at " + Corpus.root());
    Path f = models.resolve(MODEL);
    OnnxModel model = OnnxModelReader.read(f);
    Path set = f.resolveSibling("test_data_set_0");
    List<Tensor> inputs = new ArrayList<>();
    for (int k = 0; k < 3; k++) inputs.add((Tensor) OnnxTestData.read(set.resolve("input_" + k + ".pb"), model.proto().getGraph().getInput(k).getType()));
    return new Loaded(model, OnnxImporter.importModel(model), inputs, set);
  }

  static Map<String, Integer> histogram(Graph root) {
    Map<String, Integer> h = new TreeMap<>();
    for (Graph g : Rewrite.allGraphs(root)) for (Node n : g.nodes()) h.merge(n.opName(), 1, Integer::sum);
    return h;
  }
}
