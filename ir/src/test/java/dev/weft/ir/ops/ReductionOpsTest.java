package dev.weft.ir.ops;

import static dev.weft.ir.ops.KernelHarness.assertClose;
import static dev.weft.ir.ops.KernelHarness.assertLongs;
import static dev.weft.ir.ops.KernelHarness.assertValues;
import static dev.weft.ir.ops.KernelHarness.f32;
import static dev.weft.ir.ops.KernelHarness.run;
import static dev.weft.ir.ops.KernelHarness.runExpanded;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.weft.bundle.DType;
import dev.weft.bundle.Tensor;
import dev.weft.ir.Attribute;
import dev.weft.ir.Dim;
import dev.weft.ir.Graph;
import dev.weft.ir.IrException;
import dev.weft.ir.TensorType;
import dev.weft.ir.interp.Interpreter;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ReductionOpsTest {
  private static final Tensor X = f32(new long[] {2, 3}, 1f, 2f, 3f, 4f, 5f, 6f);

  private static Map<String, Attribute> axes(long keepdims, long... axes) {
    return Map.of("axes", Attribute.of(axes), "keepdims", Attribute.of(keepdims));
  }

  @Test
  void sumOverAxesWithAndWithoutKeepdims() {
    Tensor r = run("reduce_sum", axes(0, 1), X);
    assertArrayEquals(new long[] {2}, r.shape());
    assertValues(r, 6, 15);
    r = run("reduce_sum", axes(1, -2), X);
    assertArrayEquals(new long[] {1, 3}, r.shape());
    assertValues(r, 5, 7, 9);
    r = run("reduce_sum", Map.of("keepdims", Attribute.of(0L)), X);
    assertArrayEquals(new long[] {}, r.shape());
    assertValues(r, 21);
    r = run("reduce_sum", axes(1), X);   // no axes: the identity
    assertArrayEquals(new long[] {2, 3}, r.shape());
    assertValues(r, 1, 2, 3, 4, 5, 6);
  }

  @Test
  void prodMaxMinAndNan() {
    assertValues(run("reduce_prod", axes(0, 1), X), 6, 120);
    assertValues(run("reduce_max", axes(0, 0), X), 4, 5, 6);
    assertValues(run("reduce_min", axes(0, 0), X), 1, 2, 3);
    assertValues(run("reduce_max", axes(0, 0), f32(Float.NaN, 1f)), Double.NaN);
    assertValues(run("reduce_min", axes(0, 0), f32(1f, Float.NaN)), Double.NaN);
    Tensor u = Tensor.zeros(DType.U64, 2);
    u.setLong(0, -1L);
    u.setLong(1, 5);
    assertLongs(run("reduce_max", axes(0, 0), u), -1L);
    assertLongs(run("reduce_min", axes(0, 0), u), 5);
    assertLongs(run("reduce_sum", axes(0, 0), KernelHarness.of(DType.I8, 100, 100)), -56);
  }

  @Test
  void emptySetsGiveTheIdentityOfEachReduction() {
    Tensor e = Tensor.zeros(DType.F32, 2, 0);
    assertValues(run("reduce_sum", axes(0, 1), e), 0, 0);
    assertValues(run("reduce_prod", axes(0, 1), e), 1, 1);
    assertValues(run("reduce_max", axes(0, 1), e), Double.NEGATIVE_INFINITY, Double.NEGATIVE_INFINITY);
    assertValues(run("reduce_min", axes(0, 1), e), Double.POSITIVE_INFINITY, Double.POSITIVE_INFINITY);
    assertValues(run("reduce_log_sum_exp", axes(0, 1), e), Double.NEGATIVE_INFINITY, Double.NEGATIVE_INFINITY);
    Tensor ei = Tensor.zeros(DType.I32, 1, 0);
    assertLongs(run("reduce_max", axes(0, 1), ei), Integer.MIN_VALUE);
    assertLongs(run("reduce_min", axes(0, 1), ei), Integer.MAX_VALUE);
    assertLongs(run("reduce_min", axes(0, 1), Tensor.zeros(DType.U8, 1, 0)), 255);
  }

  @Test
  void argmaxArgminTiesAndNan() {
    Tensor x = f32(new long[] {2, 3}, 1f, 3f, 3f, 2f, 0f, 2f);
    assertLongs(run("argmax", Map.of("axis", Attribute.of(1L)), x), 1, 0);
    assertLongs(run("argmax", Map.of("axis", Attribute.of(1L), "select_last_index", Attribute.of(1L)), x), 2, 2);
    assertLongs(run("argmin", Map.of("axis", Attribute.of(-1L)), x), 0, 1);
    Tensor r = run("argmax", Map.of("axis", Attribute.of(0L), "keepdims", Attribute.of(0L)), x);
    assertArrayEquals(new long[] {3}, r.shape());
    assertEquals(DType.I64, r.dtype());
    assertLongs(r, 1, 0, 0);
    assertLongs(run("argmax", Map.of(), f32(1f, Float.NaN, 5f, Float.NaN)), 1);
    assertLongs(run("argmin", Map.of(), f32(1f, Float.NaN, -5f)), 1);
  }

  @Test
  void meanAndLogSumExpAgreeWithTheirDecompositions() {
    Tensor x = KernelHarness.random(DType.F32, 7, 5, 3, 4, 5);
    for (Map<String, Attribute> a : List.of(axes(0, 1), axes(1, 0, 2), Map.<String, Attribute>of(), axes(0, -1))) {
      assertClose(run("reduce_mean", a, x), runExpanded("reduce_mean", a, x), 1e-5, 1e-6);
      assertClose(run("reduce_log_sum_exp", a, x), runExpanded("reduce_log_sum_exp", a, x), 1e-5, 1e-6);
    }
    assertValues(run("reduce_mean", axes(0, 1), X), 2, 5);
    assertLongs(run("reduce_mean", axes(0, 0), KernelHarness.of(DType.I32, -3, 0)), -1);
    // Large values would overflow a naive exp.
    assertValues(run("reduce_log_sum_exp", axes(0, 0), f32(1000f, 1000f)), 1000 + Math.log(2));
    assertValues(runExpanded("reduce_log_sum_exp", axes(0, 0), f32(1000f, 1000f)), 1000 + Math.log(2));
  }

  @Test
  void meanOverASymbolicAxisCountsAtRunTime() {
    TensorType t = TensorType.of(DType.F32, Dim.sym("N"), Dim.of(2));
    Graph g = KernelHarness.graph("reduce_mean", axes(0, 0), true, List.of(t));
    Tensor x = f32(new long[] {3, 2}, 1f, 10f, 2f, 20f, 6f, 60f);
    Tensor r = (Tensor) new Interpreter().run(g, List.of(x)).get(0);
    assertValues(r, 3, 30);
  }

  @Test
  void axesAsARunTimeOperand() {
    Map<String, Attribute> keep0 = Map.of("keepdims", Attribute.of(0L));
    assertValues(run("reduce_sum", keep0, X, KernelHarness.i64(1)), 6, 15);
    assertValues(run("reduce_sum", keep0, X, KernelHarness.i64()), 21);   // empty: every axis
    Map<String, Attribute> noop = Map.of("keepdims", Attribute.of(0L), "noop_with_empty_axes", Attribute.of(1L));
    assertValues(run("reduce_sum", noop, X, KernelHarness.i64()), 1, 2, 3, 4, 5, 6);
    Tensor x = KernelHarness.random(DType.F32, 3, 4, 2, 3, 4);
    for (long[] ax : new long[][] {{0}, {-1, 1}, {}}) {
      Tensor axesT = KernelHarness.i64(ax);
      assertClose(run("reduce_mean", Map.of(), x, axesT), runExpanded("reduce_mean", Map.of(), x, axesT), 1e-5, 1e-6);
      assertClose(run("reduce_log_sum_exp", keep0, x, axesT), runExpanded("reduce_log_sum_exp", keep0, x, axesT), 1e-5, 1e-6);
    }
    TensorType t = TensorType.of(DType.F32, Dim.sym("N"), Dim.of(1), Dim.of(5));
    TensorType a2 = TensorType.of(DType.I64, 2);
    TensorType kept = KernelHarness.infer("reduce_sum", Map.of(), t, a2);
    assertEquals(3, kept.rank());
    assertEquals(Dim.of(1), kept.shape().dim(1));
    assertEquals(1, KernelHarness.infer("reduce_sum", keep0, t, a2).rank());
    assertThrows(IrException.class, () -> KernelHarness.infer("reduce_sum", keep0, t, TensorType.of(DType.I32, 2)));
    assertThrows(IrException.class, () -> KernelHarness.infer("reduce_sum", axes(0, 1), t, a2));
  }

  @Test
  void shapeInference() {
    TensorType t = TensorType.of(DType.F32, Dim.sym("N"), Dim.of(4), Dim.of(5));
    assertEquals(TensorType.of(DType.F32, Dim.sym("N"), Dim.of(5)), KernelHarness.infer("reduce_sum", axes(0, 1), t));
    assertEquals(TensorType.of(DType.F32, Dim.of(1), Dim.of(4), Dim.of(1)), KernelHarness.infer("reduce_max", axes(1, 0, -1), t));
    assertEquals(TensorType.of(DType.I64, Dim.sym("N"), Dim.of(1), Dim.of(5)),
        KernelHarness.infer("argmax", Map.of("axis", Attribute.of(1L)), t));
    assertThrows(IrException.class, () -> KernelHarness.infer("reduce_sum", axes(0, 3), t));
    assertThrows(IrException.class, () -> KernelHarness.infer("reduce_sum", axes(0, 1, -2), t));
    assertThrows(IrException.class, () -> KernelHarness.infer("reduce_sum", axes(0, 0), TensorType.of(DType.BOOL, 2)));
    assertThrows(IrException.class, () -> KernelHarness.infer("reduce_log_sum_exp", axes(0, 0), TensorType.of(DType.I32, 2)));
  }
}
