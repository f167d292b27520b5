package dev.weft.testsuite;

import static org.junit.jupiter.api.Assertions.assertNull;

import dev.weft.api.Weft;
import dev.weft.bundle.Tensor;
import dev.weft.compiler.BundleOutput;
import dev.weft.compiler.CompileOptions;
import dev.weft.compiler.Compiler;
import dev.weft.compiler.ShapeProfile;
import dev.weft.frontend.onnx.OnnxBackendRunner;
import dev.weft.frontend.onnx.OnnxTestData;
import dev.weft.ir.Module;
import dev.weft.ir.Value;
import dev.weft.runtime.Bundle;
import dev.weft.runtime.Session;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The corpus's TorchScript archives compiled for the CPU (input types from their test inputs),
 * run by the runtime and compared with the oracle outputs (rtol 1e-3, atol 1e-5).
 */
class CompiledTorchScriptTest {
  @TempDir Path tmp;

  @ParameterizedTest
  @ValueSource(strings = {"mlp/mlp_traced.pt", "mlp/mlp_scripted.pt", "mlp/mlp_frozen.pt", "convbn/convbn_traced.pt",
      "convbn/convbn_scripted.pt", "convbn/convbn_frozen.pt", "gpt/gpt_traced.pt", "gpt/gpt_scripted.pt",
      "bert/bert_traced.pt", "mobilenet_v2/mobilenet_v2_traced.pt"})
  void archiveCompilesAndMatchesOracle(String rel) {
    Path models = Corpus.find("models");
    if (models == null) {
      System.out.println("[weft] SKIPPED compiled TorchScript " + rel + ": no corpus at " + Corpus.root());
      Assumptions.abort("corpus not found");
    }
    Path pt = models.resolve(rel);
    Path data = pt.getParent().resolve("test_data_set_0");
    List<Tensor> inputs = new ArrayList<>();
    for (int i = 0; Files.exists(data.resolve("input_" + i + ".pb")); i++) inputs.add(OnnxTestData.readTensor(data.resolve("input_" + i + ".pb")));
    Module m = Weft.load(pt, ShapeProfile.NONE, inputs);
    List<String> names = m.main().inputs().stream().map(Value::name).toList();
    long t0 = System.nanoTime();
    Compiler.Compilation c = Compiler.compile(m, new CompileOptions("cpu", Weft.profileOf(names, inputs), null, "fp32"), null);
    Path dir = tmp.resolve("bundle");
    var manifest = BundleOutput.write(c, dir);
    double ms = (System.nanoTime() - t0) / 1e6;
    String failure = null;
    try (Bundle b = Bundle.load(dir); Session s = b.session("cpu")) {
      Map<String, Tensor> feed = new LinkedHashMap<>();
      for (int i = 0; i < inputs.size(); i++) feed.put(manifest.inputs().get(i).name(), inputs.get(i));
      Map<String, Tensor> got = s.run(feed);
      for (int i = 0; i < manifest.outputs().size() && failure == null; i++) {
        Tensor want = OnnxTestData.readTensor(data.resolve("output_" + i + ".pb"));
        String d = OnnxBackendRunner.compare(want, got.get(manifest.outputs().get(i).name()), 1e-3, 1e-5);
        if (d != null) failure = "output " + i + " vs oracle: " + d;
      }
    }
    System.out.printf("[weft] compiled cpu %-45s %s: %d kernels, compile %.0f ms%n", rel, failure == null ? "PASS" : "FAIL",
        c.lowered().kernels().size(), ms);
    assertNull(failure, failure);
  }
}
