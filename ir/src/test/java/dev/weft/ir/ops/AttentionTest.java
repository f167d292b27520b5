package dev.weft.ir.ops;

import static dev.weft.ir.ops.NnTesting.*;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.weft.bundle.Tensor;
import dev.weft.ir.Attribute;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The attention composite's score outputs (qk_output_mode) and fully masked rows. */
class AttentionTest {
  // q = 2, keys 1 and 3 (D = 1, scale 1): scores 2, 6; softcap 4 gives 4 tanh(0.5), 4 tanh(1.5);
  // the float mask [0, -1] then gives 1.84846863, 2.62059301; softmax 0.31601974, 0.68398026;
  // y = 0.31601974 * 1 + 0.68398026 * 5.
  private static final Tensor Q = f(s(1, 1, 1, 1), 2), K = f(s(1, 1, 2, 1), 1, 3), V = f(s(1, 1, 2, 1), 1, 5);
  private static final Tensor MASK = f(s(1, 2), 0, -1);

  private static Map<String, Attribute> attrs(long mode) {
    Map<String, Attribute> m = new HashMap<>();
    m.put("softcap", Attribute.of(4.0));
    m.put("qk_output_mode", Attribute.of(mode));
    return m;
  }

  @Test
  void scoreOutputAtEachStage() {
    double[][] expected = {{2, 6}, {1.84846863, 3.62059301}, {1.84846863, 2.62059301}, {0.31601974, 0.68398026}};
    for (int mode = 0; mode < 4; mode++) {
      List<Tensor> r = run("attention", attrs(mode), Q, K, V, MASK);
      assertEquals(2, r.size());
      assertTensor(r.get(0), s(1, 1, 1, 1), 3.73592105);
      assertTensor(r.get(1), s(1, 1, 1, 2), expected[mode]);
    }
  }

  @Test
  void fullyMaskedRowHasZeroProbabilities() {
    Map<String, Attribute> m = Map.of("qk_output_mode", Attribute.of(3L));
    List<Tensor> r = run("attention", m, Q, K, V, Tensor.ofBools(s(1, 2), false, false));
    assertTensor(r.get(0), s(1, 1, 1, 1), 0);
    assertTensor(r.get(1), s(1, 1, 1, 2), 0, 0);
    List<Tensor> d = run("attention", m, true, Q, K, V, Tensor.ofBools(s(1, 2), false, false));
    assertTensor(d.get(0), s(1, 1, 1, 1), 0);
    assertTensor(d.get(1), s(1, 1, 1, 2), 0, 0);
  }

  @Test
  void kernelAndDecompositionAgreeOnEveryStage() {
    Tensor mask = random(5, 3, 5);
    for (long mode = 0; mode < 4; mode++) {
      Map<String, Attribute> m = Map.of("qk_output_mode", Attribute.of(mode), "softcap", Attribute.of(1.5), "is_causal", Attribute.of(1L),
          "causal_offset", Attribute.of(2L));
      Tensor q = random(1, 2, 2, 3, 4), k = random(2, 2, 2, 5, 4), v = random(3, 2, 2, 5, 6);
      List<Tensor> a = run("attention", m, q, k, v, mask), b = run("attention", m, true, q, k, v, mask);
      for (int i = 0; i < 2; i++) assertClose(a.get(i), b.get(i), 1e-4);
    }
  }
}
