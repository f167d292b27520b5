package dev.weft.codegen.lower;

import static dev.weft.codegen.lower.LayoutTestSupport.attrs;
import static dev.weft.codegen.lower.LayoutTestSupport.constant;
import static dev.weft.codegen.lower.LoweringCheck.check;
import static dev.weft.codegen.lower.LoweringCheck.random;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.weft.bundle.DType;
import dev.weft.bundle.Tensor;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * cum_sum/cum_prod (f64 accumulation like the interpreter, so f32 results agree to the last
 * rounding: rtol 1e-6), argmax/argmin and sort/top_k (exact), with ties, NaN and infinities.
 */
class OrderLoweringTest {
  /** Small integers as floats (many ties), with NaN, infinities and signed zeros mixed in. */
  static Tensor tiesAndSpecials(long seed, long... shape) {
    Tensor x = random(DType.F32, seed, 3, shape);
    float[] specials = {Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, -0f, 0f};
    java.util.Random r = new java.util.Random(seed);
    for (long i = 0; i < x.size(); i++) {
      x.setDouble(i, Math.rint(x.getDouble(i)));
      if (r.nextInt(5) == 0) x.setDouble(i, specials[r.nextInt(specials.length)]);
    }
    return x;
  }

  @Test
  void cumulativeSumAndProduct() {
    Tensor x = random(DType.F32, 1, 2, 3, 6, 4);
    for (long axis = -3; axis < 3; axis++) {
      for (long exclusive = 0; exclusive < 2; exclusive++) {
        for (long reverse = 0; reverse < 2; reverse++) {
          check("cum_sum", attrs("axis", axis, "exclusive", exclusive, "reverse", reverse), 1e-6, 1e-6, x);
          check("cum_prod", attrs("axis", axis, "exclusive", exclusive, "reverse", reverse), 1e-6, 1e-6, x);
        }
      }
    }
    check("cum_sum", Map.of(), 0, 0, random(DType.I32, 2, 1e9, 5, 7), constant(Tensor.scalar(DType.I64, 1)));
    check("cum_sum", attrs("axis", 0L, "reverse", 1L), 0, 0, random(DType.I64, 3, 100, 9));
    check("cum_sum", attrs("axis", 1L), 0, 0, random(DType.F32, 4, 1, 2, 0));
  }

  @Test
  void argExtremesWithTiesAndNaN() {
    Tensor x = tiesAndSpecials(5, 4, 7, 3);
    for (String op : new String[] {"argmax", "argmin"}) {
      for (long axis = -3; axis < 3; axis++) {
        for (long keep = 0; keep < 2; keep++) {
          for (long last = 0; last < 2; last++) {
            check(op, attrs("axis", axis, "keepdims", keep, "select_last_index", last), 0, 0, x);
          }
        }
      }
      check(op, attrs("axis", 1L), 0, 0, random(DType.I8, 6, 3, 5, 9));
      check(op, attrs("axis", 0L, "select_last_index", 1L), 0, 0, random(DType.U8, 7, 3, 6, 2));
      check(op, attrs("axis", 0L), 0, 0, random(DType.BOOL, 8, 1, 6, 2));
    }
  }

  @Test
  void stableSortBothDirections() {
    Tensor x = tiesAndSpecials(9, 3, 8, 2);
    for (long axis = -3; axis < 3; axis++) {
      check("sort", attrs("axis", axis), 0, 0, x);
      check("sort", attrs("axis", axis, "descending", 1L), 0, 0, x);
    }
    check("sort", Map.of(), 0, 0, random(DType.I32, 10, 4, 5, 9));
    check("sort", attrs("descending", 1L), 0, 0, random(DType.U8, 11, 4, 1, 17));
    check("sort", Map.of(), 0, 0, random(DType.F32, 12, 4, 3, 0));
  }

  @Test
  void topKLargestAndSmallest() {
    Tensor x = tiesAndSpecials(13, 4, 9);
    check("top_k", attrs("k", 3L), 0, 0, x);
    check("top_k", attrs("k", 4L, "largest", 0L, "axis", 0L), 0, 0, x);
    check("top_k", Map.of(), 0, 0, x, constant(Tensor.ofLongs(new long[] {1}, 9)));
    check("top_k", attrs("k", 0L), 0, 0, x);
    check("top_k", attrs("k", 2L), 0, 0, random(DType.I64, 14, 5, 3, 6));
  }

  @Test
  void longSortsAreRefused() {
    Tensor x = random(DType.F32, 15, 1, 1, 5000);
    assertThrows(LoweringException.class, () -> check("sort", Map.of(), 0, 0, x));
  }
}
