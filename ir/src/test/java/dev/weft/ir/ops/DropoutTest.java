package dev.weft.ir.ops;

import static dev.weft.ir.ops.NnTesting.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.bundle.Tensor;
import dev.weft.ir.Attribute;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The dropout composite: run-time ratio and training flags, seeded draws, kernel == decomposition. */
class DropoutTest {
  static Tensor ratio(double r) { return f(s(), r); }

  static Tensor flag(boolean b) { return Tensor.ofBools(s(), b); }

  static final Map<String, Attribute> SEED = Map.of("seed", Attribute.of(42L));

  @Test
  void zeroRatioInTrainingIsIdentityWithFullMask() {
    // ONNX test_training_dropout_zero_ratio{,_mask}: the ratio is a graph input, not a constant.
    Tensor x = f(s(2, 2), 1, -2, 3, 0.5);
    for (boolean decomposed : new boolean[] {false, true}) {
      List<Tensor> r = run("dropout", SEED, decomposed, x, ratio(0), flag(true));
      assertTensor(r.get(0), s(2, 2), 1, -2, 3, 0.5);
      assertTensor(r.get(1), s(2, 2), 1, 1, 1, 1);
    }
  }

  @Test
  void inferenceIgnoresTheRatio() {
    Tensor x = f(s(3), 1, 2, 3);
    for (boolean decomposed : new boolean[] {false, true}) {
      List<Tensor> r = run("dropout", SEED, decomposed, x, ratio(0.9), flag(false));
      assertTensor(r.get(0), s(3), 1, 2, 3);
      assertTensor(r.get(1), s(3), 1, 1, 1);
    }
  }

  @Test
  void trainingKeepsAboutOneMinusRatioAndScalesKeptValues() {
    Tensor x = Tensor.zeros(dev.weft.bundle.DType.F32, 10_000);
    for (long i = 0; i < x.size(); i++) x.setFloat(i, 1);
    List<Tensor> r = run("dropout", SEED, x, ratio(0.25), flag(true));
    int kept = 0;
    for (long i = 0; i < x.size(); i++) {
      boolean keep = r.get(1).getBool(i);
      kept += keep ? 1 : 0;
      assertEquals(keep ? 1 / 0.75 : 0, r.get(0).getDouble(i), 1e-6);
    }
    assertTrue(Math.abs(kept - 7500) < 300, "kept " + kept + " of 10000 at ratio 0.25");
    // Same seed, same mask; another seed, another mask.
    assertTrue(java.util.Arrays.equals(r.get(1).toLongArray(), run("dropout", SEED, x, ratio(0.25), flag(true)).get(1).toLongArray()));
    assertTrue(!java.util.Arrays.equals(r.get(1).toLongArray(),
        run("dropout", Map.of("seed", Attribute.of(7L)), x, ratio(0.25), flag(true)).get(1).toLongArray()));
  }

  @Test
  void kernelAndDecompositionAgree() {
    assertTrue(available("random_uniform", "greater_equal", "select", "cast", "not", "or"));
    Tensor x = random(3, 4, 5, 6);
    List<Tensor> k = run("dropout", SEED, false, x, ratio(0.4), flag(true));
    List<Tensor> d = run("dropout", SEED, true, x, ratio(0.4), flag(true));
    assertClose(k.get(0), d.get(0), 1e-6);
    assertTrue(java.util.Arrays.equals(k.get(1).toLongArray(), d.get(1).toLongArray()), "masks differ");
  }
}
