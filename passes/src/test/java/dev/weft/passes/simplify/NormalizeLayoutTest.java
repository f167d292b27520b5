package dev.weft.passes.simplify;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.bundle.DType;
import dev.weft.bundle.Tensor;
import dev.weft.frontend.onnx.OnnxBackendRunner;
import dev.weft.ir.Module;
import dev.weft.ir.Node;
import dev.weft.ir.TensorType;
import dev.weft.ir.Value;
import dev.weft.ir.interp.Interpreter;
import dev.weft.ir.text.WirParser;
import dev.weft.ir.text.WirPrinter;
import dev.weft.passes.PassContext;
import dev.weft.passes.PassManager;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * normalize-layout computes what the graph computed: every case of its golden file is run by
 * the interpreter on random inputs before and after the pass (the golden file checks the text,
 * this checks the permuted constants and remapped axes numerically); and the permutation
 * arithmetic against hand-worked examples.
 */
class NormalizeLayoutTest {
  @TestFactory
  Stream<DynamicTest> goldenCasesComputeTheSame() throws IOException {
    String text;
    try (InputStream in = NormalizeLayoutTest.class.getResourceAsStream("/golden/normalize-layout.wir")) {
      text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
    String[] cases = text.split("(?m)^// -----$");
    assertTrue(cases.length >= 8);
    List<DynamicTest> tests = new ArrayList<>();
    for (int k = 0; k < cases.length; k++) {
      String body = cases[k];
      tests.add(DynamicTest.dynamicTest("case " + k, () -> {
        Module before = new WirParser().parse(body);
        Module after = new WirParser().parse(body);
        PassManager.parse("normalize-layout,dce").run(after, new PassContext());
        Random r = new Random(11);
        List<Object> args = new ArrayList<>();
        for (Value v : before.main().inputs()) args.add(random(r, (TensorType) v.type()));
        List<Object> want = new Interpreter().run(before.main(), args);
        List<Object> got = new Interpreter().run(after.main(), args);
        for (int i = 0; i < want.size(); i++) {
          assertNull(OnnxBackendRunner.compare(want.get(i), got.get(i), 1e-6, 1e-6), WirPrinter.toText(after));
        }
        assertTrue(transposes(after) <= transposes(before), "never more transposes");
      }));
    }
    return tests.stream();
  }

  @Test
  void nhwcRoundTripsLeaveTwoTransposes() {
    Module m = nhwcChain(3);
    assertEquals(6, transposes(m));
    PassContext ctx = new PassContext();
    PassManager.parse("normalize-layout,dce").run(m, ctx);
    // The way in (NHWC -> NCHW) and the way out stay; the four between the convs cancel.
    assertEquals(2, transposes(m), WirPrinter.toText(m));
    assertEquals(4, ctx.statistics().get("normalize-layout", "transposes-removed"));
  }

  /** {@code n} NHWC conv blocks, each {@code transpose -> conv -> transpose -> add(bias) -> relu}, then a sigmoid. */
  private static Module nhwcChain(int n) {
    StringBuilder s = new StringBuilder("graph @chain(%x: f32[1,5,5,2]) -> (%y) {\n");
    s.append("  %w = constant() {value = dense<f32[2,2,1,1]> [1.0, -1.0, 0.5, 2.0]}\n");
    s.append("  %bias = constant() {value = dense<f32[2]> [0.25, -0.5]}\n");
    String cur = "%x";
    for (int i = 0; i < n; i++) {
      s.append("  %a").append(i).append(" = transpose(").append(cur).append(") {perm = [0, 3, 1, 2]}\n");
      s.append("  %c").append(i).append(" = conv(%a").append(i).append(", %w)\n");
      s.append("  %b").append(i).append(" = transpose(%c").append(i).append(") {perm = [0, 2, 3, 1]}\n");
      s.append("  %d").append(i).append(" = add(%b").append(i).append(", %bias)\n");
      s.append("  %r").append(i).append(" = relu(%d").append(i).append(")\n");
      cur = "%r" + i;
    }
    s.append("  %y = sigmoid(").append(cur).append(")\n}\n");
    return new WirParser().parse(s.toString());
  }

  @Test
  void permutationArithmetic() {
    long[] p = {2, 0, 1};
    assertArrayEquals(new long[] {1, 2, 0}, Perms.inverse(p));
    assertArrayEquals(new long[] {0, 1, 2}, Perms.compose(p, Perms.inverse(p)));
    // v = transpose(w, [2,0,1]) has v-axes (w2, w0, w1); dropping v-axis 1 (w0) leaves
    // (w2, w1), i.e. axes 1 and 0 of w without axis 0: [1, 0].
    assertArrayEquals(new long[] {1, 0}, Perms.dropAxes(p, new boolean[] {false, true, false}));
    assertArrayEquals(new long[] {0, 1}, Perms.dropAxes(p, new boolean[] {true, false, false}));
  }

  @Test
  void untransposedConstants() {
    // A per-channel bias [2] of an NHWC tensor is [1,2,1,1] in NCHW: same values along C.
    Tensor bias = Tensor.ofFloats(new long[] {2}, 0.5f, -1f);
    Tensor c = Perms.untranspose(bias, new long[] {0, 2, 3, 1});
    assertArrayEquals(new long[] {1, 2, 1, 1}, c.shape());
    assertArrayEquals(new float[] {0.5f, -1f}, c.toFloatArray());
    // [[1,2,3],[4,5,6]] seen through perm [1,0] is stored as its transpose [[1,4],[2,5],[3,6]].
    Tensor m = Tensor.ofLongs(new long[] {2, 3}, 1, 2, 3, 4, 5, 6);
    Tensor t = Perms.untranspose(m, new long[] {1, 0});
    assertArrayEquals(new long[] {3, 2}, t.shape());
    assertArrayEquals(new long[] {1, 4, 2, 5, 3, 6}, t.toLongArray());
    assertEquals(DType.I64, t.dtype());
  }

  private static int transposes(Module m) {
    int n = 0;
    for (Node node : m.main().nodes()) if (node.opName().equals("transpose")) n++;
    return n;
  }

  private static Tensor random(Random r, TensorType t) {
    long[] shape = t.shape().sizes();
    Tensor x = Tensor.zeros(t.dtype(), shape);
    for (long i = 0; i < x.size(); i++) x.setDouble(i, r.nextGaussian());
    return x;
  }
}
