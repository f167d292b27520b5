package dev.weft.codegen.lower;

import static dev.weft.codegen.lower.LoweringCheck.random;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.bundle.DType;
import dev.weft.bundle.Tensor;
import dev.weft.ir.Attribute;
import dev.weft.ir.Dim;
import dev.weft.ir.Graph;
import dev.weft.ir.GraphBuilder;
import dev.weft.ir.Module;
import dev.weft.ir.Shape;
import dev.weft.ir.TensorType;
import dev.weft.ir.Value;
import dev.weft.passes.PassManager;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * lstm, gru and rnn have no kernel rule: a rule computes one element as an expression of the
 * operands, and a kernel has no scratch state, so the hidden state at step t could only be an
 * expression of the whole state at t-1 (hidden_size^t work). The unroll-recurrent pass writes
 * the steps out as core ops when the sequence length is static; those lower and must agree with
 * the interpreter's reference kernel on the original node. With a symbolic length the node
 * stays, and lowering must say so, naming the dim, never fake it.
 */
class RecurrentOpsTest {
  @ParameterizedTest
  @CsvSource({"lstm,4,forward", "gru,3,reverse", "rnn,1,bidirectional", "lstm,4,bidirectional", "gru,3,forward"})
  void staticLengthLowersAfterUnrolling(String op, int gates, String direction) {
    long h = 3;
    int dirs = direction.equals("bidirectional") ? 2 : 1;
    Graph g = new Graph("check_" + op);
    List<Object> args = new ArrayList<>();
    List<Value> ins = new ArrayList<>();
    Tensor[] ts = {random(DType.F32, 1, 1, 2, 2, 4), random(DType.F32, 2, 1, dirs, gates * h, 4), random(DType.F32, 3, 1, dirs, gates * h, h),
        random(DType.F32, 4, 1, dirs, 2 * gates * h)};
    for (int i = 0; i < ts.length; i++) {
      ins.add(g.addInput("x" + i, new TensorType(DType.F32, Shape.of(ts[i].shape()))));
      args.add(ts[i]);
    }
    for (Value v : new GraphBuilder(g).op(op, ins, Map.of("hidden_size", Attribute.of(h), "direction", Attribute.of(direction)))) {
      g.addOutput(v);
    }
    List<Object> reference = new dev.weft.ir.interp.Interpreter().run(g, args);   // the node's own reference kernel
    PassManager.parse("unroll-recurrent").run(new Module(g));
    assertTrue(g.nodes().stream().noneMatch(n -> n.opName().equals(op)), "not unrolled");
    // checkGraph compares the kernels with the interpreter on the unrolled graph; that in turn
    // must agree with the reference kernel on the original node.
    List<Tensor> unrolled = LoweringCheck.checkGraph(LoweringCheck.EVALUATOR, g, args, 1e-4, 1e-5);
    for (int i = 0; i < reference.size(); i++) LoweringCheck.assertClose((Tensor) reference.get(i), unrolled.get(i), 1e-4, 1e-5, "result " + i);
  }

  /** The ONNX backend node tests of LSTM, GRU and RNN, through the unroll and lowering; none may be skipped. */
  @org.junit.jupiter.api.TestFactory
  java.util.stream.Stream<org.junit.jupiter.api.DynamicTest> onnxNodeTests() {
    org.junit.jupiter.api.Assumptions.assumeTrue(java.nio.file.Files.isDirectory(OnnxNodeLoweringTest.NODE),
        "SKIPPED: no ONNX node tests at " + OnnxNodeLoweringTest.NODE);
    List<String> names = List.of("test_lstm_defaults", "test_lstm_with_initial_bias", "test_lstm_with_peepholes", "test_lstm_batchwise",
        "test_gru_defaults", "test_gru_with_initial_bias", "test_gru_seq_length", "test_gru_batchwise", "test_rnn_seq_length",
        "test_simple_rnn_defaults", "test_simple_rnn_with_initial_bias", "test_simple_rnn_batchwise");
    return names.stream().map(n -> org.junit.jupiter.api.DynamicTest.dynamicTest(n, () -> {
      java.nio.file.Path dir = OnnxNodeLoweringTest.NODE.resolve(n);
      assertTrue(java.nio.file.Files.isDirectory(dir), "missing " + dir);
      List<Tensor> got;
      try {
        got = OnnxNodeLoweringTest.run(dir);
      } catch (org.opentest4j.TestAbortedException e) {
        throw new AssertionError(n + " was skipped: " + e.getMessage(), e);
      }
      // The kernels matched these; they must also be the test's own expected outputs.
      for (int i = 0; i < got.size(); i++) {
        java.nio.file.Path want = dir.resolve("test_data_set_0/output_" + i + ".pb");
        assertTrue(java.nio.file.Files.isRegularFile(want), "missing " + want);
        LoweringCheck.assertClose((Tensor) dev.weft.frontend.onnx.OnnxTestData.read(want, null), got.get(i), 1e-3, 1e-5, n + " output " + i);
      }
    }));
  }

  @ParameterizedTest
  @CsvSource({"lstm,4", "gru,3", "rnn,1"})
  void symbolicLengthIsReportedWithTheDim(String op, int gates) {
    long h = 3;
    Graph g = new Graph("check_" + op);
    Value x = g.addInput("x", new TensorType(DType.F32, Shape.of(Dim.sym("steps"), Dim.of(2), Dim.of(4))));
    Value w = g.addInput("w", new TensorType(DType.F32, Shape.of(1, gates * h, 4)));
    Value r = g.addInput("r", new TensorType(DType.F32, Shape.of(1, gates * h, h)));
    for (Value v : new GraphBuilder(g).op(op, List.of(x, w, r), Map.of("hidden_size", Attribute.of(h)))) g.addOutput(v);
    PassManager.parse("unroll-recurrent").run(new Module(g));
    LoweringException e = assertThrows(LoweringException.class, () -> GroupLowerer.lower("k", g, null, g.name()));
    assertTrue(e.getMessage().contains("no kernel lowering for op '" + op + "'"), e.getMessage());
    assertTrue(e.getMessage().contains("static sequence length; here it is 'steps' (dim 0 of x"), e.getMessage());
  }
}
