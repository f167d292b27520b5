package dev.weft.ir.ops;

import static dev.weft.ir.ops.KernelHarness.assertClose;
import static dev.weft.ir.ops.NnTesting.*;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.weft.bundle.DType;
import dev.weft.bundle.Tensor;
import dev.weft.ir.Attribute;
import dev.weft.ir.IrException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** nll_loss and softmax_cross_entropy_loss against hand-computed values and their decompositions. */
class LossOpsTest {
  private static final Tensor LP = f(s(2, 3), -1, -2, -3, -0.5, -1.5, -2.5);
  private static final Tensor TARGET = Tensor.ofLongs(s(2), 2, 0);
  private static final Tensor WEIGHT = f(s(3), 1, 2, 4);

  private static Map<String, Attribute> reduction(String r) { return Map.of("reduction", Attribute.of(r)); }

  private static Map<String, Attribute> ignoring(String r, long ii) {
    return Map.of("reduction", Attribute.of(r), "ignore_index", Attribute.of(ii));
  }

  @Test
  void nllReductions() {
    assertTensor(run1("nll_loss", reduction("none"), LP, TARGET), s(2), 3, 0.5);
    assertTensor(run1("nll_loss", reduction("sum"), LP, TARGET), s(), 3.5);
    assertTensor(run1("nll_loss", Map.of(), LP, TARGET), s(), 1.75);
  }

  @Test
  void nllWeightsScaleLossAndMeanDenominator() {
    assertTensor(run1("nll_loss", reduction("none"), LP, TARGET, WEIGHT), s(2), 12, 0.5);
    assertTensor(run1("nll_loss", reduction("sum"), LP, TARGET, WEIGHT), s(), 12.5);
    assertTensor(run1("nll_loss", Map.of(), LP, TARGET, WEIGHT), s(), 12.5 / 5);
  }

  @Test
  void nllIgnoredTargetsCountNowhere() {
    assertTensor(run1("nll_loss", ignoring("none", 2), LP, TARGET), s(2), 0, 0.5);
    assertTensor(run1("nll_loss", ignoring("mean", 2), LP, TARGET), s(), 0.5);
    assertTensor(run1("nll_loss", ignoring("mean", 2), LP, TARGET, WEIGHT), s(), 0.5);
    // An ignore_index outside [0, C) is never gathered.
    assertTensor(run1("nll_loss", ignoring("none", -1), LP, Tensor.ofLongs(s(2), -1, 1)), s(2), 0, 1.5);
    assertTensor(run("nll_loss", ignoring("none", -1), true, LP, Tensor.ofLongs(s(2), -1, 1)).get(0), s(2), 0, 1.5);
  }

  @Test
  void nllSpatialTargets() {
    // [N=1, C=2, d=2]: class 0 row is (-1, -2), class 1 row is (-3, -4).
    Tensor lp = f(s(1, 2, 2), -1, -2, -3, -4);
    assertTensor(run1("nll_loss", reduction("none"), lp, Tensor.ofInts(s(1, 2), 1, 0)), s(1, 2), 3, 2);
  }

  @Test
  void softmaxCrossEntropyReturnsLossAndLogProb() {
    List<Tensor> r = run("softmax_cross_entropy_loss", Map.of(), f(s(1, 3), 1, 2, 3), Tensor.ofLongs(s(1), 2));
    assertTensor(r.get(0), s(), 0.40760596);
    assertTensor(r.get(1), s(1, 3), -2.40760596, -1.40760596, -0.40760596);
  }

  @Test
  void badTargetsAreRejected() {
    assertThrows(IrException.class, () -> run1("nll_loss", Map.of(), LP, f(s(2), 0, 1)));
    assertThrows(IrException.class, () -> run1("nll_loss", Map.of(), LP, Tensor.ofLongs(s(2, 1), 0, 1)));
    assertThrows(IrException.class, () -> run1("nll_loss", reduction("avg"), LP, TARGET));
  }

  @Test
  void kernelsAgreeWithDecompositions() {
    Random rnd = new Random(7);
    Tensor x = random(3, 3, 4, 2, 5);
    Tensor target = Tensor.zeros(DType.I64, s(3, 2, 5));
    for (long i = 0; i < target.size(); i++) target.setLong(i, rnd.nextInt(4));
    target.setLong(3, -5);
    target.setLong(7, -5);
    Tensor w = Tensor.of(DType.F32, s(4), 0.5, 1, 2, 3);
    for (String op : new String[] {"nll_loss", "softmax_cross_entropy_loss"}) {
      for (String r : new String[] {"none", "sum", "mean"}) {
        Map<String, Attribute> a = new HashMap<>(ignoring(r, -5));
        for (Tensor weight : new Tensor[] {null, w}) {
          Tensor[] in = weight == null ? new Tensor[] {x, target} : new Tensor[] {x, target, weight};
          List<Tensor> k = run(op, a, false, in);
          List<Tensor> d = run(op, a, true, in);
          for (int i = 0; i < k.size(); i++) assertClose(k.get(i), d.get(i), 1e-5, 1e-6);
          assertClose(k.get(0), KernelHarness.runExpanded(op, a, in), 1e-5, 1e-6);
        }
      }
    }
    Tensor plain = Tensor.zeros(DType.I64, s(3, 2, 5));
    for (long i = 0; i < plain.size(); i++) plain.setLong(i, rnd.nextInt(4));
    assertClose(run1("nll_loss", Map.of(), x, plain), KernelHarness.runExpanded("nll_loss", Map.of(), x, plain), 1e-5, 1e-6);
  }
}
