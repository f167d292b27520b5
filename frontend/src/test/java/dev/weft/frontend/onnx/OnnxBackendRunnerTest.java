package dev.weft.frontend.onnx;

import static dev.weft.frontend.onnx.Protos.node;
import static dev.weft.frontend.onnx.Protos.tensorInfo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.weft.bundle.DType;
import dev.weft.bundle.Tensor;
import dev.weft.frontend.onnx.proto.OnnxProto.GraphProto;
import dev.weft.frontend.onnx.proto.OnnxProto.TypeProto;
import dev.weft.ir.interp.OptionalValue;
import dev.weft.ir.interp.SequenceValue;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OnnxBackendRunnerTest {
  @TempDir Path tmp;

  private static String cmp(Object e, Object a) { return OnnxBackendRunner.compare(e, a, 1e-3, 1e-7); }

  private static Tensor f32(float... v) { return Tensor.ofFloats(new long[] {v.length}, v); }

  @Test
  void onnxComparisonRule() {
    assertNull(cmp(f32(1000f, Float.NaN, Float.POSITIVE_INFINITY), f32(1000.9f, Float.NaN, Float.POSITIVE_INFINITY)));
    String d = cmp(f32(1000f, 2f), f32(1001.5f, 2f));  // 1.5 > 1e-7 + 1e-3 * 1000
    assertTrue(d.contains("1 of 2 elements differ") && d.contains("max abs error 1.5 at index 0"), d);
    assertTrue(cmp(f32(Float.NaN), f32(0f)).contains("differ"));
    assertTrue(cmp(f32(Float.POSITIVE_INFINITY), f32(Float.MAX_VALUE)).contains("differ"));
    assertTrue(cmp(f32(Float.POSITIVE_INFINITY), f32(Float.NEGATIVE_INFINITY)).contains("differ"));
    assertTrue(cmp(f32(1f), Tensor.ofDoubles(new long[] {1}, 1)).contains("dtype f64, expected f32"));
    assertTrue(cmp(f32(1f, 2f), Tensor.ofFloats(new long[] {2, 1}, 1, 2)).contains("shape [2, 1], expected [2]"));
    assertTrue(cmp(Tensor.ofLongs(new long[] {1}, 5), Tensor.ofLongs(new long[] {1}, 6)).contains("expected 5, got 6"));
    assertTrue(cmp(Tensor.ofStrings(new long[] {1}, "a"), Tensor.ofStrings(new long[] {1}, "b")).contains("expected 'a', got 'b'"));
    assertNull(cmp(new SequenceValue(List.of(f32(1))), new SequenceValue(List.of(f32(1)))));
    assertTrue(cmp(new SequenceValue(List.of(f32(1))), new SequenceValue(List.of())).contains("sequence length 0"));
    assertNull(cmp(OptionalValue.EMPTY, OptionalValue.EMPTY));
    assertTrue(cmp(OptionalValue.EMPTY, new OptionalValue(f32(1))).contains("optional is present"));
    assertTrue(cmp(f32(1), new SequenceValue(List.of())).contains("expected a tensor"));
  }

  @Test
  void testDataRoundTripsForEveryContainer() throws IOException {
    Tensor t = Tensor.of(DType.F16, new long[] {2}, 1.5, -2);
    SequenceValue s = new SequenceValue(List.of(f32(1), Tensor.ofLongs(new long[] {0})));
    TypeProto seqType = TypeProto.newBuilder().setSequenceType(TypeProto.Sequence.newBuilder().setElemType(tensorInfo("", 1).getType())).build();
    TypeProto optType = TypeProto.newBuilder().setOptionalType(TypeProto.Optional.newBuilder().setElemType(tensorInfo("", 1).getType())).build();
    OnnxTestData.write(tmp.resolve("t.pb"), t, "t");
    OnnxTestData.write(tmp.resolve("s.pb"), s, "s");
    OnnxTestData.write(tmp.resolve("o.pb"), new OptionalValue(f32(3)), "o");
    OnnxTestData.write(tmp.resolve("e.pb"), OptionalValue.EMPTY, "e");
    assertTrue(t.contentEquals(OnnxTestData.readTensor(tmp.resolve("t.pb"))));
    assertNull(cmp(s, OnnxTestData.read(tmp.resolve("s.pb"), seqType)));
    assertNull(cmp(new OptionalValue(f32(3)), OnnxTestData.read(tmp.resolve("o.pb"), optType)));
    assertNull(cmp(OptionalValue.EMPTY, OnnxTestData.read(tmp.resolve("e.pb"), optType)));
  }

  /** A backend-test directory made by hand: y = Identity(x). */
  private Path makeTest(String name, GraphProto g, Tensor in, Tensor out) throws IOException {
    Path dir = Files.createDirectories(tmp.resolve(name));
    Files.write(dir.resolve("model.onnx"), Protos.model(g, 13).toByteArray());
    Path set = Files.createDirectories(dir.resolve("test_data_set_0"));
    OnnxTestData.write(set.resolve("input_0.pb"), in, "x");
    OnnxTestData.write(set.resolve("output_0.pb"), out, "y");
    return dir;
  }

  @Test
  void runsTestDirectories() throws IOException {
    GraphProto id = GraphProto.newBuilder().setName("g").addInput(tensorInfo("x", 1, 2))
        .addNode(node("n", "Identity", List.of("x"), List.of("y"))).addOutput(tensorInfo("y", 1, 2)).build();
    var pass = OnnxBackendRunner.runTestDir(makeTest("test_ok", id, f32(1, 2), f32(1, 2)));
    assertEquals(OnnxBackendRunner.Status.PASS, pass.get(0).status());
    assertEquals("PASS  test_ok", pass.get(0).line());

    var fail = OnnxBackendRunner.runTestDir(makeTest("test_bad", id, f32(1, 2), f32(1, 3))).get(0);
    assertEquals(OnnxBackendRunner.Status.FAIL, fail.status());
    assertTrue(fail.reason().contains("test_data_set_0 output 0 ('y'): 1 of 2 elements differ"), fail.reason());

    GraphProto unknown = id.toBuilder().setNode(0, node("n", "Frobnicate", List.of("x"), List.of("y"))).build();
    var unsup = OnnxBackendRunner.runTestDir(makeTest("test_unsup", unknown, f32(1, 2), f32(1, 2))).get(0);
    assertEquals(OnnxBackendRunner.Status.UNSUPPORTED, unsup.status());
    assertTrue(unsup.reason().contains("Frobnicate-13"), unsup.reason());

    Path broken = makeTest("test_broken", id, f32(1, 2), f32(1, 2));
    Files.write(broken.resolve("model.onnx"), new byte[] {1, 2, 3});
    var err = OnnxBackendRunner.runTestDir(broken).get(0);
    assertEquals(OnnxBackendRunner.Status.FAIL, err.status());
    assertTrue(err.reason().contains("model.onnx"), err.reason());
  }

  /** The corpus, when given: -Dweft.corpus=/path/to/corpus. */
  @Test
  void corpusIdentityAndConstantTests() {
    String corpus = System.getProperty("weft.corpus");
    assumeTrue(corpus != null && Files.isDirectory(Path.of(corpus, "onnx-backend", "node")));
    for (String t : List.of("test_identity", "test_identity_opt", "test_identity_sequence", "test_constant")) {
      var r = OnnxBackendRunner.runTestDir(Path.of(corpus, "onnx-backend", "node", t)).get(0);
      assertEquals(OnnxBackendRunner.Status.PASS, r.status(), r.line());
    }
  }
}
