package dev.weft.ir.ops;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.bundle.DType;
import dev.weft.bundle.Tensor;
import dev.weft.ir.Attribute;
import dev.weft.ir.Graph;
import dev.weft.ir.GraphBuilder;
import dev.weft.ir.Shape;
import dev.weft.ir.TensorType;
import dev.weft.ir.Value;
import dev.weft.ir.interp.Interpreter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ControlFlowOpsTest {
  static final TensorType F1 = TensorType.of(DType.F32, 1);
  static final TensorType BOOL = new TensorType(DType.BOOL, Shape.scalar());
  static final TensorType I64 = new TensorType(DType.I64, Shape.scalar());

  static Tensor f(long[] shape, float... v) { return Tensor.ofFloats(shape, v); }

  static Tensor f1(float v) { return f(new long[] {1}, v); }

  @Test
  void ifPicksBranchAndReadsEnclosingValues() {
    Graph g = new Graph("main");
    Value cond = g.addInput("cond", BOOL);
    Value x = g.addInput("x", F1);
    GraphBuilder b = new GraphBuilder(g);
    Graph then = new Graph("then");
    then.addOutput(new GraphBuilder(then).op1("add", x, x));
    Graph otherwise = new Graph("else");
    otherwise.addOutput(new GraphBuilder(otherwise).op1("mul", x, new GraphBuilder(otherwise).constant(f1(10))));
    Value y = b.op1("if", Map.of("then_branch", Attribute.of(then), "else_branch", Attribute.of(otherwise)), cond);
    g.addOutput(y);
    assertEquals(F1, y.type());
    Interpreter in = new Interpreter();
    assertEquals(6f, ((Tensor) in.run(g, List.of(Tensor.ofBools(new long[0], true), f1(3))).get(0)).getFloat(0));
    assertEquals(30f, ((Tensor) in.run(g, List.of(Tensor.ofBools(new long[0], false), f1(3))).get(0)).getFloat(0));
  }

  @Test
  void ifWithDifferentBranchShapesGetsASymbol() {
    Graph g = new Graph("main");
    Value cond = g.addInput("cond", BOOL);
    Graph then = new Graph("then");
    then.addOutput(new GraphBuilder(then).constant(f(new long[] {3}, 1, 2, 3)));
    Graph otherwise = new Graph("else");
    otherwise.addOutput(new GraphBuilder(otherwise).constant(f(new long[] {2}, 4, 5)));
    Value y = new GraphBuilder(g).op1("if", Map.of("then_branch", Attribute.of(then), "else_branch", Attribute.of(otherwise)), cond);
    g.addOutput(y);
    assertFalse(y.tensorType().shape().isStatic());
    Tensor r = (Tensor) new Interpreter().run(g, List.of(Tensor.ofBools(new long[0], false))).get(0);
    assertArrayEquals(new float[] {4, 5}, r.toFloatArray());
  }

  /** Loop body: acc' = acc + x (x from the enclosing graph); scan output acc'. */
  static Graph accumulatingLoop(boolean withTripCount) {
    Graph g = new Graph("main");
    Value m = g.addInput("m", I64);
    Value x = g.addInput("x", F1);
    Value acc0 = g.addInput("acc0", F1);
    Graph body = new Graph("body");
    body.addInput("iter", I64);
    Value c = body.addInput("cond", BOOL);
    Value acc = body.addInput("acc", F1);
    GraphBuilder bb = new GraphBuilder(body);
    Value next = bb.op1("add", acc, x);
    body.addOutput(bb.op1("identity", c));
    body.addOutput(next);
    body.addOutput(next);
    List<Value> ins = new ArrayList<>();
    ins.add(withTripCount ? m : null);
    ins.add(null);
    ins.add(acc0);
    List<Value> outs = new GraphBuilder(g).op("loop", ins, Map.of("body", Attribute.of(body)));
    outs.forEach(g::addOutput);
    return g;
  }

  @Test
  void loopCarriesValuesAndStacksScanOutputs() {
    Graph g = accumulatingLoop(true);
    List<Object> r = new Interpreter().run(g, List.of(Tensor.ofLongs(new long[0], 3), f1(2), f1(0)));
    assertArrayEquals(new float[] {6}, ((Tensor) r.get(0)).toFloatArray());
    Tensor scan = (Tensor) r.get(1);
    assertArrayEquals(new long[] {3, 1}, scan.shape());
    assertArrayEquals(new float[] {2, 4, 6}, scan.toFloatArray());
  }

  @Test
  void loopWithZeroTripsReturnsInitialValuesAndEmptyScan() {
    Graph g = accumulatingLoop(true);
    List<Object> r = new Interpreter().run(g, List.of(Tensor.ofLongs(new long[0], 0), f1(2), f1(7)));
    assertArrayEquals(new float[] {7}, ((Tensor) r.get(0)).toFloatArray());
    assertArrayEquals(new long[] {0, 1}, ((Tensor) r.get(1)).shape());
  }

  /** Scan: state s' = s + x_t, output s'; one scan input of shape [3, 1]. */
  static Graph runningSum(long inDir, long outDir) {
    Graph g = new Graph("main");
    Value s0 = g.addInput("s0", F1);
    Value xs = g.addInput("xs", TensorType.of(DType.F32, 3, 1));
    Graph body = new Graph("body");
    Value s = body.addInput("s", F1);
    Value x = body.addInput("x", F1);
    Value next = new GraphBuilder(body).op1("add", s, x);
    body.addOutput(next);
    body.addOutput(next);
    List<Value> outs = new GraphBuilder(g).op("scan", List.of(s0, xs), Map.of("body", Attribute.of(body),
        "num_scan_inputs", Attribute.of(1L), "scan_input_directions", Attribute.of(new long[] {inDir}),
        "scan_output_directions", Attribute.of(new long[] {outDir})));
    outs.forEach(g::addOutput);
    assertEquals(TensorType.of(DType.F32, 3, 1), outs.get(1).type());
    return g;
  }

  @Test
  void scanForward() {
    List<Object> r = new Interpreter().run(runningSum(0, 0), List.of(f1(0), f(new long[] {3, 1}, 1, 2, 3)));
    assertArrayEquals(new float[] {6}, ((Tensor) r.get(0)).toFloatArray());
    assertArrayEquals(new float[] {1, 3, 6}, ((Tensor) r.get(1)).toFloatArray());
  }

  @Test
  void scanReverseInputAndOutput() {
    Tensor xs = f(new long[] {3, 1}, 1, 2, 3);
    // Reverse input: visits 3, 2, 1 -> sums 3, 5, 6.
    List<Object> r = new Interpreter().run(runningSum(1, 0), List.of(f1(0), xs));
    assertArrayEquals(new float[] {3, 5, 6}, ((Tensor) r.get(1)).toFloatArray());
    // Reverse output too: the last iteration's output goes first.
    r = new Interpreter().run(runningSum(1, 1), List.of(f1(0), xs));
    assertArrayEquals(new float[] {6, 5, 3}, ((Tensor) r.get(1)).toFloatArray());
  }

  @Test
  void scanOnSecondAxisWithOutputAxis() {
    Graph g = new Graph("main");
    Value s0 = g.addInput("s0", F1);
    Value xs = g.addInput("xs", TensorType.of(DType.F32, 1, 3));
    Graph body = new Graph("body");
    Value s = body.addInput("s", F1);
    Value x = body.addInput("x", F1);
    Value next = new GraphBuilder(body).op1("add", s, x);
    body.addOutput(next);
    body.addOutput(next);
    List<Value> outs = new GraphBuilder(g).op("scan", List.of(s0, xs), Map.of("body", Attribute.of(body),
        "num_scan_inputs", Attribute.of(1L), "scan_input_axes", Attribute.of(new long[] {1}),
        "scan_output_axes", Attribute.of(new long[] {-1})));
    outs.forEach(g::addOutput);
    assertEquals(TensorType.of(DType.F32, 1, 3), outs.get(1).type());
    List<Object> r = new Interpreter().run(g, List.of(f1(10), f(new long[] {1, 3}, 1, 2, 3)));
    assertArrayEquals(new float[] {11, 13, 16}, ((Tensor) r.get(1)).toFloatArray());
  }

  @Test
  void batchedScanIsScan8() {
    Graph g = new Graph("main");
    Value s0 = g.addInput("s0", TensorType.of(DType.F32, 2, 1));
    Value xs = g.addInput("xs", TensorType.of(DType.F32, 2, 3, 1));
    Graph body = new Graph("body");
    Value s = body.addInput("s", F1);
    Value x = body.addInput("x", F1);
    Value next = new GraphBuilder(body).op1("add", s, x);
    body.addOutput(next);
    body.addOutput(next);
    List<Value> ins = new ArrayList<>();
    ins.add(null);
    ins.add(s0);
    ins.add(xs);
    List<Value> outs = new GraphBuilder(g).op("scan", ins, Map.of("body", Attribute.of(body),
        "num_scan_inputs", Attribute.of(1L), "batched", Attribute.of(1L)));
    outs.forEach(g::addOutput);
    new dev.weft.ir.Verifier().verify(g); // sequence_lens (operand 0) is optional: ONNX test_scan_sum
    List<Object> r = new Interpreter().run(g, List.of(f(new long[] {2, 1}, 0, 100), f(new long[] {2, 3, 1}, 1, 2, 3, 4, 5, 6)));
    assertArrayEquals(new float[] {6, 115}, ((Tensor) r.get(0)).toFloatArray());
    assertArrayEquals(new float[] {1, 3, 6, 104, 109, 115}, ((Tensor) r.get(1)).toFloatArray());
    assertTrue(((Tensor) r.get(1)).rank() == 3);
  }
}
