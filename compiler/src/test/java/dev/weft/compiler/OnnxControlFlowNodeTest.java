package dev.weft.compiler;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.bundle.Tensor;
import dev.weft.codegen.lower.LoweringException;
import dev.weft.frontend.onnx.OnnxImporter;
import dev.weft.frontend.onnx.OnnxModel;
import dev.weft.frontend.onnx.OnnxModelReader;
import dev.weft.frontend.onnx.OnnxTestData;
import dev.weft.ir.Module;
import dev.weft.ir.Value;
import dev.weft.passes.PassManager;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * The ONNX backend node tests of If and Loop, compiled the way weft compile does (default
 * pipeline, program lowering, arena plan) and run by {@link ProgramEvaluator} on the test's own
 * inputs against its expected outputs (ONNX's rtol 1e-3, atol 1e-7). Tests whose results have
 * data-dependent shapes (a loop's trip count from an input) or optional/sequence values cannot be
 * specialized to static kernels and are skipped, saying why.
 */
class OnnxControlFlowNodeTest {
  static final Path NODE = Path.of(System.getProperty("weft.corpus", "/work/shared/corpus"), "onnx-backend", "node");

  @TestFactory
  List<DynamicTest> nodeTests() throws IOException {
    List<DynamicTest> out = new ArrayList<>();
    if (!Files.isDirectory(NODE)) {
      out.add(DynamicTest.dynamicTest("corpus", () -> Assumptions.assumeTrue(false, "SKIPPED: no ONNX node tests at " + NODE)));
      return out;
    }
    try (Stream<Path> s = Files.list(NODE)) {
      for (Path dir : s.sorted().toList()) {
        String name = dir.getFileName().toString();
        if (name.matches("test_(if|loop)(\\d+)?(_.*)?|test_range_.*_expanded")) out.add(DynamicTest.dynamicTest(name, () -> run(dir)));
      }
    }
    return out;
  }

  /**
   * Scalar inputs (trip counts, conditions, Range's start/limit/delta) become constants, as a
   * compile for these fixed inputs would see them: kernels are specialized on static shapes, and
   * a loop's result shape follows from a known trip count. The loop itself still runs in the
   * program (nodes holding subgraphs are never folded); the inputs stay declared, unused.
   */
  static void specializeScalars(Module module, Map<String, Tensor> inputs) {
    dev.weft.ir.Graph g = module.main();
    if (g.nodes().isEmpty()) return;
    dev.weft.ir.GraphBuilder b = new dev.weft.ir.GraphBuilder(g).insertBefore(g.nodes().get(0));
    for (Value in : g.inputs()) {
      Tensor t = inputs.get(in.name());
      if (t.size() == 1 && t.rank() == 0) in.replaceAllUsesWith(b.constant(t));
    }
    dev.weft.passes.TypeRefiner.refine(g);
  }

  static void run(Path dir) throws IOException {
    Path set = dir.resolve("test_data_set_0");
    OnnxModel model;
    Module module;
    try {
      model = OnnxModelReader.read(dir.resolve("model.onnx"));
      module = OnnxImporter.importModel(model);
    } catch (RuntimeException e) {
      Assumptions.assumeTrue(false, "SKIPPED: the importer refuses it: " + e.getMessage());
      return;
    }
    Map<String, Tensor> inputs = new LinkedHashMap<>();
    for (int i = 0; i < module.main().inputs().size(); i++) {
      Object t = OnnxTestData.read(set.resolve("input_" + i + ".pb"), model.proto().getGraph().getInput(i).getType());
      Assumptions.assumeTrue(t instanceof Tensor, "SKIPPED: input " + i + " is not a tensor");
      inputs.put(module.main().inputs().get(i).name(), (Tensor) t);
    }
    for (Value v : module.main().outputs()) {
      Assumptions.assumeTrue(v.type() instanceof dev.weft.ir.TensorType, "SKIPPED: output " + v.name() + " is " + v.type());
    }
    specializeScalars(module, inputs);
    PassManager.parse(PassManager.DEFAULT_PIPELINE).run(module);
    dev.weft.passes.TypeRefiner.refine(module.main());
    ProgramLowering.Result lowered;
    try {
      lowered = ProgramLowering.lower(module.main(), LoweringOptions.host());
    } catch (LoweringException e) {
      Assumptions.assumeFalse(e.getMessage().contains("dynamic shape"), "SKIPPED (data-dependent shape): " + e.getMessage());
      throw e;
    }
    ArenaPlanner.Plan plan = ArenaPlanner.plan(lowered.buffers(), lowered.steps());
    Map<String, Tensor> got = ProgramEvaluator.run(lowered, plan, inputs);
    List<Value> outs = module.main().outputs();
    for (int i = 0; i < outs.size(); i++) {
      Tensor want = (Tensor) OnnxTestData.read(set.resolve("output_" + i + ".pb"), model.proto().getGraph().getOutput(i).getType());
      Tensor g = got.get(outs.get(i).name());
      assertTrue(g != null, "output " + outs.get(i).name() + " in " + got.keySet());
      assertArrayEquals(want.shape(), g.shape(), "output " + i + " shape");
      assertEquals(want.dtype(), g.dtype());
      for (long k = 0; k < want.size(); k++) {
        double e = want.getDouble(k);
        assertTrue(Math.abs(e - g.getDouble(k)) <= 1e-7 + 1e-3 * Math.abs(e), "output " + i + " element " + k + ": " + e + " vs " + g.getDouble(k));
      }
    }
  }
}
