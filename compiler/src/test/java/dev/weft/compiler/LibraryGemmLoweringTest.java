package dev.weft.compiler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.bundle.DType;
import dev.weft.bundle.Tensor;
import dev.weft.bundle.program.LibraryMatmul;
import dev.weft.bundle.program.Step;
import dev.weft.ir.Attribute;
import dev.weft.ir.Graph;
import dev.weft.ir.GraphBuilder;
import dev.weft.ir.Module;
import dev.weft.ir.TensorType;
import dev.weft.ir.Value;
import dev.weft.ir.interp.Interpreter;
import dev.weft.passes.PassContext;
import dev.weft.passes.PassManager;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * cuda lowering with {@code --gemm cublaslt}: matmuls become library steps in cuBLAS's
 * column-major form (the C^T = B^T A^T swap), their epilogues kernels. The program evaluator
 * runs the steps with cuBLAS's column-major semantics, and the result must equal the reference
 * interpreter's row-major matmul: a wrong swap, leading dimension or batch stride fails here.
 */
class LibraryGemmLoweringTest {
  /** Bound for float32 sums over at most 24 products: both sides accumulate in float32, in k order. */
  private static final double TOL = 1e-5;

  @Test
  void plainMatmulSwapsOperandsAndDimsAsCublasExpects() {
    Graph g = new Graph("m");
    Value a = g.addInput("a", TensorType.of(DType.F32, 2, 3));
    Value b = g.addInput("b", TensorType.of(DType.F32, 3, 4));
    Value c = new GraphBuilder(g).op1("matmul", a, b);
    g.addOutput(c);
    ProgramLowering.Result lowered = ProgramLowering.lower(g, LoweringOptions.gpu(128).withLibraryGemm(true));
    assertEquals(1, lowered.steps().size(), "one library step, no kernel: " + lowered.steps());
    assertEquals(0, lowered.kernels().size());
    Step.Library s = (Step.Library) lowered.steps().get(0);
    // Hand-derived: row-major [2,3]x[3,4] is column-major D(4x2) = b(4x3, ld 4) x a(3x2, ld 3).
    assertEquals(List.of("b", "a", c.name()), s.args());
    assertEquals(new LibraryMatmul(4, 2, 3, 1, false, false, 4, 3, 4, 0, 0, 8, DType.F32, "none"), LibraryMatmul.of(s));
    check(g, Map.of("a", random(1, 2, 3), "b", random(2, 3, 4)));
  }

  @Test
  void transposeFlagsBecomeCublasTransposesWithStoredLeadingDims() {
    for (int ta = 0; ta <= 1; ta++) {
      for (int tb = 0; tb <= 1; tb++) {
        Graph g = new Graph("m");
        Value a = g.addInput("a", ta == 1 ? TensorType.of(DType.F32, 5, 2) : TensorType.of(DType.F32, 2, 5));
        Value b = g.addInput("b", tb == 1 ? TensorType.of(DType.F32, 3, 5) : TensorType.of(DType.F32, 5, 3));
        Value c = new GraphBuilder(g).op1("matmul", Map.of("transpose_a", Attribute.of((long) ta), "transpose_b", Attribute.of((long) tb)), a, b);
        g.addOutput(c);
        ProgramLowering.Result lowered = ProgramLowering.lower(g, LoweringOptions.gpu(128).withLibraryGemm(true));
        LibraryMatmul mm = LibraryMatmul.of((Step.Library) lowered.steps().get(0));
        assertEquals(tb == 1, mm.transA(), "cuBLAS transA is the row-major right operand's flag");
        assertEquals(ta == 1, mm.transB());
        assertEquals(tb == 1 ? 5 : 3, mm.lda());
        assertEquals(ta == 1 ? 2 : 5, mm.ldb());
        check(g, Map.of("a", random(3 + ta, a.tensorType().shape().sizes()), "b", random(5 + tb, b.tensorType().shape().sizes())));
      }
    }
  }

  @Test
  void batchedMatmulWithBroadcastWeightUsesZeroStride() {
    Graph g = new Graph("m");
    Value a = g.addInput("a", TensorType.of(DType.F32, 2, 3, 4, 6));
    Value b = g.addInput("b", TensorType.of(DType.F32, 6, 5));
    Value b2 = g.addInput("b2", TensorType.of(DType.F32, 2, 3, 5, 7));
    GraphBuilder gb = new GraphBuilder(g);
    Value c = gb.op1("matmul", a, b);
    Value d = gb.op1("matmul", c, b2);
    g.addOutput(d);
    ProgramLowering.Result lowered = ProgramLowering.lower(g, LoweringOptions.gpu(128).withLibraryGemm(true));
    List<LibraryMatmul> calls = lowered.steps().stream().map(s -> LibraryMatmul.of((Step.Library) s)).toList();
    assertEquals(2, calls.size());
    assertEquals(6, calls.get(0).batch());
    assertEquals(0, calls.get(0).strideA(), "the [6,5] weight is shared by every batch");
    assertEquals(24, calls.get(0).strideB());
    assertEquals(20, calls.get(0).strideC());
    assertEquals(35, calls.get(1).strideA());
    check(g, Map.of("a", random(7, 2, 3, 4, 6), "b", random(8, 6, 5), "b2", random(9, 2, 3, 5, 7)));
  }

  @Test
  void fusedMlpKeepsItsEpilogueAsKernels() {
    Graph g = new Graph("mlp");
    Value x = g.addInput("x", TensorType.of(DType.F32, 3, 8));
    GraphBuilder b = new GraphBuilder(g);
    Value h = b.op1("relu", b.op1("add", b.op1("matmul", x, b.constant(random(11, 8, 16))), b.constant(random(12, 16))));
    Value y = b.op1("tanh", b.op1("add", b.op1("matmul", h, b.constant(random(13, 16, 4))), b.constant(random(14, 4))));
    g.addOutput(y);
    Map<String, Tensor> in = Map.of("x", random(15, 3, 8));
    List<Object> want = new Interpreter().run(g, List.of(in.get("x")));
    Module m = new Module(g);
    PassManager.parse(PassManager.DEFAULT_PIPELINE).run(m, new PassContext().verify(false));
    ProgramLowering.Result lowered = ProgramLowering.lower(m.main(), LoweringOptions.gpu(128).withLibraryGemm(true));
    long library = lowered.steps().stream().filter(s -> s instanceof Step.Library).count();
    long launches = lowered.steps().stream().filter(s -> s instanceof Step.Launch).count();
    assertEquals(2, library, "both matmuls are library steps: " + lowered.steps());
    assertTrue(launches >= 1, "bias/activation epilogues stay kernels");
    ArenaPlanner.Plan plan = ArenaPlanner.plan(lowered.buffers(), lowered.steps());
    Map<String, Tensor> got = ProgramEvaluator.run(lowered, plan, in);
    assertClose((Tensor) want.get(0), got.get(y.name()));
    // and the same graph with --gemm kernels has no library steps
    ProgramLowering.Result kernels = ProgramLowering.lower(m.main(), LoweringOptions.gpu(128));
    assertTrue(kernels.steps().stream().noneMatch(s -> s instanceof Step.Library));
  }

  @Test
  void float16MatmulRoundsOnceFromFloat32Accumulation() {
    Graph g = new Graph("m");
    Value a = g.addInput("a", TensorType.of(DType.F16, 4, 8));
    Value b = g.addInput("b", TensorType.of(DType.F16, 8, 2));
    g.addOutput(new GraphBuilder(g).op1("matmul", a, b));
    ProgramLowering.Result lowered = ProgramLowering.lower(g, LoweringOptions.gpu(128).withLibraryGemm(true));
    assertEquals(DType.F16, LibraryMatmul.of((Step.Library) lowered.steps().get(0)).dtype());
    check(g, Map.of("a", cast(random(21, 4, 8), DType.F16), "b", cast(random(22, 8, 2), DType.F16)));
  }

  @Test
  void integerAndVectorMatmulsStayKernels() {
    Graph g = new Graph("m");
    Value a = g.addInput("a", TensorType.of(DType.I32, 2, 3));
    Value b = g.addInput("b", TensorType.of(DType.I32, 3, 4));
    Value v = g.addInput("v", TensorType.of(DType.F32, 3));
    Value w = g.addInput("w", TensorType.of(DType.F32, 3, 4));
    GraphBuilder gb = new GraphBuilder(g);
    g.addOutput(gb.op1("matmul", a, b));
    g.addOutput(gb.op1("matmul", v, w));
    ProgramLowering.Result lowered = ProgramLowering.lower(g, LoweringOptions.gpu(128).withLibraryGemm(true));
    assertTrue(lowered.steps().stream().noneMatch(s -> s instanceof Step.Library), lowered.steps().toString());
  }

  private static void check(Graph g, Map<String, Tensor> inputs) {
    List<Object> args = g.inputs().stream().map(v -> (Object) inputs.get(v.name())).toList();
    List<Object> want = new Interpreter().run(g, args);
    ProgramLowering.Result lowered = ProgramLowering.lower(g, LoweringOptions.gpu(128).withLibraryGemm(true));
    ArenaPlanner.Plan plan = ArenaPlanner.plan(lowered.buffers(), lowered.steps());
    Map<String, Tensor> got = ProgramEvaluator.run(lowered, plan, new HashMap<>(inputs));
    assertClose((Tensor) want.get(0), got.get(g.outputs().get(0).name()));
  }

  private static Tensor cast(Tensor t, DType to) {
    Tensor out = Tensor.zeros(to, t.shape());
    for (long i = 0; i < t.size(); i++) out.setDouble(i, t.getDouble(i));
    return out;
  }

  private static Tensor random(long seed, long... shape) { return ProgramLoweringTest.random(seed, shape); }

  private static void assertClose(Tensor want, Tensor got) {
    assertEquals(want.size(), got.size());
    // float16 results: one rounding of the same float32 sum on both sides, so within half an ulp of f16.
    double rtol = want.dtype() == DType.F16 ? 1e-3 : TOL;
    for (long i = 0; i < want.size(); i++) {
      double e = want.getDouble(i);
      assertTrue(Math.abs(e - got.getDouble(i)) <= TOL + rtol * Math.abs(e), "element " + i + ": " + e + " vs " + got.getDouble(i));
    }
  }
}
