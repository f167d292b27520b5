package dev.weft.frontend.torchscript;

import static org.junit.jupiter.api.Assertions.*;

import dev.weft.bundle.Tensor;
import dev.weft.frontend.onnx.OnnxTestData;
import dev.weft.ir.Module;
import dev.weft.ir.Node;
import dev.weft.ir.Shape;
import dev.weft.ir.TensorType;
import dev.weft.ir.Verifier;
import dev.weft.ir.interp.Interpreter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Every TorchScript archive of the corpus imports, verifies and reproduces its oracle outputs
 * on the reference interpreter (rtol 1e-4, atol 1e-5), with example shapes and again with
 * symbolic batch/seq dims; and its op kinds match PyTorch's own loaded graph modulo folding.
 */
class TorchScriptModelsTest {
  static final double RTOL = 1e-4;
  static final double ATOL = 1e-5;

  /** aten op -> the IR op it must produce; absent: the lowering folds it (Python-level or layout-only). */
  static final Map<String, String> PRODUCES = new HashMap<>();

  static {
    String[][] rows = {
        {"linear", "matmul"}, {"_convolution", "conv"}, {"conv2d", "conv"}, {"batch_norm", "batch_norm"},
        {"layer_norm", "layer_norm"}, {"matmul", "matmul"}, {"softmax", "softmax"}, {"gelu", "gelu"},
        {"embedding", "gather"}, {"select", "gather"}, {"masked_fill", "select"}, {"bitwise_not", "not"},
        {"split", "split"}, {"view", "reshape"}, {"permute", "transpose"}, {"transpose", "transpose"},
        {"relu", "relu"}, {"relu_", "relu"}, {"hardtanh_", "clip"}, {"adaptive_avg_pool2d", "reduce_mean"},
        {"flatten", "reshape"}, {"unsqueeze", "unsqueeze"}, {"tanh", "tanh"}, {"arange", "iota"},
        {"zeros_like", "fill"}, {"to", "cast"}, {"rsub", "sub"}};
    for (String[] r : rows) PRODUCES.put(r[0], r[1]);
  }

  /**
   * Folded away: size/dim/len/Int/ScalarImplicit/NumToTensor/__getitem__/format (Python-level
   * shape arithmetic, constant or shape_of+gather), contiguous and dropout (layout, eval mode),
   * eq/ne/gt (input checks on static ranks), add_ (training-only counter), slice over the full
   * range, sqrt/add/mul/div/sub on Python numbers, device. Shape plumbing added by the lowering:
   * constant, shape_of, gather, concat, unsqueeze, cast.
   */
  static final Set<String> PLUMBING = Set.of("constant", "shape_of", "gather", "concat", "unsqueeze", "cast", "identity");

  static final Set<String> ELEMENTWISE = Set.of("add", "sub", "mul", "div", "slice");

  @ParameterizedTest
  @ValueSource(strings = {"mlp/mlp_traced.pt", "mlp/mlp_scripted.pt", "mlp/mlp_frozen.pt", "convbn/convbn_traced.pt",
      "convbn/convbn_scripted.pt", "convbn/convbn_frozen.pt", "gpt/gpt_traced.pt", "gpt/gpt_scripted.pt",
      "bert/bert_traced.pt", "mobilenet_v2/mobilenet_v2_traced.pt"})
  void archiveImportsAndMatchesOracle(String rel) throws Exception {
    Path models = TsCorpus.models("TorchScript archive " + rel);
    Assumptions.assumeTrue(models != null);
    Path pt = models.resolve(rel);
    Path data = pt.getParent().resolve("test_data_set_0");
    List<Object> inputs = new ArrayList<>();
    List<TensorType> types = new ArrayList<>();
    for (int i = 0; Files.exists(data.resolve("input_" + i + ".pb")); i++) {
      Tensor t = OnnxTestData.readTensor(data.resolve("input_" + i + ".pb"));
      inputs.add(t);
      types.add(new TensorType(t.dtype(), Shape.of(t.shape())));
    }
    try (TorchArchive archive = TorchArchive.open(pt)) {
      TorchScriptCoverage.Report coverage = TorchScriptCoverage.scan(archive);
      assertTrue(coverage.fullySupported(), coverage.format());
      for (boolean symbolic : new boolean[] {false, true}) {
        Module m = TorchScriptImporter.importModule(archive, pt.getFileName().toString(),
            symbolic ? TorchScriptImporter.symbolic(types) : types);
        new Verifier().verify(m);
        List<Object> outs = new Interpreter().run(m.main(), inputs);
        double maxErr = 0;
        for (int i = 0; i < outs.size(); i++) {
          Tensor want = OnnxTestData.readTensor(data.resolve("output_" + i + ".pb"));
          Tensor got = (Tensor) outs.get(i);
          assertArrayEquals(want.shape(), got.shape(), rel + " output " + i + " shape");
          for (long k = 0; k < want.size(); k++) {
            double e = want.getDouble(k);
            double g = got.getDouble(k);
            maxErr = Math.max(maxErr, Math.abs(e - g));
            if (Math.abs(e - g) > ATOL + RTOL * Math.abs(e)) fail(rel + " output " + i + "[" + k + "]: " + g + " vs " + e);
          }
        }
        assertFalse(Files.exists(data.resolve("output_" + outs.size() + ".pb")), rel + ": fewer outputs than the oracle");
        System.out.printf("[weft] %s%s: %d nodes, max abs error %.3g%n", rel, symbolic ? " (symbolic)" : "",
            m.main().nodes().size(), maxErr);
        checkOpKinds(pt, m);
      }
    }
  }

  private static void checkOpKinds(Path pt, Module m) throws Exception {
    String kind = pt.getFileName().toString().replaceAll("^.*_(traced|scripted|frozen)\\.pt$", "$1");
    Path loaded = pt.getParent().resolve(kind + ".loaded.inlined_graph.txt");
    if (!Files.exists(loaded)) loaded = pt.getParent().resolve(kind + ".inlined_graph.txt");
    Set<String> aten = new TreeSet<>();
    Matcher mt = Pattern.compile("aten::([A-Za-z_0-9]+)").matcher(Files.readString(loaded));
    while (mt.find()) aten.add(mt.group(1));
    Set<String> ir = new TreeSet<>();
    for (Node n : m.main().nodes()) ir.add(n.opName());
    for (String a : aten) {
      String want = PRODUCES.get(a);
      if (want != null) assertTrue(ir.contains(want), pt + ": aten::" + a + " should give " + want + "; got " + ir);
    }
    Set<String> explained = new TreeSet<>(PLUMBING);
    for (String a : aten) {
      if (PRODUCES.containsKey(a)) explained.add(PRODUCES.get(a));
      if (ELEMENTWISE.contains(a.replace("_", ""))) explained.add(a.replace("_", ""));
    }
    explained.add("transpose");     // linear's weight
    explained.add("add");           // linear's bias
    for (String op : ir) assertTrue(explained.contains(op), pt + ": IR op " + op + " has no aten source in " + aten);
  }
}
