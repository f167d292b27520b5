package dev.weft.ir.ops;

import static dev.weft.ir.ops.NnTesting.*;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.weft.bundle.Tensor;
import dev.weft.ir.Attribute;
import dev.weft.ir.IrException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** linear_attention's recurrence, one head of size 1, stepped by hand. */
class LinearAttentionTest {
  private static final Tensor Q = f(s(1, 2, 1), 1, 2), K = f(s(1, 2, 1), 1, 1), V = f(s(1, 2, 1), 2, 3);
  private static final double LN_HALF = Math.log(0.5);

  private static Map<String, Attribute> attrs(String rule, long hq) {
    Map<String, Attribute> m = new HashMap<>();
    m.put("q_num_heads", Attribute.of(hq));
    m.put("kv_num_heads", Attribute.of(1L));
    m.put("scale", Attribute.of(1.0));
    m.put("update_rule", Attribute.of(rule));
    return m;
  }

  @Test
  void linearAccumulatesOuterProducts() {
    // S = 1*2 = 2, o = 1*2; S = 2 + 1*3 = 5, o = 2*5.
    List<Tensor> r = run("linear_attention", attrs("linear", 1), Q, K, V);
    assertTensor(r.get(0), s(1, 2, 1), 2, 10);
    assertTensor(r.get(1), s(1, 1, 1, 1), 5);
  }

  @Test
  void gatedDecaysTheStateFirst() {
    // S = 0 * 0.5 + 2 = 2, o = 2; S = 2 * 0.5 + 3 = 4, o = 8.
    List<Tensor> r = run("linear_attention", attrs("gated", 1), Q, K, V, null, f(s(1, 2, 1), LN_HALF, LN_HALF));
    assertTensor(r.get(0), s(1, 2, 1), 2, 8);
    assertTensor(r.get(1), s(1, 1, 1, 1), 4);
  }

  @Test
  void deltaWritesTheCorrection() {
    // v' = 0.5 (2 - 0) = 1, S = 1, o = 1; v' = 0.5 (3 - 1) = 1, S = 2, o = 4.
    List<Tensor> r = run("linear_attention", attrs("delta", 1), Q, K, V, null, null, f(s(1, 2, 1), 0.5, 0.5));
    assertTensor(r.get(0), s(1, 2, 1), 1, 4);
    assertTensor(r.get(1), s(1, 1, 1, 1), 2);
  }

  @Test
  void gatedDeltaFromAPastState() {
    // S = 1 * 0.5, v' = 2 - 0.5, S = 2, o = 2; S = 1, v' = 3 - 1, S = 3, o = 6.
    List<Tensor> r = run("linear_attention", attrs("gated_delta", 1), Q, K, V, f(s(1, 1, 1, 1), 1), f(s(1, 2, 1), LN_HALF, LN_HALF),
        f(s(1, 2, 1), 1, 1));
    assertTensor(r.get(0), s(1, 2, 1), 2, 6);
    assertTensor(r.get(1), s(1, 1, 1, 1), 3);
  }

  @Test
  void queryHeadsShareAKvHead() {
    // One kv head with S = 2 read by query heads 1 and 3.
    List<Tensor> r = run("linear_attention", attrs("linear", 2), f(s(1, 1, 2), 1, 3), f(s(1, 1, 1), 1), f(s(1, 1, 1), 2));
    assertTensor(r.get(0), s(1, 1, 2), 2, 6);
  }

  @Test
  void rulesCheckTheirOperands() {
    assertThrows(IrException.class, () -> run("linear_attention", attrs("gated", 1), Q, K, V));
    assertThrows(IrException.class, () -> run("linear_attention", attrs("linear", 1), Q, K, V, null, f(s(1, 2, 1), 0, 0)));
  }
}
