package dev.weft.ir.ops;

import static dev.weft.ir.ops.NnTesting.*;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.bundle.DType;
import dev.weft.bundle.Tensor;
import dev.weft.ir.Attribute;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Composite kernels against hand-computed values, and against their own decompositions. */
class CompositesTest {
  @Test
  void softmaxFamily() {
    Tensor x = f(s(3), 1, 2, 3);
    assertTensor(run1("softmax", Map.of(), x), s(3), 0.09003057, 0.24472847, 0.66524096);
    assertTensor(run1("log_softmax", Map.of(), x), s(3), -2.40760596, -1.40760596, -0.40760596);
    assertTensor(run1("hardmax", Map.of(), f(s(2, 2), 1, 3, 5, 5)), s(2, 2), 0, 1, 1, 0);
    assertTensor(run1("lp_normalization", Map.of("p", Attribute.of(2L)), f(s(2), 3, 4)), s(2), 0.6, 0.8);
  }

  @Test
  void layerNormReturnsStatistics() {
    List<Tensor> r = run("layer_norm", Map.of("epsilon", Attribute.of(0.0)), f(s(1, 4), 1, 2, 3, 4));
    assertTensor(r.get(0), s(1, 4), -1.3416408, -0.4472136, 0.4472136, 1.3416408);
    assertTensor(r.get(1), s(1, 1), 2.5);
    assertTensor(r.get(2), s(1, 1), 0.8944272);
  }

  @Test
  void batchNormInference() {
    Tensor y = run1("batch_norm", Map.of("epsilon", Attribute.of(0.0)), f(s(1, 2, 1, 1), 1, 2), f(s(2), 2, 1), f(s(2), 0, 1),
        f(s(2), 0, 1), f(s(2), 1, 4));
    assertTensor(y, s(1, 2, 1, 1), 2, 1.5);
  }

  @Test
  void rnnStep() {
    List<Tensor> r = run("rnn", Map.of("hidden_size", Attribute.of(1L)), f(s(1, 1, 1), 1), f(s(1, 1, 1), 0.5), f(s(1, 1, 1), 0));
    assertTensor(r.get(0), s(1, 1, 1, 1), Math.tanh(0.5));
    assertTensor(r.get(1), s(1, 1, 1), Math.tanh(0.5));
  }

  @Test
  void lstmStepWithHandComputedGates() {
    // One unit, zero weights except the input weights: i = o = f = sigmoid(1), c~ = tanh(1).
    List<Tensor> r = run("lstm", Map.of("hidden_size", Attribute.of(1L)), f(s(1, 1, 1), 1), f(s(1, 4, 1), 1, 1, 1, 1),
        f(s(1, 4, 1), 0, 0, 0, 0));
    double sg = 1 / (1 + Math.exp(-1)), c = sg * Math.tanh(1);
    assertTensor(r.get(2), s(1, 1, 1), c);
    assertTensor(r.get(1), s(1, 1, 1), sg * Math.tanh(c));
  }

  @Test
  void resizeModes() {
    Tensor x = f(s(1, 2), 1, 2);
    Map<String, Attribute> nearest = Map.of("coordinate_transformation_mode", Attribute.of("asymmetric"), "nearest_mode", Attribute.of("floor"));
    assertTensor(run1("resize", nearest, x, null, f(s(2), 1, 2)), s(1, 4), 1, 1, 2, 2);
    assertTensor(run1("resize", Map.of("mode", Attribute.of("linear")), x, null, f(s(2), 1, 2)), s(1, 4), 1, 1.25, 1.75, 2);
    assertTensor(run1("resize", Map.of("mode", Attribute.of("linear"), "coordinate_transformation_mode", Attribute.of("align_corners")),
        x, null, null, Tensor.ofLongs(s(2), 1, 3)), s(1, 3), 1, 1.5, 2);
  }

  @Test
  void einsum() {
    Tensor m = f(s(2, 2), 1, 2, 3, 4);
    assertTensor(run1("einsum", Map.of("equation", Attribute.of("ii->")), m), s(), 5);
    assertTensor(run1("einsum", Map.of("equation", Attribute.of("ij->ji")), m), s(2, 2), 1, 3, 2, 4);
    assertTensor(run1("einsum", Map.of("equation", Attribute.of("ij,jk")), m, m), s(2, 2), 7, 10, 15, 22);
    assertTensor(run1("einsum", Map.of("equation", Attribute.of("...j,...j->...")), m, m), s(2), 5, 25);
  }

  @Test
  void attentionMasksAndCausality() {
    Tensor q = f(s(1, 1, 1, 1), 1), k = f(s(1, 1, 2, 1), 0, 0), v = f(s(1, 1, 2, 1), 1, 3);
    assertTensor(run1("attention", Map.of(), q, k, v), s(1, 1, 1, 1), 2);
    assertTensor(run1("attention", Map.of("is_causal", Attribute.of(1L)), q, k, v), s(1, 1, 1, 1), 1);
    assertTensor(run1("attention", Map.of(), q, k, v, Tensor.ofBools(s(2), false, true)), s(1, 1, 1, 1), 3);
    assertTensor(run1("attention", Map.of(), q, k, v, Tensor.ofBools(s(2), false, false)), s(1, 1, 1, 1), 0);
  }

  // ---- kernel == decomposition ----

  private static void agree(String op, Map<String, Attribute> attrs, String[] needs, Tensor... in) {
    assertTrue(available(needs), op + ": its decomposition needs core ops " + String.join(", ", needs));
    List<Tensor> k = run(op, attrs, false, in);
    List<Tensor> d = run(op, attrs, true, in);
    for (int i = 0; i < k.size(); i++) assertClose(k.get(i), d.get(i), 1e-4);
  }

  private static final String[] REDUCE = {"reduce_max", "reduce_sum", "reduce_mean"};
  private static final String[] SHAPE = {"reduce_mean", "reshape", "shape_of"};

  @Test void softmaxAgrees() { agree("softmax", Map.of("axis", Attribute.of(1L)), REDUCE, random(1, 2, 5, 3)); }

  @Test void logSoftmaxAgrees() { agree("log_softmax", Map.of(), REDUCE, random(2, 4, 7)); }

  @Test void lpNormalizationAgrees() { agree("lp_normalization", Map.of("p", Attribute.of(1L)), REDUCE, random(3, 3, 4)); }

  @Test void lpNormalizationOfZerosIsZeroNotNaN() {
    // ONNX test_l2normalization_axis_0: a zero norm gives 0 (0/0 would be NaN), in kernel and decomposition.
    Map<String, Attribute> axis0 = Map.of("axis", Attribute.of(0L));
    Tensor x = f(s(2, 2), 3, 0, 4, 0);
    for (boolean decomposed : new boolean[] {false, true}) {
      assertTensor(run("lp_normalization", axis0, decomposed, x).get(0), s(2, 2), 0.6, 0, 0.8, 0);
    }
  }

  @Test void layerNormAgrees() {
    agree("layer_norm", Map.of("axis", Attribute.of(1L)), REDUCE, random(4, 2, 3, 4), random(5, 3, 4), random(6, 4));
  }

  @Test void rmsNormAgrees() { agree("rms_norm", Map.of(), REDUCE, random(7, 2, 6), random(8, 6)); }

  @Test void batchNormAgrees() {
    Tensor var = random(13, 3);
    for (int i = 0; i < 3; i++) var.setFloat(i, Math.abs(var.getFloat(i)) + 0.5f);
    agree("batch_norm", Map.of(), new String[] {"reshape"}, random(9, 2, 3, 4, 4), random(10, 3), random(11, 3), random(12, 3), var);
  }

  @Test void instanceNormAgrees() {
    agree("instance_norm", Map.of(), SHAPE, random(14, 2, 3, 5), random(15, 3), random(16, 3));
  }

  @Test void groupNormAgrees() {
    agree("group_norm", Map.of("num_groups", Attribute.of(2L)), SHAPE, random(17, 2, 4, 3), random(18, 4), random(19, 4));
    agree("group_norm", Map.of("num_groups", Attribute.of(2L)), SHAPE, random(17, 2, 4, 3), random(18, 2), random(19, 2));
  }

  @Test void mvnAgrees() { agree("mean_variance_normalization", Map.of(), REDUCE, random(20, 2, 3, 4, 5)); }

  @Test void lrnAgrees() {
    agree("lrn", Map.of("size", Attribute.of(3L)), new String[] {"pow", "reshape", "shape_of"}, random(21, 1, 5, 2, 2));
  }

  @Test void lpPoolAgrees() {
    agree("lp_pool", Map.of("kernel_shape", ints(2, 2), "p", Attribute.of(2L)), new String[] {"pow"}, random(22, 1, 2, 4, 4));
  }

  @Test void attentionAgrees() {
    String[] needs = {"transpose", "select", "reduce_max", "reduce_sum"};
    agree("attention", Map.of(), needs, random(23, 2, 2, 3, 4), random(24, 2, 2, 5, 4), random(25, 2, 2, 5, 6));
    agree("attention", Map.of("is_causal", Attribute.of(1L), "softcap", Attribute.of(2.0)), needs,
        random(23, 1, 2, 4, 4), random(24, 1, 2, 4, 4), random(25, 1, 2, 4, 3), random(26, 1, 1, 4, 4));
  }

  @Test void dynamicQuantizeAgrees() {
    agree("dynamic_quantize_linear", Map.of(), new String[] {"reduce_min", "reduce_max", "round", "cast"}, random(27, 3, 5));
  }

  static DType unused() { return DType.F32; }
}
