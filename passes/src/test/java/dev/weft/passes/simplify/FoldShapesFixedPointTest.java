package dev.weft.passes.simplify;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.weft.frontend.onnx.OnnxCoverage;
import dev.weft.frontend.onnx.OnnxImporter;
import dev.weft.frontend.onnx.OnnxModel;
import dev.weft.frontend.onnx.OnnxModelReader;
import dev.weft.ir.Module;
import dev.weft.ir.text.WirParser;
import dev.weft.ir.text.WirPrinter;
import dev.weft.passes.PassManager;
import dev.weft.passes.TypeRefiner;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * fold-shapes sweeps once in schedule order and re-infers only nodes whose operands changed or
 * whose results are not yet static. That must reach the same fixed point the old exhaustive
 * rounds did: after it, a full re-inference of every node ({@link TypeRefiner#refine(dev.weft.ir.Graph)})
 * learns nothing more, and a second run changes nothing.
 */
class FoldShapesFixedPointTest {
  static Path corpus() {
    String c = System.getProperty("weft.corpus");
    Path p = c == null ? null : Path.of(c);
    assumeTrue(p != null && Files.isDirectory(p), "corpus not found at " + p);
    return p;
  }

  @TestFactory
  Stream<DynamicTest> corpusModels() throws IOException {
    Path models = corpus().resolve("models");
    List<Path> files;
    try (Stream<Path> s = Files.walk(models, 2)) {
      files = s.filter(p -> p.toString().endsWith(".onnx")).sorted().toList();
    }
    assertFalse(files.isEmpty());
    return files.stream().map(f -> DynamicTest.dynamicTest(models.relativize(f).toString(), () -> {
      OnnxModel model = OnnxModelReader.read(f);
      assumeTrue(OnnxCoverage.scan(model.proto()).fullySupported(), "unsupported ops");
      checkFixedPoint(OnnxImporter.importModel(model));
    }));
  }

  /** An if whose branch reshape target becomes constant: the holder's result type improves in a later round. */
  @Test
  void subgraphResultsFlowOut() {
    Module m = new WirParser().parse("""
        graph @outer(%x: f32[2,3], %c: bool[]) -> (%y) {
          %y = if(%c) {
            then_branch = graph @t() -> (%a) {
              %s = shape_of(%x)
              %t = reduce_prod(%s) {keepdims = 1}
              %a = reshape(%x, %t)
            },
            else_branch = graph @e() -> (%b) {
              %b = reshape(%x) {shape = [6]}
            }
          }
        }
        """);
    checkFixedPoint(m);
    String text = WirPrinter.toText(m);
    assertTrue(text.contains("%y: f32[6] = if(%c)"), text);
  }

  private static void checkFixedPoint(Module m) {
    PassManager.parse("fold-shapes").run(m);
    String once = WirPrinter.toText(m);
    assertEquals(0, TypeRefiner.refine(m.main()), "full re-inference still refined types after fold-shapes");
    boolean again = PassManager.parse("fold-shapes").run(m).changed();
    assertFalse(again, "a second fold-shapes run changed the module");
    assertEquals(once, WirPrinter.toText(m));
  }
}
