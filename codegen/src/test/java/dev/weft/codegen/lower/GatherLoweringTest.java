package dev.weft.codegen.lower;

import static dev.weft.codegen.lower.LayoutTestSupport.attrs;
import static dev.weft.codegen.lower.LayoutTestSupport.constant;
import static dev.weft.codegen.lower.LoweringCheck.check;
import static dev.weft.codegen.lower.LoweringCheck.random;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.weft.bundle.DType;
import dev.weft.bundle.Tensor;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** gather, gather_elements, gather_nd, one_hot: exact against the interpreter, indices negative and positive. */
class GatherLoweringTest {
  /** Indices in [-d, d) of the given dtype and shape. */
  static Tensor indices(DType t, long seed, long d, long... shape) {
    Random r = new Random(seed);
    Tensor x = Tensor.zeros(t, shape);
    for (long i = 0; i < x.size(); i++) x.setLong(i, r.nextLong(-d, d));
    return x;
  }

  @Test
  void gatherOnEveryAxisWithNegativeAndScalarIndices() {
    Tensor x = random(DType.F32, 1, 10, 3, 5, 4);
    for (long axis = -3; axis < 3; axis++) {
      long d = x.dim((int) Math.floorMod(axis, 3));
      check("gather", attrs("axis", axis), 0, 0, x, indices(DType.I64, axis + 10, d, 2, 3));
      check("gather", attrs("axis", axis), 0, 0, x, indices(DType.I32, axis + 20, d));
      check("gather", attrs("axis", axis), 0, 0, x, constant(indices(DType.I64, axis + 30, d, 4)));
      check("gather", attrs("axis", axis), 0, 0, x, constant(Tensor.scalar(DType.I64, -1)));
    }
    check("gather", Map.of(), 0, 0, random(DType.I64, 2, 100, 6), indices(DType.I64, 3, 6, 0, 2));
    check("gather", attrs("axis", 1L), 0, 0, random(DType.BOOL, 4, 1, 0, 3), indices(DType.I64, 5, 3, 2));
  }

  @Test
  void gatherClampsIndicesTheInterpreterRejects() {
    Tensor x = Tensor.ofFloats(new long[] {4}, 10, 11, 12, 13);
    Tensor ind = Tensor.ofLongs(new long[] {4}, 7, -9, 3, -1);
    GroupLowerer.Lowered l = lowerOnly(x, ind);
    Tensor out = Tensor.zeros(DType.F32, 4);
    java.util.Map<dev.weft.codegen.kir.Buffer, Tensor> mem = new java.util.HashMap<>();
    for (var e : l.bindings().entrySet()) {
      String n = e.getValue().name();
      mem.put(e.getKey(), n.equals("x") ? x : n.equals("i") ? ind : out);
    }
    for (var k : l.kernels()) dev.weft.codegen.kir.Evaluator.run(k, mem);
    assertEquals(13f, out.getFloat(0));
    assertEquals(10f, out.getFloat(1));
    assertEquals(13f, out.getFloat(2));
    assertEquals(13f, out.getFloat(3));
  }

  private static GroupLowerer.Lowered lowerOnly(Tensor x, Tensor ind) {
    dev.weft.ir.Graph g = new dev.weft.ir.Graph("gather_oob");
    dev.weft.ir.GraphBuilder b = new dev.weft.ir.GraphBuilder(g);
    var xv = g.addInput("x", new dev.weft.ir.TensorType(DType.F32, dev.weft.ir.Shape.of(x.shape())));
    var iv = g.addInput("i", new dev.weft.ir.TensorType(DType.I64, dev.weft.ir.Shape.of(ind.shape())));
    g.addOutput(b.op("gather", java.util.List.of(xv, iv), Map.of()).get(0));
    return GroupLowerer.lower("k", g, null, "gather_oob");
  }

  @Test
  void gatherElementsOnEveryAxis() {
    Tensor x = random(DType.F32, 6, 10, 4, 5, 3);
    for (long axis = -3; axis < 3; axis++) {
      long d = x.dim((int) Math.floorMod(axis, 3));
      check("gather_elements", attrs("axis", axis), 0, 0, x, indices(DType.I64, axis + 40, d, 3, 5, 2));
      check("gather_elements", attrs("axis", axis), 0, 0, x, indices(DType.I32, axis + 50, d, 4, 1, 3));
    }
    check("gather_elements", Map.of(), 0, 0, x, indices(DType.I64, 7, 4, 0, 5, 3));
  }

  @Test
  void gatherNdWithBatchDims() {
    Tensor x = random(DType.F32, 8, 10, 2, 3, 4, 5);
    Tensor ind = Tensor.zeros(DType.I64, 2, 6, 2);
    Random r = new Random(9);
    for (long i = 0; i < ind.size(); i++) ind.setLong(i, r.nextLong(-3, 3)); // axes 1,2 have >= 3 entries
    check("gather_nd", attrs("batch_dims", 1L), 0, 0, x, ind);
    Tensor full = Tensor.zeros(DType.I64, 7, 4);
    for (long t = 0; t < 7; t++) {
      full.setLong(t * 4, r.nextLong(-2, 2));
      full.setLong(t * 4 + 1, r.nextLong(-3, 3));
      full.setLong(t * 4 + 2, r.nextLong(-4, 4));
      full.setLong(t * 4 + 3, r.nextLong(-5, 5));
    }
    check("gather_nd", Map.of(), 0, 0, x, full);
    Tensor one = Tensor.zeros(DType.I64, 3, 1);
    for (long i = 0; i < 3; i++) one.setLong(i, r.nextLong(-2, 2));
    check("gather_nd", Map.of(), 0, 0, x, one);
    Tensor b2 = Tensor.zeros(DType.I64, 2, 3, 1);
    for (long i = 0; i < b2.size(); i++) b2.setLong(i, r.nextLong(-4, 4));
    check("gather_nd", attrs("batch_dims", 2L), 0, 0, x, b2);
  }

  @Test
  void oneHotOnEveryAxis() {
    Tensor ind = indices(DType.I64, 10, 5, 3, 4);
    Tensor values = Tensor.ofFloats(new long[] {2}, -1.5f, 2f);
    for (long axis = -3; axis < 3; axis++) {
      check("one_hot", attrs("axis", axis), 0, 0, ind, constant(Tensor.scalar(DType.I64, 5)), values);
    }
    Tensor floatInd = Tensor.ofFloats(new long[] {5}, 0.7f, -1.2f, 2.9f, 7f, -8f);
    check("one_hot", Map.of(), 0, 0, floatInd, constant(Tensor.scalar(DType.F32, 4)), Tensor.ofLongs(new long[] {2}, 3, 9));
  }
}
