package dev.weft.frontend.torchscript;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import dev.weft.bundle.DType;
import dev.weft.bundle.Tensor;
import dev.weft.frontend.onnx.OnnxModelReader;
import dev.weft.frontend.onnx.OnnxTensors;
import dev.weft.frontend.onnx.proto.OnnxProto.TensorProto;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * Every TorchScript archive of the corpus, checked against PyTorch's own printed graphs
 * ({@code *.graph.txt}: the module class names), the archived code ({@code *.code.txt}) and the
 * ONNX exports of the same models (parameter shapes and bytes).
 */
class TorchArchiveCorpusTest {
  private static final Pattern SELF = Pattern.compile("^graph\\(%self[.0-9]* : (\\S+),");
  private static final Pattern GET_ATTR =
      Pattern.compile("%\\S+ : (__torch__\\.\\S+) = prim::GetAttr\\[name=\"(\\w+)\"\\]");

  static List<Path> archives() {
    List<Path> a = CorpusArchives.archives();
    assumeFalse(a.isEmpty(), "SKIPPED: corpus models not found (weft.corpus=" + CorpusArchives.corpus() + ")");
    return a;
  }

  @TestFactory
  Stream<DynamicTest> everyArchiveOpens() {
    return archives().stream().map(p -> DynamicTest.dynamicTest(p.getParent().getFileName() + "/" + p.getFileName(),
        () -> checkArchive(p)));
  }

  private static void checkArchive(Path pt) throws IOException {
    String stem = pt.getFileName().toString().replaceFirst("\\.pt$", "");
    String variant = stem.substring(stem.lastIndexOf('_') + 1); // traced, scripted, frozen
    Path dir = pt.getParent();
    try (TorchArchive a = TorchArchive.open(pt)) {
      assertEquals(stem, a.rootFolder());
      assertTrue(a.formatVersion() >= 3 && a.formatVersion() <= 10, "version " + a.formatVersion());
      ScriptObject top = assertInstanceOf(ScriptObject.class, a.data());
      List<String> graph = Files.readAllLines(dir.resolve(variant + ".graph.txt"));
      Matcher self = SELF.matcher(graph.getFirst());
      assertTrue(self.find(), graph.getFirst());
      assertEquals(self.group(1), top.className());

      // Each submodule the graph fetches exists in data.pkl with the class the graph says.
      Map<String, List<String>> classesByAttr = new TreeMap<>();
      collectClasses(top, classesByAttr, 0);
      for (String line : graph) {
        Matcher m = GET_ATTR.matcher(line);
        if (m.find()) {
          List<String> seen = classesByAttr.getOrDefault(m.group(2), List.of());
          assertTrue(seen.contains(m.group(1)), "attribute " + m.group(2) + " of class " + m.group(1) + ", saw " + seen);
        }
      }

      // Every class in data.pkl has its code file; the top forward matches the printed code.
      for (List<String> classes : classesByAttr.values()) {
        for (String c : classes) assertTrue(a.code().containsKey(codePath(c)), "code for " + c + " in " + a.code().keySet());
      }
      assertTrue(a.code().containsKey(codePath(top.className())));
      // code.txt is the top forward as PyTorch re-prints it after loading (not byte-identical to the
      // archived source): the archived class has a forward using the same self attributes.
      String topCode = a.code().get(codePath(top.className()));
      assertTrue(topCode.contains("def forward(self"), "archived code has a forward");
      Matcher sa = Pattern.compile("self\\.(\\w+)").matcher(Files.readString(dir.resolve(variant + ".code.txt")));
      while (sa.find()) {
        assertTrue(topCode.contains("self." + sa.group(1)), "archived code uses self." + sa.group(1));
        assertTrue(top.attributes().containsKey(sa.group(1)), "data.pkl has attribute " + sa.group(1));
      }
      assertTrue(a.debugInfo(codePath(top.className())).isEmpty(), "corpus archives have no .debug_pkl");

      // Constants: CONSTANTS.cN referenced by the code exist.
      Matcher cm = Pattern.compile("CONSTANTS\\.c(\\d+)").matcher(String.join("\n", a.code().values()));
      while (cm.find()) assertTrue(Integer.parseInt(cm.group(1)) < a.constants().size(), "CONSTANTS.c" + cm.group(1));

      // Parameters agree with the ONNX export of the same model, where it kept their names.
      Map<String, Tensor> params = new LinkedHashMap<>();
      collectTensors(top, "", params);
      if (!variant.equals("frozen")) assertFalse(params.isEmpty(), "no parameters found");
      compareWithOnnx(dir, params);
    }
  }

  private static String codePath(String className) {
    String module = className.substring(0, className.lastIndexOf('.'));
    return module.replace('.', '/') + ".py";
  }

  private static void collectClasses(ScriptObject o, Map<String, List<String>> out, int depth) {
    assertTrue(depth < 50);
    for (Map.Entry<String, Object> e : o.attributes().entrySet()) {
      if (e.getValue() instanceof ScriptObject child) {
        out.computeIfAbsent(e.getKey(), k -> new ArrayList<>()).add(child.className());
        collectClasses(child, out, depth + 1);
      }
    }
  }

  private static void collectTensors(ScriptObject o, String prefix, Map<String, Tensor> out) {
    for (Map.Entry<String, Object> e : o.attributes().entrySet()) {
      if (e.getValue() instanceof ScriptObject child) collectTensors(child, prefix + e.getKey() + ".", out);
      else if (e.getValue() instanceof Tensor t) out.put(prefix + e.getKey(), t);
    }
  }

  private static void compareWithOnnx(Path dir, Map<String, Tensor> params) throws IOException {
    Path onnx;
    try (Stream<Path> s = Files.list(dir)) {
      // Prefer an export without BatchNorm folding: it keeps more parameters by name.
      onnx = s.filter(p -> p.toString().endsWith(".onnx"))
          .sorted(java.util.Comparator.comparing((Path p) -> !p.toString().contains("nofold")).thenComparing(p -> p))
          .findFirst().orElse(null);
    }
    if (onnx == null) return;
    int matched = 0;
    for (TensorProto init : OnnxModelReader.read(onnx).proto().getGraph().getInitializerList()) {
      Tensor p = params.get(init.getName());
      if (p == null) continue;
      Tensor expected = OnnxTensors.decode(init, init.getName());
      assertArrayEquals(expected.shape(), p.shape(), init.getName());
      assertEquals(expected.dtype(), p.dtype(), init.getName());
      assertTrue(expected.contentEquals(p), "bytes of " + init.getName());
      matched++;
    }
    System.out.println(dir.getFileName() + ": " + matched + " parameters equal to " + onnx.getFileName());
  }

  @Test
  void mlpParameters() {
    Path pt = CorpusArchives.models() == null ? null : CorpusArchives.models().resolve("mlp/mlp_traced.pt");
    assumeFalse(pt == null || !Files.exists(pt), "SKIPPED: corpus mlp not found");
    try (TorchArchive a = TorchArchive.open(pt)) {
      ScriptObject top = (ScriptObject) a.data();
      assertEquals("__torch__.MLP", top.className());
      assertEquals(Boolean.FALSE, top.attr("training").orElseThrow());
      long[][] weights = {{256, 128}, {256, 256}, {10, 256}};
      for (int i = 0; i < 3; i++) {
        ScriptObject fc = (ScriptObject) top.attr("fc" + (i + 1)).orElseThrow();
        assertTrue(fc.className().startsWith("__torch__.torch.nn.modules.linear."), fc.className());
        Tensor w = (Tensor) fc.attr("weight").orElseThrow();
        Tensor b = (Tensor) fc.attr("bias").orElseThrow();
        assertEquals(DType.F32, w.dtype());
        assertArrayEquals(weights[i], w.shape());
        assertArrayEquals(new long[] {weights[i][0]}, b.shape());
      }
      assertEquals(List.of(), a.constants());
    }
  }

  @Test
  void frozenConvBnConstants() {
    Path pt = CorpusArchives.models() == null ? null : CorpusArchives.models().resolve("convbn/convbn_frozen.pt");
    assumeFalse(pt == null || !Files.exists(pt), "SKIPPED: corpus convbn not found");
    try (TorchArchive a = TorchArchive.open(pt)) {
      ScriptObject top = (ScriptObject) a.data();
      assertTrue(top.attributes().isEmpty(), "a frozen module keeps no attributes");
      assertEquals(3, a.formatVersion());
      // From frozen.code.txt: conv2d(x, c0, c1, ...), 3 convs then linear(c6, c7).
      assertEquals(8, a.constants().size());
      long[][] shapes = {{16, 3, 3, 3}, {16}, {32, 16, 3, 3}, {32}, {32, 1, 3, 3}, {32}};
      for (int i = 0; i < shapes.length; i++) {
        assertArrayEquals(shapes[i], ((Tensor) a.constants().get(i)).shape(), "c" + i);
      }
      assertEquals(2, ((Tensor) a.constants().get(6)).rank());
    }
  }
}
