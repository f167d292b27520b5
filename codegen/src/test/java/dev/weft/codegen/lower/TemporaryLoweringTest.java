package dev.weft.codegen.lower;

import static dev.weft.codegen.lower.LoweringCheck.random;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.bundle.DType;
import dev.weft.bundle.Tensor;
import dev.weft.codegen.kir.Kernel;
import dev.weft.ir.Attribute;
import dev.weft.ir.Graph;
import dev.weft.ir.GraphBuilder;
import dev.weft.ir.Shape;
import dev.weft.ir.TensorType;
import dev.weft.ir.Value;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A value with a reduction of its own, read under a consumer's reduction, is materialized once
 * instead of recomputed per read: numbers against the interpreter, work counted in the kernel IR.
 */
class TemporaryLoweringTest {
  /** x[4, 8] . w[8, 6], then {@code op} over the last axis, as one group. */
  private static Graph matmulThen(String op, Map<String, Attribute> attrs) {
    Graph g = new Graph("matmul_" + op);
    GraphBuilder b = new GraphBuilder(g);
    Value x = g.addInput("x", new TensorType(DType.F32, Shape.of(4, 8)));
    Value w = g.addInput("w", new TensorType(DType.F32, Shape.of(8, 6)));
    Value mm = b.op1("matmul", Map.of(), x, w);
    for (Value v : b.op(op, List.of(mm), attrs)) g.addOutput(v);
    return g;
  }

  private static long work(List<Kernel> ks) {
    long n = 0;
    for (Kernel k : ks) n += KernelStructure.work(k);
    return n;
  }

  private static List<Object> args() { return List.of(random(DType.F32, 1, 2, 4, 8), random(DType.F32, 2, 2, 8, 6)); }

  @Test
  void softmaxOfMatmulComputesEachDotProductOnce() {
    Graph g = matmulThen("softmax", Map.of("axis", Attribute.of(-1L)));
    LoweringCheck.checkGraph(LoweringCheck.EVALUATOR, g, args(), 1e-5, 1e-6);
    List<Kernel> ks = GroupLowerer.lower("k", g, null, g.name()).kernels();
    assertEquals(2, ks.size(), ks.toString());
    // 4*6 dot products of 8, then a row max and a row sum of 6 per row: 192 + 24 + 24
    assertEquals(4 * 6 * 8 + 2 * 4 * 6, work(ks), ks.toString());
  }

  @Test
  void layerNormOfMatmulComputesEachDotProductOnce() {
    Graph g = new Graph("matmul_layer_norm");
    GraphBuilder b = new GraphBuilder(g);
    Value x = g.addInput("x", new TensorType(DType.F32, Shape.of(4, 8)));
    Value w = g.addInput("w", new TensorType(DType.F32, Shape.of(8, 6)));
    Value mm = b.op1("matmul", Map.of(), x, w);
    g.addOutput(b.op("layer_norm", List.of(mm), Map.of("axis", Attribute.of(-1L))).get(0));
    LoweringCheck.checkGraph(LoweringCheck.EVALUATOR, g, args(), 1e-4, 1e-5);
    List<Kernel> ks = GroupLowerer.lower("k", g, null, g.name()).kernels();
    long dots = 4 * 6 * 8;
    assertTrue(work(ks) < 2 * dots, "each dot product once, row statistics linear in the row: " + work(ks) + "\n" + ks);
  }

  @Test
  void withoutTemporariesTheGroupStaysOneKernel() {
    Graph g = matmulThen("softmax", Map.of("axis", Attribute.of(-1L)));
    List<Kernel> ks = GroupLowerer.lower("k", g, null, g.name(), false).kernels();
    assertEquals(1, ks.size(), ks.toString());
    assertTrue(work(ks) > 2 * 4 * 6 * 8, "the row statistics recompute the dot products: " + work(ks));
  }

  @Test
  void elementwiseConsumersStayFused() {
    Graph g = matmulThen("relu", Map.of());
    List<Kernel> ks = GroupLowerer.lower("k", g, null, g.name()).kernels();
    assertEquals(1, ks.size(), "no reduction reads the matmul under its own: " + ks);
    LoweringCheck.checkGraph(LoweringCheck.EVALUATOR, g, args(), 1e-5, 1e-6);
  }

  @Test
  void matmulOfAReductionMaterializesIt() {
    // mean over a [4, 8, 3] tensor's last axis feeds a matmul's inner product: without a
    // temporary each of the 4*6*8 products would recompute a 3-long mean
    Graph g = new Graph("mean_matmul");
    GraphBuilder b = new GraphBuilder(g);
    Value x = g.addInput("x", new TensorType(DType.F32, Shape.of(4, 8, 3)));
    Value w = g.addInput("w", new TensorType(DType.F32, Shape.of(8, 6)));
    Value m = b.op1("reduce_mean", Map.of("axes", Attribute.of(new long[] {-1}), "keepdims", Attribute.of(0L)), x);
    g.addOutput(b.op1("matmul", Map.of(), m, w));
    Tensor xs = random(DType.F32, 3, 2, 4, 8, 3);
    LoweringCheck.checkGraph(LoweringCheck.EVALUATOR, g, List.of(xs, random(DType.F32, 4, 2, 8, 6)), 1e-5, 1e-6);
    List<Kernel> ks = GroupLowerer.lower("k", g, null, g.name()).kernels();
    assertEquals(4 * 8 * 3 + 4 * 6 * 8, work(ks), ks.toString());
  }
}
