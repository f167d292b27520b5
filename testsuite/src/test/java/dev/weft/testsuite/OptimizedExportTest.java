package dev.weft.testsuite;

import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.frontend.onnx.OnnxBackendRunner;
import dev.weft.frontend.onnx.OnnxImporter;
import dev.weft.frontend.onnx.OnnxModel;
import dev.weft.frontend.onnx.OnnxModelReader;
import dev.weft.frontend.onnx.OnnxTestData;
import dev.weft.frontend.onnx.export.OnnxExporter;
import dev.weft.frontend.onnx.proto.OnnxProto.ModelProto;
import dev.weft.ir.Module;
import dev.weft.ir.Node;
import dev.weft.ir.interp.Interpreter;
import dev.weft.passes.PassManager;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * Any stage can be exported: GPT after the full default pipeline (fused kernels, recognized
 * attention) exports to standard ONNX, re-imports and still matches its oracle.
 */
class OptimizedExportTest {
  @Test
  void optimizedGptExportsAndStillMatchesItsOracle() {
    Path dir = Corpus.find("models/gpt");
    if (dir == null) {
      System.out.println("[weft] SKIPPED optimized export: no corpus at " + Corpus.root());
      Assumptions.abort("corpus not found");
    }
    OnnxModel original = OnnxModelReader.read(dir.resolve("gpt_opset17.onnx"));
    Module m = OnnxImporter.importModel(original);
    PassManager.parse(PassManager.DEFAULT_PIPELINE).run(m);
    assertTrue(m.main().nodes().stream().map(Node::opName).anyMatch("fused"::equals), "the pipeline fused nothing");
    ModelProto exported = OnnxExporter.export(m);
    Module back = OnnxImporter.importModel(OnnxModelReader.read(exported.toByteArray(), "gpt_optimized.onnx"));
    List<Object> inputs = new ArrayList<>();
    inputs.add(OnnxTestData.read(dir.resolve("test_data_set_0/input_0.pb"),
        original.proto().getGraph().getInput(0).getType()));
    Object actual = new Interpreter().run(back.main(), inputs).get(0);
    Object expected = OnnxTestData.readTensor(dir.resolve("test_data_set_0/output_0.pb"));
    assertNull(OnnxBackendRunner.compare(expected, actual, 1e-3, 1e-5));
  }
}
