package dev.weft.codegen.lower;

import dev.weft.bundle.DType;
import dev.weft.bundle.Tensor;
import dev.weft.frontend.onnx.OnnxImporter;
import dev.weft.frontend.onnx.OnnxModel;
import dev.weft.frontend.onnx.OnnxModelReader;
import dev.weft.frontend.onnx.OnnxTestData;
import dev.weft.ir.Graph;
import dev.weft.ir.GraphBuilder;
import dev.weft.passes.PassManager;
import dev.weft.passes.TypeRefiner;
import dev.weft.ir.Module;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * The ONNX backend node tests of the compute ops, imported and lowered as one closed graph, the
 * kernels run by the evaluator and compared with the interpreter on the test's own inputs
 * (rtol 1e-4, atol 1e-5; f16/bf16 results: 2 ulps). A test whose graph needs an op no library lowers (a layout op, say) is
 * skipped, naming the op.
 */
class OnnxNodeLoweringTest {
  static final Path NODE = Path.of(System.getProperty("weft.corpus", "/work/shared/corpus"), "onnx-backend", "node");

  /** Node tests of the ops these lowerings cover (expanded variants exercise the same ops through ONNX functions). */
  static final Pattern OPS = Pattern.compile("test_(reduce_(sum|max|min|prod|mean|log_sum_exp)|matmul|matmulinteger|conv|convtranspose"
      + "|maxpool|averagepool|lppool|globalaveragepool|globalmaxpool|softmax|logsoftmax|layer_normalization|rms_normalization"
      + "|group_normalization|instancenorm|mvn|lpnormalization|attention|quantizelinear|dequantizelinear|dynamicquantizelinear"
      + "|lstm|gru|rnn|simple_rnn|gelu|hardsigmoid|hardswish|leakyrelu|elu|selu|celu|softplus|softsign|mish|prelu|clip|thresholdedrelu|shrink)(_.*)?");

  @TestFactory
  List<DynamicTest> nodeTests() throws IOException {
    List<DynamicTest> out = new ArrayList<>();
    if (!Files.isDirectory(NODE)) {
      out.add(DynamicTest.dynamicTest("corpus", () -> Assumptions.assumeTrue(false, "SKIPPED: no ONNX node tests at " + NODE)));
      return out;
    }
    try (Stream<Path> s = Files.list(NODE)) {
      for (Path dir : s.sorted().toList()) {
        if (OPS.matcher(dir.getFileName().toString()).matches()) out.add(DynamicTest.dynamicTest(dir.getFileName().toString(), () -> run(dir)));
      }
    }
    return out;
  }

  /** Runs one node test; returns the interpreter's results the kernels matched (null when skipped). */
  static List<Tensor> run(Path dir) throws IOException {
    Path modelFile = dir.resolve("model.onnx");
    Path set = dir.resolve("test_data_set_0");
    Assumptions.assumeTrue(Files.isRegularFile(modelFile) && Files.isDirectory(set), "SKIPPED: no model.onnx / test_data_set_0");
    Module module;
    try {
      OnnxModel model = OnnxModelReader.read(modelFile);
      module = OnnxImporter.importModel(model);
    } catch (RuntimeException e) {
      Assumptions.assumeTrue(false, "SKIPPED: the importer refuses it: " + e.getMessage());
      return null;
    }
    Graph g = module.main();
    List<Object> args = new ArrayList<>();
    for (int i = 0; i < g.inputs().size(); i++) {
      Path in = set.resolve("input_" + i + ".pb");
      Assumptions.assumeTrue(Files.isRegularFile(in), "SKIPPED: " + in + " missing");
      args.add(OnnxTestData.read(in, null));
    }
    for (Object a : args) Assumptions.assumeTrue(a instanceof Tensor, "SKIPPED: a non-tensor input");
    specializeShapeOperands(module, args);
    try {
      return LoweringCheck.checkGraph(LoweringCheck.EVALUATOR, g, args, rtol(g), 1e-5);
    } catch (LoweringException e) {
      String m = e.getMessage();
      Assumptions.assumeFalse(m.contains("no kernel lowering"), "SKIPPED: " + m);
      throw e;
    }
  }

  /**
   * rtol 1e-4, or for f16/bf16 results 2 ulps of the narrow type: the interpreter rounds after
   * every op of an expanded (function body) graph, a fused kernel only when it stores.
   */
  static double rtol(Graph g) {
    double r = 1e-4;
    for (dev.weft.ir.Value v : g.outputs()) {
      if (!(v.type() instanceof dev.weft.ir.TensorType t)) continue;
      if (t.dtype() == DType.F16) r = Math.max(r, 2e-3);
      if (t.dtype() == DType.BF16) r = Math.max(r, 1.6e-2);
    }
    return r;
  }

  /**
   * ONNX node tests pass axes and shapes as graph inputs; kernels are specialized on static
   * shapes, so (as a compile with fixed inputs would) small i64 inputs become constants, and
   * shape chains are folded so the result types become static. The inputs stay declared, unused.
   * Recurrent nodes are unrolled into their steps, as the default pipeline does.
   */
  static void specializeShapeOperands(Module module, List<Object> args) {
    Graph g = module.main();
    if (g.nodes().isEmpty()) return;
    GraphBuilder b = new GraphBuilder(g).insertBefore(g.nodes().get(0));
    boolean changed = false;
    for (int i = 0; i < g.inputs().size(); i++) {
      Tensor t = (Tensor) args.get(i);
      if (t.dtype() != DType.I64 || t.size() > 16) continue;
      g.inputs().get(i).replaceAllUsesWith(b.constant(t));
      changed = true;
    }
    // Folding a shape chain can make more dims static, which lets the next round fold further.
    for (int round = 0; round < 6; round++) {
      boolean folded = PassManager.parse("fold-shapes,unroll-recurrent,constant-fold,dce").run(module).changed();
      int refined = TypeRefiner.refine(g);
      if (!folded && refined == 0 && !changed) break;
      changed = false;
    }
  }
}
