package dev.weft.ir.ops;

import static dev.weft.ir.ops.NnTesting.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.bundle.DType;
import dev.weft.bundle.Tensor;
import dev.weft.ir.Attribute;
import dev.weft.ir.IrException;
import java.util.Map;
import org.junit.jupiter.api.Test;

class MatmulOpsTest {
  @Test
  void twoByTwo() {
    Tensor y = run1("matmul", Map.of(), f(s(2, 3), 1, 2, 3, 4, 5, 6), f(s(3, 2), 7, 8, 9, 10, 11, 12));
    assertTensor(y, s(2, 2), 58, 64, 139, 154);
  }

  @Test
  void vectorOperandsArePromotedAndSqueezed() {
    assertTensor(run1("matmul", Map.of(), f(s(3), 1, 2, 3), f(s(3, 2), 1, 0, 0, 1, 1, 1)), s(2), 4, 5);
    assertTensor(run1("matmul", Map.of(), f(s(2, 3), 1, 2, 3, 4, 5, 6), f(s(3), 1, 1, 1)), s(2), 6, 15);
    assertTensor(run1("matmul", Map.of(), f(s(3), 1, 2, 3), f(s(3), 4, 5, 6)), s(), 32);
  }

  @Test
  void batchDimsBroadcast() {
    // a: [2,1,1,2] (two row vectors), b: [3,2,1] (three column vectors) -> [2,3,1,1].
    Tensor y = run1("matmul", Map.of(), f(s(2, 1, 1, 2), 1, 2, 3, 4), f(s(3, 2, 1), 1, 0, 0, 1, 1, 1));
    assertTensor(y, s(2, 3, 1, 1), 1, 2, 3, 3, 4, 7);
  }

  @Test
  void integerWithZeroPointsAccumulatesInI32() {
    Tensor a = Tensor.of(DType.U8, s(2, 2), 200, 3, 4, 5);
    Tensor b = Tensor.of(DType.I8, s(2, 2), -1, 2, 3, -4);
    Tensor y = run1("matmul", Map.of("result_type", Attribute.of(DType.I32)), a, b, Tensor.of(DType.U8, s(), 1), null);
    assertEquals(DType.I32, y.dtype());
    // (a - 1) = [[199, 2], [3, 4]]
    assertTensor(y, s(2, 2), -199 + 6, 398 - 8, -3 + 12, 6 - 16);
  }

  @Test
  void transposeFlagsReadTheOperandWithItsLastTwoDimsSwapped() {
    // a stored as [3,2] = transpose of [[1,2,3],[4,5,6]]; b stored as [2,3] = transpose of [[7,8],[9,10],[11,12]].
    Tensor at = f(s(3, 2), 1, 4, 2, 5, 3, 6);
    Tensor bt = f(s(2, 3), 7, 9, 11, 8, 10, 12);
    Tensor a = f(s(2, 3), 1, 2, 3, 4, 5, 6);
    Tensor b = f(s(3, 2), 7, 8, 9, 10, 11, 12);
    // Hand-computed [[1,2,3],[4,5,6]] x [[7,8],[9,10],[11,12]] = [[58,64],[139,154]].
    assertTensor(run1("matmul", Map.of("transpose_a", Attribute.of(1L)), at, b), s(2, 2), 58, 64, 139, 154);
    assertTensor(run1("matmul", Map.of("transpose_b", Attribute.of(1L)), a, bt), s(2, 2), 58, 64, 139, 154);
    assertTensor(run1("matmul", Map.of("transpose_a", Attribute.of(1L), "transpose_b", Attribute.of(1L)), at, bt),
        s(2, 2), 58, 64, 139, 154);
    assertTensor(run1("matmul", Map.of("transpose_a", Attribute.of(0L)), a, b), s(2, 2), 58, 64, 139, 154);
  }

  @Test
  void transposeFlagsWithBatchDimsAgreeWithAnExplicitTranspose() {
    Tensor a = random(3, 2, 3, 4, 5);   // [2,3,4,5]
    Tensor b = random(4, 3, 4, 5);      // [3,4,5]: read as [3,5,4] with transpose_b
    Tensor bt = run1("transpose", Map.of("perm", Attribute.of(0L, 2L, 1L)), b);
    Tensor want = run1("matmul", Map.of(), a, bt);
    Tensor got = run1("matmul", Map.of("transpose_b", Attribute.of(1L)), a, b);
    assertEquals(java.util.Arrays.toString(want.shape()), java.util.Arrays.toString(got.shape()));
    for (long i = 0; i < want.size(); i++) assertEquals(want.getDouble(i), got.getDouble(i), 0.0, "element " + i);
  }

  @Test
  void transposeFlagsAreCheckedByInference() {
    // rank 1 cannot swap; 2 is not a flag; shapes read after the swap.
    assertThrows(IrException.class, () -> run1("matmul", Map.of("transpose_a", Attribute.of(1L)), f(s(3), 1, 2, 3), f(s(3, 1), 1, 2, 3)));
    assertThrows(IrException.class, () -> run1("matmul", Map.of("transpose_b", Attribute.of(2L)), f(s(1, 1), 1), f(s(1, 1), 1)));
    assertThrows(IrException.class, () -> run1("matmul", Map.of("transpose_b", Attribute.of(1L)), f(s(2, 3), 1, 2, 3, 4, 5, 6),
        f(s(3, 2), 1, 2, 3, 4, 5, 6)));
  }

  @Test
  void mismatchedContractingDimsAreRejected() {
    assertThrows(IrException.class, () -> run1("matmul", Map.of(), f(s(2, 3), 1, 2, 3, 4, 5, 6), f(s(2, 2), 1, 2, 3, 4)));
  }

  @Test
  void bertSizedMatmulIsFast() {
    Tensor a = random(1, 128, 768), b = random(2, 768, 3072);
    run1("matmul", Map.of(), a, b); // warm-up
    long t0 = System.nanoTime();
    Tensor y = run1("matmul", Map.of(), a, b);
    double s = (System.nanoTime() - t0) / 1e9;
    assertTrue(s < 5, "128x768x3072 matmul took " + s + " s");
    double ref = 0;
    for (int k = 0; k < 768; k++) ref += a.getDouble(5 * 768 + k) * b.getDouble(k * 3072L + 7);
    assertEquals(ref, y.getDouble(5 * 3072 + 7), 1e-3);
  }
}
