package dev.weft.codegen.lower;

import static dev.weft.codegen.lower.LayoutTestSupport.attrs;
import static dev.weft.codegen.lower.LoweringCheck.check;
import static dev.weft.codegen.lower.LoweringCheck.random;

import dev.weft.bundle.DType;
import dev.weft.bundle.Tensor;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * scatter_elements and scatter_nd with every reduction, duplicate and negative indices. Integer
 * results are exact; float add/mul combine the updates in another order than the interpreter's
 * sequential one, hence rtol 1e-5 there.
 */
class ScatterLoweringTest {
  static final double RTOL = 1e-5;
  static final double ATOL = 1e-6;

  /** Indices in [-d, d), so duplicates and negative positions both occur. */
  static Tensor indices(long seed, long d, long... shape) {
    Random r = new Random(seed);
    Tensor x = Tensor.zeros(DType.I64, shape);
    for (long i = 0; i < x.size(); i++) x.setLong(i, r.nextLong(-d, d));
    return x;
  }

  @ParameterizedTest
  @ValueSource(strings = {"none", "add", "mul", "max", "min"})
  void scatterElementsEveryAxis(String reduction) {
    Tensor x = random(DType.F32, 1, 10, 4, 5, 3);
    for (long axis = -3; axis < 3; axis++) {
      int a = (int) Math.floorMod(axis, 3);
      long[] is = {3, 4, 2};
      is[a] = 6; // more updates than positions on the axis: duplicates
      Tensor ind = indices(axis + 7, x.dim(a), is);
      check("scatter_elements", attrs("axis", axis, "reduction", reduction), RTOL, ATOL, x, ind, random(DType.F32, axis + 20, 10, is));
    }
    Tensor xi = random(DType.I32, 2, 1000, 3, 4);
    check("scatter_elements", attrs("axis", 1L, "reduction", reduction), 0, 0, xi, indices(3, 4, 3, 7), random(DType.I32, 4, 1000, 3, 7));
    Tensor xb = random(DType.BOOL, 5, 1, 2, 5);
    check("scatter_elements", attrs("axis", 1L, "reduction", reduction), 0, 0, xb, indices(6, 5, 2, 3), random(DType.BOOL, 7, 1, 2, 3));
    check("scatter_elements", attrs("reduction", reduction), 0, 0, xi, indices(8, 3, 0, 4), random(DType.I32, 9, 10, 0, 4));
  }

  @ParameterizedTest
  @ValueSource(strings = {"none", "add", "mul", "max", "min"})
  void scatterNdTuplesAndSlices(String reduction) {
    Tensor x = random(DType.F32, 10, 10, 4, 3, 5);
    Tensor full = Tensor.zeros(DType.I64, 2, 5, 3);
    Random r = new Random(11);
    for (long t = 0; t < 10; t++) {
      full.setLong(t * 3, r.nextLong(-4, 4));
      full.setLong(t * 3 + 1, r.nextLong(-3, 3));
      full.setLong(t * 3 + 2, r.nextLong(-5, 5));
    }
    check("scatter_nd", attrs("reduction", reduction), RTOL, ATOL, x, full, random(DType.F32, 12, 10, 2, 5));
    Tensor rows = indices(13, 4, 6, 1);
    check("scatter_nd", attrs("reduction", reduction), RTOL, ATOL, x, rows, random(DType.F32, 14, 10, 6, 3, 5));
    Tensor xi = random(DType.I64, 15, 1000, 5, 2);
    check("scatter_nd", attrs("reduction", reduction), 0, 0, xi, indices(16, 5, 8, 1), random(DType.I64, 17, 1000, 8, 2));
  }
}
