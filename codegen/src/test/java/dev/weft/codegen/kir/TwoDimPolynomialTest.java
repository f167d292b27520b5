package dev.weft.codegen.kir;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.bundle.DType;
import dev.weft.bundle.Tensor;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.LongBinaryOperator;
import org.junit.jupiter.api.Test;

/**
 * {@link TwoDimPolynomial} recovers the coefficients a quantity was generated from (the oracle is
 * the generator, never the fit), refuses what is no whole-number polynomial of degree 2 or less in
 * the two dims, and its index expression computes the same values in the kir {@link Evaluator}.
 */
class TwoDimPolynomialTest {
  private static long[] samples(LongBinaryOperator q, long maxB, long maxS) {
    long[] v = new long[TwoDimPolynomial.SAMPLES.length];
    for (int i = 0; i < v.length; i++) v[i] = q.applyAsLong(maxB + TwoDimPolynomial.SAMPLES[i][0], maxS + TwoDimPolynomial.SAMPLES[i][1]);
    return v;
  }

  private static TwoDimPolynomial fit(LongBinaryOperator q, long maxB, long maxS) {
    return TwoDimPolynomial.fit(samples(q, maxB, maxS), q.applyAsLong(maxB + TwoDimPolynomial.CHECK[0], maxS + TwoDimPolynomial.CHECK[1]),
        maxB, maxS, "the quantity");
  }

  @Test
  void recoversRandomQuadraticsAtManyMaxima() {
    Random r = new Random(7);
    for (int trial = 0; trial < 500; trial++) {
      long[] c = new long[6];
      for (int i = 0; i < 6; i++) c[i] = r.nextInt(41) - 20;
      long maxB = 1 + r.nextInt(64);
      long maxS = 1 + r.nextInt(512);
      LongBinaryOperator q = (b, s) -> c[0] + c[1] * b + c[2] * s + c[3] * b * s + c[4] * b * b + c[5] * s * s;
      assertArrayEquals(c, fit(q, maxB, maxS).c(), "coefficients at max (" + maxB + ", " + maxS + ")");
    }
  }

  @Test
  void attentionLikeQuantities() {
    // a row offset of scores [b, h=12, s, s] packed at run time, and an element count b*s*384
    assertArrayEquals(new long[] {0, 0, 0, 0, 0, 12}, fit((b, s) -> 12 * s * s, 4, 64).c());
    assertArrayEquals(new long[] {0, 0, 0, 384, 0, 0}, fit((b, s) -> 384 * b * s, 4, 64).c());
    assertArrayEquals(new long[] {-1, 0, 1, 0, 0, 0}, fit((b, s) -> s - 1, 4, 64).c());
    assertTrue(fit((b, s) -> 7, 4, 64).isConstant());
  }

  @Test
  void refusesCubicAndMixedDegreeThreeTerms() {
    List<LongBinaryOperator> cubic = List.of((b, s) -> b * b * b, (b, s) -> s * s * s, (b, s) -> b * b * s, (b, s) -> b * s * s,
        (b, s) -> 12 * b * s * s + s, (b, s) -> b * b * s * s);
    for (LongBinaryOperator q : cubic) {
      for (long[] max : new long[][] {{1, 1}, {4, 64}, {8, 128}, {3, 5}}) {
        KirException e = assertThrows(KirException.class, () -> fit(q, max[0], max[1]));
        assertTrue(e.getMessage().contains("no whole-number polynomial"), e.getMessage());
      }
    }
  }

  @Test
  void refusesHalfIntegerCoefficientsAndNonPolynomials() {
    assertThrows(KirException.class, () -> fit((b, s) -> s * (s + 1) / 2, 4, 64));
    assertThrows(KirException.class, () -> fit((b, s) -> (b * s) / 3, 4, 64));
    assertThrows(KirException.class, () -> fit((b, s) -> 1L << Math.min(b, 40), 4, 64));
    assertThrows(KirException.class, () -> TwoDimPolynomial.fit(new long[5], 0, 4, 64, "x"));
  }

  @Test
  void outsideFindsTripCountsBeyondTheStaticBound() {
    TwoDimPolynomial p = fit((b, s) -> b * s, 4, 64);
    assertNull(p.outside(1, 4, 1, 64, 256));
    long[] at = p.outside(1, 4, 1, 64, 255);
    assertNotNull(at);
    assertArrayEquals(new long[] {4, 64, 256}, at);
    assertNotNull(fit((b, s) -> s - 2, 4, 64).outside(1, 4, 1, 64, 62));
  }

  @Test
  void indexExpressionMatchesTheGeneratorInTheEvaluator() {
    long[] c = {5, -3, 2, 7, 1, -1};
    LongBinaryOperator q = (b, s) -> c[0] + c[1] * b + c[2] * s + c[3] * b * s + c[4] * b * b + c[5] * s * s;
    TwoDimPolynomial p = fit(q, 6, 9);
    ExprFactory f = new ExprFactory();
    Buffer out = new Buffer("out", DType.I64, new long[] {1});
    Expr e = p.expr(f, f.dim("b", 0), f.dim("s", 1));
    Kernel k = new Kernel("poly", List.of(out), List.of(), 0, List.of(new Kernel.Store(out, f.index(0), e)), "test");
    assertEquals(List.of("b", "s"), k.dims());
    for (long b = 1; b <= 6; b++) {
      for (long s = 1; s <= 9; s++) {
        Tensor t = Tensor.zeros(DType.I64, 1);
        Evaluator.run(k, Map.of(out, t), new long[] {b, s});
        assertEquals(q.applyAsLong(b, s), t.getLong(0), "at (" + b + ", " + s + ")");
      }
    }
    // a polynomial of s alone reads no b
    TwoDimPolynomial onlyS = fit((b, s) -> 4 * s * s + 1, 6, 9);
    assertEquals(false, onlyS.readsB());
    assertThrows(KirException.class, () -> onlyS.expr(f, null, null));
    onlyS.expr(f, null, f.dim("s", 0));
  }
}
