package dev.weft.ir.ops;

import static dev.weft.ir.ops.OpHarness.*;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.bundle.DType;
import dev.weft.bundle.Tensor;
import dev.weft.ir.Attribute;
import dev.weft.ir.IrException;
import dev.weft.ir.TensorType;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** tree_ensemble (ONNX TreeEnsemble-5) against hand-walked trees. */
class MlOpsTest {
  /**
   * Tree A (root 0): x0 <= 1 ? leaf0 (10 -> t0) : node1; node1: x1 in {2, 3} (NaN goes true)
   * ? leaf1 (20 -> t1) : leaf2 (30 -> t0). Tree B (root 2): x1 > 5 ? leaf3 (1 -> t1) : leaf4 (2 -> t1).
   */
  static Map<String, Attribute> forest(String aggregate, String transform) {
    Map<String, Attribute> a = new HashMap<>();
    a.put("n_targets", Attribute.of(2L));
    a.put("aggregate_function", Attribute.of(aggregate));
    a.put("post_transform", Attribute.of(transform));
    a.put("tree_roots", ints(0, 2));
    a.put("nodes_modes", ints(0, 6, 3));
    a.put("nodes_featureids", ints(0, 1, 1));
    a.put("nodes_splits", new Attribute.Floats(new double[] {1, Double.NaN, 5}));
    a.put("nodes_truenodeids", ints(0, 1, 3));
    a.put("nodes_trueleafs", ints(1, 1, 1));
    a.put("nodes_falsenodeids", ints(1, 2, 4));
    a.put("nodes_falseleafs", ints(0, 1, 1));
    a.put("nodes_missing_value_tracks_true", ints(0, 1, 0));
    a.put("membership_values", new Attribute.Floats(new double[] {2, 3, Double.NaN}));
    a.put("leaf_targetids", ints(0, 1, 0, 1, 1));
    a.put("leaf_weights", new Attribute.Floats(new double[] {10, 20, 30, 1, 2}));
    return a;
  }

  static final Tensor X = f32(s(4, 2), 0.5f, 9, 2, 3, 2, Float.NaN, 2, 4);

  @Test
  void sumWalksEveryTree() {
    Tensor y = run1("tree_ensemble", forest("SUM", "NONE"), X);
    assertArrayEquals(s(4, 2), y.shape());
    assertArrayEquals(new float[] {10, 1, 0, 22, 0, 22, 30, 2}, y.toFloatArray());
  }

  @Test
  void averageMaxAndLogistic() {
    assertArrayEquals(new float[] {5, 0.5f, 0, 11, 0, 11, 15, 1}, run1("tree_ensemble", forest("AVERAGE", "NONE"), X).toFloatArray());
    Tensor max = run1("tree_ensemble", forest("MAX", "NONE"), X);
    assertEquals(-Float.MAX_VALUE, max.getFloat(2), "a target no leaf reached keeps the start value");
    assertEquals(20, max.getFloat(3));
    Tensor lg = run1("tree_ensemble", forest("SUM", "LOGISTIC"), X);
    assertEquals(1 / (1 + Math.exp(-1)), lg.getFloat(1), 1e-6);
    Tensor sm = run1("tree_ensemble", forest("SUM", "SOFTMAX"), X);
    assertEquals(1 / (1 + Math.exp(-28)), sm.getFloat(6), 1e-6);
  }

  @Test
  void probitIsTheNormalQuantile() {
    assertEquals(0, MlOps.probit(0.5), 1e-12);
    assertEquals(1.959963984540054, MlOps.probit(0.975), 1e-9);
    assertTrue(Double.isNaN(MlOps.probit(1.5)));
  }

  @Test
  void badForestsAreTypedErrors() {
    Map<String, Attribute> a = forest("SUM", "NONE");
    a.put("leaf_targetids", ints(0, 1, 0, 1, 2));
    assertThrows(IrException.class, () -> infer("tree_ensemble", a, TensorType.of(DType.F32, 4, 2)));
    Map<String, Attribute> b = forest("SUM", "NONE");
    b.put("membership_values", new Attribute.Floats(new double[] {2, 3}));
    assertThrows(IrException.class, () -> infer("tree_ensemble", b, TensorType.of(DType.F32, 4, 2)));
    // node 0's false branch points back to node 0: a cycle, caught while walking.
    Map<String, Attribute> c = forest("SUM", "NONE");
    c.put("nodes_falsenodeids", ints(0, 2, 4));
    RuntimeException e = assertThrows(RuntimeException.class, () -> run1("tree_ensemble", c, X));
    assertTrue(e.getMessage().contains("cycle"), e.getMessage());
  }
}
