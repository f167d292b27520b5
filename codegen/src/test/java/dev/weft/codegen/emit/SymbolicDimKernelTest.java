package dev.weft.codegen.emit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.bundle.DType;
import dev.weft.bundle.Tensor;
import dev.weft.codegen.kir.Buffer;
import dev.weft.codegen.kir.DimFit;
import dev.weft.codegen.kir.Evaluator;
import dev.weft.codegen.kir.Expr;
import dev.weft.codegen.kir.ExprFactory;
import dev.weft.codegen.kir.Kernel;
import dev.weft.codegen.kir.KirException;
import dev.weft.codegen.lower.GroupLowerer;
import dev.weft.codegen.lower.LoweringCheck;
import dev.weft.ir.Attribute;
import dev.weft.ir.Graph;
import dev.weft.ir.GraphBuilder;
import dev.weft.ir.Shape;
import dev.weft.ir.TensorType;
import dev.weft.ir.Value;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A kernel fitted over a dim ({@link DimFit}) and run with the dim as an argument computes, at
 * every value up to the maximum, what the kernel lowered statically at that value computes: in
 * the kir {@link Evaluator} and in emitted host code. Quantities that are no polynomial of the
 * dim are refused.
 */
class SymbolicDimKernelTest {
  private static final long MAX = 6;

  /** softmax over a row of length n, scaled by the row's mean over n, then an all-pairs product [4, n, n]. */
  private static Graph graph(long n) {
    Graph g = new Graph("g");
    GraphBuilder b = new GraphBuilder(g);
    Value x = g.addInput("x", new TensorType(DType.F32, Shape.of(4, n)));
    Value sm = b.op1("softmax", Map.of("axis", Attribute.of(1L)), x);
    Value mean = b.op1("reduce_mean", Map.of("axes", Attribute.of(new long[] {1}), "keepdims", Attribute.of(1L)), x);
    g.addOutput(b.op1("mul", Map.of(), sm, mean));
    return g;
  }

  private static List<Kernel> lowered(long n) { return GroupLowerer.lower("k", graph(n), null, "test").kernels(); }

  private static Kernel fitted() {
    List<Kernel> versions = new ArrayList<>();
    long[] points = new long[DimFit.POINTS];
    for (int i = 0; i < points.length; i++) {
      points[i] = MAX + i;
      List<Kernel> ks = lowered(points[i]);
      assertEquals(1, ks.size());
      versions.add(ks.get(0));
    }
    return DimFit.fit(versions, points, 1, "n");
  }

  @Test
  void fittedKernelMatchesTheStaticKernelAtEveryValue() {
    Kernel k = fitted();
    assertEquals(List.of("n"), k.dims());
    for (long n = 1; n <= MAX; n++) {
      Tensor x = LoweringCheck.random(DType.F32, 40 + n, 2, 4, n);
      Kernel exact = lowered(n).get(0);
      Tensor want = Tensor.zeros(DType.F32, new long[] {4, n});
      Map<Buffer, Tensor> ref = new HashMap<>();
      ref.put(exact.params().get(0), x);
      ref.put(exact.params().get(1), want);
      Evaluator.run(exact, ref);

      Tensor evaluated = Tensor.zeros(DType.F32, new long[] {4, n});
      Map<Buffer, Tensor> mem = new HashMap<>();
      mem.put(k.params().get(0), x);
      mem.put(k.params().get(1), evaluated);
      Evaluator.run(k, mem, new long[] {n});
      assertEquals(0, want.data().mismatch(evaluated.data()) < 0 ? 0 : 1, "evaluator at n = " + n);

      Tensor emitted = Tensor.zeros(DType.F32, new long[] {4, n});
      Map<Buffer, Tensor> jit = new HashMap<>();
      jit.put(k.params().get(0), x);
      jit.put(k.params().get(1), emitted);
      HostJit.run(k, jit, HostJit.host(true), new long[] {n});
      for (long i = 0; i < want.size(); i++) {
        double w = want.getDouble(i);
        assertEquals(w, emitted.getDouble(i), 1e-5 * Math.max(1, Math.abs(w)), "emitted at n = " + n + ", element " + i);
      }
    }
  }

  @Test
  void aRunTimeTripCountAboveTheStaticExtentIsRefusedByTheEvaluator() {
    Kernel k = fitted();
    Map<Buffer, Tensor> mem = new HashMap<>();
    mem.put(k.params().get(0), Tensor.zeros(DType.F32, new long[] {4, MAX}));
    mem.put(k.params().get(1), Tensor.zeros(DType.F32, new long[] {4, MAX}));
    KirException e = assertThrows(KirException.class, () -> Evaluator.run(k, mem, new long[] {MAX + 1}));
    assertTrue(e.getMessage().contains("trip count"), e.getMessage());
  }

  /** exp over [4, n]: both loops parallel, the inner one limited by n (dense work), launched here over the static extent. */
  @Test
  void denseWorkKernelLaunchedOverTheStaticExtentWritesOnlyValidItems() {
    List<Kernel> versions = new ArrayList<>();
    long[] points = new long[DimFit.POINTS];
    for (int i = 0; i < points.length; i++) {
      points[i] = MAX + i;
      Graph g = new Graph("e");
      GraphBuilder b = new GraphBuilder(g);
      Value x = g.addInput("x", new TensorType(DType.F32, Shape.of(4, points[i])));
      g.addOutput(b.op1("exp", Map.of(), x));
      versions.add(GroupLowerer.lower("k", g, null, "test").kernels().get(0));
    }
    Kernel k = DimFit.fit(versions, points, 1, "n");
    assertEquals(4, k.denseWork().coef(), "4*n work items");
    assertEquals(1, k.denseWork().power());
    long n = 3;
    Tensor x = LoweringCheck.random(DType.F32, 5, 2, 4, n);
    Tensor y = Tensor.zeros(DType.F32, new long[] {4, MAX});
    Map<Buffer, Tensor> jit = new HashMap<>();
    jit.put(k.params().get(0), x);
    jit.put(k.params().get(1), y);
    HostJit.run(k, jit, HostJit.host(true), new long[] {n});
    for (long i = 0; i < 4 * MAX; i++) {
      double want = i < 4 * n ? Math.exp(x.getDouble(i)) : 0;
      assertEquals(want, y.getDouble(i), 1e-5 * Math.max(1, Math.abs(want)), "element " + i);
    }
  }

  /** A limit that is no monomial (n + 1) keeps the static split: items beyond the limit do nothing. */
  @Test
  void aNonMonomialLimitSkipsItemsBeyondIt() {
    List<Kernel> versions = new ArrayList<>();
    for (long e = MAX + 1; e <= MAX + 4; e++) {
      ExprFactory f = new ExprFactory();
      Buffer y = new Buffer("y", DType.I64, new long[] {e});
      Expr i = f.newVar("i");
      versions.add(new Kernel("k", List.of(y), List.of(new Kernel.Loop(i, e)), 1, List.of(new Kernel.Store(y, i, f.add(i, f.index(100)))), "t"));
    }
    Kernel k = DimFit.fit(versions, new long[] {MAX, MAX + 1, MAX + 2, MAX + 3}, 1, "n");
    assertEquals(null, k.denseWork());
    for (long n = 1; n <= MAX; n++) {
      Tensor viaJit = Tensor.zeros(DType.I64, new long[] {MAX + 1});
      Map<Buffer, Tensor> jit = new HashMap<>();
      jit.put(k.params().get(0), viaJit);
      HostJit.run(k, jit, HostJit.host(true), new long[] {n});
      Tensor viaEval = Tensor.zeros(DType.I64, new long[] {MAX + 1});
      Map<Buffer, Tensor> mem = new HashMap<>();
      mem.put(k.params().get(0), viaEval);
      Evaluator.run(k, mem, new long[] {n});
      for (long i = 0; i <= MAX; i++) {
        long want = i < n + 1 ? i + 100 : 0;
        assertEquals(want, viaJit.getLong(i), "jit n = " + n + " element " + i);
        assertEquals(want, viaEval.getLong(i), "evaluator n = " + n + " element " + i);
      }
    }
  }

  /** Four one-element kernels storing {@code values[i]} (an i64 constant) at the four points. */
  private static List<Kernel> storing(long... values) {
    List<Kernel> out = new ArrayList<>();
    for (long v : values) {
      ExprFactory f = new ExprFactory();
      Buffer y = new Buffer("y", DType.I64, new long[] {1});
      Expr i = f.newVar("i");
      out.add(new Kernel("k", List.of(y), List.of(new Kernel.Loop(i, 1)), 1, List.of(new Kernel.Store(y, i, f.index(v))), "test"));
    }
    return out;
  }

  @Test
  void aQuadraticConstantFitsAndACubicOneIsRefused() {
    long[] points = {MAX, MAX + 1, MAX + 2, MAX + 3};
    Kernel square = DimFit.fit(storing(36, 49, 64, 81), points, 1, "n");
    for (long n = 1; n <= MAX; n++) {
      Tensor y = Tensor.zeros(DType.I64, new long[] {1});
      Map<Buffer, Tensor> mem = new HashMap<>();
      mem.put(square.params().get(0), y);
      Evaluator.run(square, mem, new long[] {n});
      assertEquals(n * n, y.getLong(0));
    }
    KirException e = assertThrows(KirException.class, () -> DimFit.fit(storing(216, 343, 512, 729), points, 1, "n"));
    assertTrue(e.getMessage().contains("no polynomial of degree 2"), e.getMessage());
  }
}
