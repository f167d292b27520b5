package dev.weft.frontend.torchscript.lower;

import static dev.weft.frontend.torchscript.lower.TsModules.*;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.bundle.Tensor;
import dev.weft.frontend.torchscript.TorchScriptException;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * scaled_dot_product_attention and _native_multi_head_attention onto the attention composite.
 * With q = [1, 0] against keys [1, 0], [0, 1] the scores are [1/sqrt(2), 0]; P = softmax of that:
 * p = e^(1/sqrt 2) / (e^(1/sqrt 2) + 1) = 0.6697615493266569.
 */
class AttentionLoweringTest {
  private static final double P = Math.exp(1 / Math.sqrt(2)) / (Math.exp(1 / Math.sqrt(2)) + 1);
  private static final double S = Math.E / (Math.E + 1);      // softmax([1, 0])[0]
  private static final Tensor K = f32(shape(1, 2, 2), 1, 0, 0, 1);
  private static final Tensor V = f32(shape(1, 2, 2), 1, 2, 3, 4);

  @Test
  void scaledDotProductAttention() {
    List<Tensor> r = run("q, k, v, m, f, q2", List.of(
        "_0 = torch.scaled_dot_product_attention(torch.unsqueeze(q, 1), torch.unsqueeze(k, 1), torch.unsqueeze(v, 1))",
        "return (torch.scaled_dot_product_attention(q, k, v), torch.scaled_dot_product_attention(q, k, v, m),",
        "  torch.scaled_dot_product_attention(q, k, v, f), torch.scaled_dot_product_attention(q, k, v, scale=1.),",
        "  torch.scaled_dot_product_attention(q2, k, v, is_causal=True), _0)"),
        f32(shape(1, 1, 2), 1, 0), K, V, Tensor.ofBools(new long[] {1, 2}, true, false), f32(shape(1, 2), -1000, 0),
        f32(shape(1, 2, 2), 1, 0, 0, 1));
    assertFloats(r.get(0), shape(1, 1, 2), P + 3 * (1 - P), 2 * P + 4 * (1 - P));
    assertFloats(r.get(1), shape(1, 1, 2), 1, 2);                // bool mask: true attends
    assertFloats(r.get(2), shape(1, 1, 2), 3, 4);                // float mask: added
    assertFloats(r.get(3), shape(1, 1, 2), 3 - 2 * S, 4 - 2 * S);
    // causal: query 0 sees key 0 only; query 1 = [0, 1] scores [0, 1/sqrt 2]
    assertFloats(r.get(4), shape(1, 2, 2), 1, 2, 1 + 2 * P, 2 + 2 * P);
    assertFloats(r.get(5), shape(1, 1, 1, 2), P + 3 * (1 - P), 2 * P + 4 * (1 - P));
  }

  @Test
  void dropoutIsRefused() {
    TorchScriptException e = assertThrows(TorchScriptException.class, () -> run("q", List.of(
        "return torch.scaled_dot_product_attention(q, q, q, None, 0.10000000000000001)"), K));
    assertTrue(e.getMessage().contains("dropout_p"), e.getMessage());
  }

  private static final String MHA = "torch._native_multi_head_attention(x, x, x, 2, %d, w, b, pw, pb, %s)";
  private static final Tensor X = f32(shape(1, 2, 2), 1, 0, 0, 1);
  private static final Tensor W = f32(shape(6, 2), 1, 0, 0, 1, 1, 0, 0, 1, 1, 0, 0, 1);   // q, k, v projections = I
  private static final Tensor B = f32(shape(6), 0, 0, 0, 0, 0, 0);
  private static final Tensor PW = f32(shape(2, 2), 1, 0, 0, 1);
  private static final Tensor PB = f32(shape(2), 1, 1);

  @Test
  void nativeMultiHeadAttentionOneHead() {
    List<Tensor> r = run("x, w, b, pw, pb, kp, am", List.of(
        "o, a, = " + MHA.formatted(1, "None, True, True, None"),
        "o1, a1, = " + MHA.formatted(1, "kp, False, True, 1"),
        "o2, a2, = " + MHA.formatted(1, "am, True, False, 0"),
        "return (o, a, o1, a1, o2, a2)"),
        X, W, B, PW, PB, Tensor.ofBools(new long[] {1, 2}, false, true), Tensor.ofBools(new long[] {2, 2}, false, true, false, false));
    assertFloats(r.get(0), shape(1, 2, 2), 1 + P, 2 - P, 2 - P, 1 + P);
    assertFloats(r.get(1), shape(1, 2, 2), P, 1 - P, 1 - P, P);
    assertFloats(r.get(2), shape(1, 2, 2), 2, 1, 2, 1);           // key 1 padded away: true masks out
    assertFloats(r.get(3), shape(0));
    assertFloats(r.get(4), shape(1, 2, 2), 2, 1, 2 - P, 1 + P);
    assertFloats(r.get(5), shape(1, 1, 2, 2), 1, 0, 1 - P, P);   // per-head weights
  }

  @Test
  void nativeMultiHeadAttentionSplitsHeads() {
    // two heads of size 1: head 0 sees dim 0 ([1, 0]), head 1 dim 1 ([0, 1]); scale 1
    List<Tensor> r = run("x, w, b, pw, pb", List.of("return " + MHA.formatted(2, "None, True, True, None")), X, W, B, PW, PB);
    assertFloats(r.get(0), shape(1, 2, 2), 1 + S, 1.5, 1.5, 1 + S);
    assertFloats(r.get(1), shape(1, 2, 2), (S + 0.5) / 2, (1 - S + 0.5) / 2, (0.5 + 1 - S) / 2, (0.5 + S) / 2);
  }
}
