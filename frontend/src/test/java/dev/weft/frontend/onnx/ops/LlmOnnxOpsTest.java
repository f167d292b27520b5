package dev.weft.frontend.onnx.ops;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.weft.bundle.DType;
import dev.weft.bundle.Tensor;
import dev.weft.frontend.onnx.OnnxBackendRunner;
import dev.weft.frontend.onnx.proto.OnnxProto.AttributeProto;
import dev.weft.ir.Shape;
import dev.weft.ir.TensorType;
import dev.weft.ir.Value;
import dev.weft.ir.interp.Interpreter;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** The LLM-block lowerings on tiny hand-computed cases, and their ONNX backend node tests. */
class LlmOnnxOpsTest {
  /** Lowers op on constant-free graph inputs and runs the result. */
  static List<Tensor> run(String op, int opset, int outputs, List<Tensor> inputs, AttributeProto... attrs) {
    ShapeOnnxOpsTest.Ctx c = new ShapeOnnxOpsTest.Ctx();
    List<Value> ins = new ArrayList<>();
    List<Object> args = new ArrayList<>();
    for (int i = 0; i < inputs.size(); i++) {
      Tensor t = inputs.get(i);
      if (t == null) {
        ins.add(null);
        continue;
      }
      ins.add(c.g.addInput("x" + i, new TensorType(t.dtype(), Shape.of(t.shape()))));
      args.add(t);
    }
    for (Value v : ShapeOnnxOpsTest.lower(c, op, opset, ins, outputs, attrs)) c.g.addOutput(v);
    List<Tensor> res = new ArrayList<>();
    for (Object o : new Interpreter().run(c.g, args)) res.add((Tensor) o);
    return res;
  }

  static Tensor f(long[] shape, double... v) { return Tensor.of(DType.F32, shape, v); }

  static long[] s(long... d) { return d; }

  static AttributeProto intAttr(String name, long v) {
    return AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.INT).setI(v).build();
  }

  static AttributeProto strAttr(String name, String v) {
    return AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.STRING)
        .setS(com.google.protobuf.ByteString.copyFromUtf8(v)).build();
  }

  static void assertTensor(Tensor t, long[] shape, double... expected) {
    assertArrayEquals(shape, t.shape());
    for (int i = 0; i < expected.length; i++) assertEquals(expected[i], t.getDouble(i), 1e-5, "element " + i);
  }

  @Test
  void swiglu() {
    // 1 * sigmoid(1) * 3 and -2 * sigmoid(-2) * 0.5.
    Tensor y = run("SwiGLU", 28, 1, List.of(f(s(2), 1, -2), f(s(2), 3, 0.5))).get(0);
    assertTensor(y, s(2), 0.73105858 * 3, -2 * 0.11920292 * 0.5);
  }

  @Test
  void tensorScatterCircularWrapsPerBatch() {
    // Batch 0 writes 1, 2 at 1, 2; batch 1 writes 3, 4 at 3, then 0 (wrapped).
    Tensor past = Tensor.zeros(DType.F32, 2, 4, 1);
    Tensor y = run("TensorScatter", 24, 1, List.of(past, f(s(2, 2, 1), 1, 2, 3, 4), Tensor.ofLongs(s(2), 1, 3)),
        strAttr("mode", "circular")).get(0);
    assertTensor(y, s(2, 4, 1), 0, 1, 2, 0, 4, 0, 0, 3);
  }

  @Test
  void rotaryEmbeddingHalvesAndInterleaved() {
    // cos = [0, 1], sin = [1, 0]: halves x1 = [1, 2], x2 = [3, 4] give real [-3, 2], imag [1, 4];
    // interleaved x1 = [1, 3], x2 = [2, 4] give real [-2, 3], imag [1, 4], re-interleaved.
    List<Tensor> in = List.of(f(s(1, 1, 1, 4), 1, 2, 3, 4), f(s(1, 2), 0, 1), f(s(1, 2), 1, 0), Tensor.ofLongs(s(1, 1), 0));
    assertTensor(run("RotaryEmbedding", 23, 1, in).get(0), s(1, 1, 1, 4), -3, 2, 1, 4);
    assertTensor(run("RotaryEmbedding", 23, 1, in, intAttr("interleaved", 1)).get(0), s(1, 1, 1, 4), -2, 1, 3, 4);
  }

  @Test
  void rotaryEmbeddingLeavesFeaturesPastTheRotaryDim() {
    // rotary dim 2 of 4: x1 = 1, x2 = 2 with cos 0, sin 1 -> [-2, 1], then 3, 4 unchanged.
    List<Tensor> in = List.of(f(s(1, 1, 1, 4), 1, 2, 3, 4), f(s(1, 1, 1), 0), f(s(1, 1, 1), 1));
    assertTensor(run("RotaryEmbedding", 23, 1, in, intAttr("rotary_embedding_dim", 2)).get(0), s(1, 1, 1, 4), -2, 1, 3, 4);
  }

  @Test
  void causalConvWithAndWithoutState() {
    // weight [10, 1]: out[t] = 10 p[t] + p[t+1] over the padded input [state, 1, 2, 3].
    Tensor x = f(s(1, 1, 3), 1, 2, 3), w = f(s(1, 1, 2), 10, 1);
    List<Tensor> r = run("CausalConvWithState", 27, 2, List.of(x, w));
    assertTensor(r.get(0), s(1, 1, 3), 1, 12, 23);
    assertTensor(r.get(1), s(1, 1, 1), 3);
    List<Tensor> withState = new ArrayList<>(List.of(x, w));
    withState.add(null);
    withState.add(f(s(1, 1, 1), 5));
    assertTensor(run("CausalConvWithState", 27, 2, withState).get(0), s(1, 1, 3), 51, 12, 23);
    // SiLU: 1 * sigmoid(1).
    Tensor silu = run("CausalConvWithState", 27, 2, List.of(f(s(1, 1, 1), 1), f(s(1, 1, 1), 1)), strAttr("activation", "silu")).get(0);
    assertTensor(silu, s(1, 1, 1), 0.73105858);
  }

  private static final Pattern OURS = Pattern.compile("^test_(attention|rotary_embedding|causal_conv_with_state|swiglu|tensorscatter"
      + "|flexattention|linear_attention)");

  @Test
  void nodeTestsPass() throws IOException {
    Path corpus = Path.of(System.getProperty("weft.corpus", "../shared/corpus"), "onnx-backend", "node");
    assumeTrue(Files.isDirectory(corpus), "corpus not found at " + corpus);
    List<Path> dirs;
    try (Stream<Path> st = Files.list(corpus)) {
      dirs = st.filter(p -> OURS.matcher(p.getFileName().toString()).find()).sorted().toList();
    }
    List<String> notPassing = new ArrayList<>();
    int passed = 0;
    for (Path d : dirs) {
      for (OnnxBackendRunner.Result r : OnnxBackendRunner.runTestDir(d)) {
        if (r.status() == OnnxBackendRunner.Status.PASS) passed++;
        else notPassing.add(r.line());
      }
    }
    assertEquals(List.of(), notPassing);
    assertTrue(passed >= 250, "only " + passed + " of " + dirs.size() + " node tests passed");
  }
}
