package dev.weft.testsuite;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.api.Weft;
import dev.weft.bundle.DType;
import dev.weft.bundle.Tensor;
import dev.weft.compiler.BundleOutput;
import dev.weft.compiler.CompileOptions;
import dev.weft.compiler.Compiler;
import dev.weft.frontend.onnx.OnnxBackendRunner;
import dev.weft.frontend.onnx.OnnxImporter;
import dev.weft.frontend.onnx.OnnxModel;
import dev.weft.frontend.onnx.OnnxModelReader;
import dev.weft.frontend.onnx.OnnxTestData;
import dev.weft.ir.GraphBuilder;
import dev.weft.ir.Module;
import dev.weft.ir.Node;
import dev.weft.ir.Value;
import dev.weft.ir.interp.Interpreter;
import dev.weft.runtime.Bundle;
import dev.weft.runtime.Session;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * oww-hey-jarvis runs its verifier MLP (the then branch of If_32, 5 kernels in fused groups) only when the
 * wake-word score reaches 0.5, which its test input does not; CompiledModelsTest therefore only
 * exercises the else branch. Here the threshold is lowered to -1 so the then branch is taken,
 * and the compiled bundle must equal the interpreter on the same edited graph.
 */
class CompiledBranchTest {
  @TempDir Path tmp;

  @Test
  void owwVerifierBranchMatchesTheInterpreter() {
    Path models = Corpus.find("models");
    Path f = models == null ? null : models.resolve("oww-hey-jarvis/model.onnx");
    Assumptions.assumeTrue(f != null && Files.isRegularFile(f), "SKIPPED: no oww-hey-jarvis in the corpus at " + Corpus.root());
    OnnxModel model = OnnxModelReader.read(f);
    Tensor x = (Tensor) OnnxTestData.read(f.resolveSibling("test_data_set_0/input_0.pb"), model.proto().getGraph().getInput(0).getType());
    Module reference = alwaysVerify(OnnxImporter.importModel(model));
    List<Object> want = new Interpreter().run(reference.main(), List.of(x));
    Module m = alwaysVerify(OnnxImporter.importModel(model));
    List<String> names = m.main().inputs().stream().map(Value::name).toList();
    Compiler.Compilation c = Compiler.compile(m, new CompileOptions("cpu", Weft.profileOf(names, List.of(x)), null, "fp32"), null);
    var manifest = BundleOutput.write(c, tmp.resolve("oww"));
    try (Bundle b = Bundle.load(tmp.resolve("oww")); Session s = b.session("cpu")) {
      Tensor got = s.run(Map.of(manifest.inputs().get(0).name(), x)).get(manifest.outputs().get(0).name());
      assertNull(OnnxBackendRunner.compare(want.get(0), got, 1e-4, 1e-5));
      // the then branch ends in a sigmoid of its own: a different value than the else branch's score
      Tensor elseScore = (Tensor) new Interpreter().run(OnnxImporter.importModel(model).main(), List.of(x)).get(0);
      assertTrue(Math.abs(elseScore.getDouble(0) - got.getDouble(0)) > 1e-6, "the then branch ran: " + got + " vs " + elseScore);
    }
  }

  /** Replaces the 0.5 of the score comparison feeding If_32 by -1, so the condition holds for every input. */
  static Module alwaysVerify(Module m) {
    Node cmp = m.main().nodes().stream().filter(n -> n.opName().equals("greater_equal")).findFirst().orElseThrow();
    Value threshold = cmp.input(1);
    assertEquals(0.5, dev.weft.ir.Constants.valueOf(threshold).getDouble(0), "the graph is the one this test knows");
    cmp.setInput(1, new GraphBuilder(m.main()).insertBefore(cmp).constant(Tensor.scalar(DType.F32, -1)));
    return m;
  }
}
