package dev.weft.frontend.torchscript.lower;

import static dev.weft.frontend.torchscript.lower.TsModules.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.bundle.DType;
import dev.weft.bundle.Tensor;
import dev.weft.frontend.torchscript.TorchScriptException;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Activations, reductions, norms and indexing ops of the aten table, against hand-computed values. */
class CommonOpsLoweringTest {
  private static final Tensor X23 = f32(shape(2, 3), 1, 5, 2, 7, 0, 3);

  @Test
  void activations() {
    List<Tensor> r = run("x", List.of(
        "return (torch.silu(x), torch.leaky_relu(x, 0.20000000000000001), torch.hardswish(x), torch.hardsigmoid(x),",
        "  torch.relu6(x), torch.elu(x), torch.softplus(x), torch.sigmoid(x))"),
        f32(shape(4), -4, -1, 0, 1));
    assertFloats(r.get(0), shape(4), -4 / (1 + Math.exp(4)), -0.2689414213699951, 0, 0.7310585786300049);
    assertFloats(r.get(1), shape(4), -0.8, -0.2, 0, 1);
    assertFloats(r.get(2), shape(4), 0, -1 * (-1 / 6.0 + 0.5), 0, 1 * (1 / 6.0 + 0.5));
    assertFloats(r.get(3), shape(4), 0, 1 / 3.0, 0.5, 2 / 3.0);
    assertFloats(r.get(4), shape(4), 0, 0, 0, 1);
    assertFloats(r.get(5), shape(4), Math.exp(-4) - 1, -0.6321205588285577, 0, 1);
    assertFloats(r.get(6), shape(4), Math.log1p(Math.exp(-4)), Math.log1p(Math.exp(-1)), 0.6931471805599453, Math.log1p(Math.E));
    assertFloats(r.get(7), shape(4), 1 / (1 + Math.exp(4)), 0.2689414213699951, 0.5, 0.7310585786300049);
    List<Tensor> m = run("x, y", List.of("return (torch.maximum(x, y), torch.minimum(x, y), torch.clamp(x, 0, 2), torch.neg(x))"),
        f32(shape(3), 1, 5, -2), f32(shape(3), 3, 4, -1));
    assertFloats(m.get(0), shape(3), 3, 5, -1);
    assertFloats(m.get(1), shape(3), 1, 4, -2);
    assertFloats(m.get(2), shape(3), 1, 2, 0);
    assertFloats(m.get(3), shape(3), -1, -5, 2);
  }

  @Test
  void reductionsWithAndWithoutIndices() {
    List<Tensor> r = run("x", List.of(
        "v, i, = torch.max(x, 1)",
        "v0, i0, = torch.min(x, 0, True)",
        "_0 = torch.mul(x, torch.sub(torch.max(torch.size(x, 0), 1), torch.min([1, torch.size(x, 1)])))",
        "return (torch.amax(_0, [1]), torch.amin(x, [0], True), v, i, v0, i0, torch.max(x), torch.argmax(x),",
        "  torch.argmax(x, 1, True), torch.argmin(x, -1), torch.mean(x, [1], True), torch.sum(x, [0]))"), X23);
    assertFloats(r.get(0), shape(2), 5, 7);
    assertFloats(r.get(1), shape(1, 3), 1, 0, 2);
    assertFloats(r.get(2), shape(2), 5, 7);
    assertLongs(r.get(3), shape(2), 1, 0);
    assertFloats(r.get(4), shape(1, 3), 1, 0, 2);
    assertLongs(r.get(5), shape(1, 3), 0, 1, 0);
    assertFloats(r.get(6), shape(), 7);
    assertLongs(r.get(7), shape(), 3);
    assertLongs(r.get(8), shape(2, 1), 1, 0);
    assertLongs(r.get(9), shape(2), 0, 1);
    assertFloats(r.get(10), shape(2, 1), 8 / 3.0, 10 / 3.0);
    assertFloats(r.get(11), shape(3), 8, 5, 5);
  }

  @Test
  void statisticsAndNorms() {
    List<Tensor> r = run("x", List.of(
        "return (torch.var(x, [1]), torch.std(x, [1]), torch.var(x, False), torch.prod(x, 1), torch.logsumexp(x, [1]),",
        "  torch.cumsum(x, 1), torch.frobenius_norm(x, [1]), torch.norm(x, 1, [1]), torch.norm(x, 3, [1], True),",
        "  torch.linalg_vector_norm(x))"), X23);
    assertFloats(r.get(0), shape(2), 4.333333333333333, (58 - 100 / 3.0) / 2);
    assertFloats(r.get(1), shape(2), 2.0816659994661326, Math.sqrt((49 + 9 - 100 / 3.0) / 2));
    assertFloats(r.get(2), shape(), 34 / 6.0);
    assertFloats(r.get(3), shape(2), 10, 0);
    assertFloats(r.get(4), shape(2), Math.log(Math.exp(1) + Math.exp(5) + Math.exp(2)), Math.log(Math.exp(7) + 1 + Math.exp(3)));
    assertFloats(r.get(5), shape(2, 3), 1, 6, 8, 7, 7, 10);
    assertFloats(r.get(6), shape(2), Math.sqrt(30), Math.sqrt(58));
    assertFloats(r.get(7), shape(2), 8, 10);
    assertFloats(r.get(8), shape(2, 1), Math.cbrt(1 + 125 + 8), Math.cbrt(343 + 27));
    assertFloats(r.get(9), shape(), Math.sqrt(88));
    List<Tensor> c = run("x", List.of("return torch.cumsum(x, 0)"), Tensor.ofInts(new long[] {3}, 1, 2, 3));
    assertLongs(c.get(0), shape(3), 1, 3, 6);      // torch sums integers as i64
  }

  @Test
  void gathersFlipsRollsRepeats() {
    List<Tensor> r = run("x, i, j", List.of(
        "return (torch.index_select(x, 1, i), torch.gather(x, 1, j), torch.flip(x, [1]), torch.flip(x, [0, 1]),",
        "  torch.roll(x, [1], [1]), torch.roll(x, 1), torch.roll(x, [-1, 1], [0, 1]), torch.repeat(x, [1, 2]),",
        "  torch.repeat(x, [2, 1, 1]))"),
        X23, i64(shape(2), 2, 0), i64(shape(2, 2), 0, 0, 1, 0));
    assertFloats(r.get(0), shape(2, 2), 2, 1, 3, 7);
    assertFloats(r.get(1), shape(2, 2), 1, 1, 0, 7);
    assertFloats(r.get(2), shape(2, 3), 2, 5, 1, 3, 0, 7);
    assertFloats(r.get(3), shape(2, 3), 3, 0, 7, 2, 5, 1);
    assertFloats(r.get(4), shape(2, 3), 2, 1, 5, 3, 7, 0);
    assertFloats(r.get(5), shape(2, 3), 3, 1, 5, 2, 7, 0);
    assertFloats(r.get(6), shape(2, 3), 3, 7, 0, 2, 1, 5);
    assertFloats(r.get(7), shape(2, 6), 1, 5, 2, 1, 5, 2, 7, 0, 3, 7, 0, 3);
    assertFloats(r.get(8), shape(2, 2, 3), 1, 5, 2, 7, 0, 3, 1, 5, 2, 7, 0, 3);
  }

  @Test
  void triangleSortTopkEinsumFull() {
    Tensor m = f32(shape(3, 3), 1, 2, 3, 4, 5, 6, 7, 8, 9);
    List<Tensor> r = run("x, v", List.of(
        "vals, idx, = torch.topk(v, 2)",
        "s, si, = torch.sort(v)",
        "d, di, = torch.sort(v, 0, True)",
        "lo, lo_i, = torch.topk(v, 2, -1, False)",
        "_0 = torch.einsum(\"ij,jk->ik\", [x, x])",
        "return (torch.triu(x, 1), torch.tril(x), vals, idx, s, si, d, torch.argsort(v), lo, _0, torch.full([2], 1.5))"),
        m, f32(shape(5), 3, 1, 4, 0, 5));
    assertFloats(r.get(0), shape(3, 3), 0, 2, 3, 0, 0, 6, 0, 0, 0);
    assertFloats(r.get(1), shape(3, 3), 1, 0, 0, 4, 5, 0, 7, 8, 9);
    assertFloats(r.get(2), shape(2), 5, 4);
    assertLongs(r.get(3), shape(2), 4, 2);
    assertFloats(r.get(4), shape(5), 0, 1, 3, 4, 5);
    assertLongs(r.get(5), shape(5), 3, 1, 0, 2, 4);
    assertFloats(r.get(6), shape(5), 5, 4, 3, 1, 0);
    assertLongs(r.get(7), shape(5), 3, 1, 0, 2, 4);
    assertFloats(r.get(8), shape(2), 0, 1);
    // [[1,2,3],[4,5,6],[7,8,9]]^2
    assertFloats(r.get(9), shape(3, 3), 30, 36, 42, 66, 81, 96, 102, 126, 150);
    assertFloats(r.get(10), shape(2), 1.5, 1.5);
    assertEquals(DType.F32, r.get(10).dtype());
  }

  @Test
  void unsupportedArgumentsAreTypedErrorsWithTheSourceRange() {
    TorchScriptException e = assertThrows(TorchScriptException.class, () -> run("x", List.of("return torch.norm(x, \"nuc\")"), X23));
    assertTrue(e.getMessage().contains("code/__torch__.py:4:"), e.getMessage());
    assertThrows(TorchScriptException.class, () -> run("x", List.of("return torch.repeat(x, [2])"), X23));
    assertThrows(TorchScriptException.class, () -> run("x", List.of("return torch.pad(x, [1], \"constant\")"), X23));
  }
}
