package dev.weft.codegen.lower;

import static dev.weft.codegen.lower.LayoutTestSupport.attrs;
import static dev.weft.codegen.lower.LayoutTestSupport.longs;
import static dev.weft.codegen.lower.LoweringCheck.check;
import static dev.weft.codegen.lower.LoweringCheck.random;

import dev.weft.bundle.DType;
import dev.weft.bundle.Tensor;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Seeded random shapes (ranks 1-4, dims 0-6 with many 1s) and random attributes for the core
 * layout ops, each exact against the interpreter.
 */
class RandomShapeLayoutTest {
  static long[] shape(Random r, int minDim) {
    long[] s = new long[1 + r.nextInt(4)];
    for (int i = 0; i < s.length; i++) {
      int k = r.nextInt(10);
      s[i] = k < 3 ? 1 : (k == 3 && minDim == 0 ? 0 : 2 + r.nextInt(5));
    }
    return s;
  }

  static long[] permutation(Random r, int n) {
    long[] p = new long[n];
    for (int i = 0; i < n; i++) p[i] = i;
    for (int i = n - 1; i > 0; i--) {
      int j = r.nextInt(i + 1);
      long t = p[i];
      p[i] = p[j];
      p[j] = t;
    }
    return p;
  }

  @ParameterizedTest
  @ValueSource(longs = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16})
  void randomLayoutOps(long seed) {
    Random r = new Random(seed);
    long[] s = shape(r, 0);
    int rank = s.length;
    Tensor x = random(r.nextBoolean() ? DType.F32 : DType.I16, seed, 100, s);
    check("transpose", attrs("perm", permutation(r, rank)), 0, 0, x);
    // reshape: the same elements regrouped as the shape read backwards, with a -1
    long[] back = new long[rank];
    for (int i = 0; i < rank; i++) back[i] = s[rank - 1 - i];
    if (Tensor.elementCount(s) > 0) back[r.nextInt(rank)] = -1;
    check("reshape", attrs("allowzero", Tensor.elementCount(s) == 0 ? 1L : 0L), 0, 0, x, longs(back));
    int axis = r.nextInt(rank);
    long[] starts = {r.nextInt(9) - 4};
    long[] ends = {r.nextInt(11) - 5};
    long[] steps = {r.nextBoolean() ? 1 + r.nextInt(3) : -1 - r.nextInt(3)};
    // (the interpreter's slice gives a one-element result for a negative step on an empty axis)
    if (s[axis] == 0) steps[0] = Math.abs(steps[0]);
    check("slice", Map.of(), 0, 0, x, longs(starts), longs(ends), longs(axis - rank), longs(steps));
    long[] pads = new long[2 * rank];
    for (int i = 0; i < pads.length; i++) pads[i] = r.nextInt(4) - 1;
    for (int i = 0; i < rank; i++) if (s[i] + pads[i] + pads[i + rank] < 0) pads[i] = pads[i + rank] = 0;
    boolean anyEmpty = Tensor.elementCount(s) == 0;
    String mode = anyEmpty ? "constant" : new String[] {"constant", "reflect", "edge", "wrap"}[r.nextInt(4)];
    check("pad", attrs("mode", mode), 0, 0, x, longs(pads));
    int n = 1 + r.nextInt(4);
    Tensor[] parts = new Tensor[n];
    for (int i = 0; i < n; i++) {
      long[] ps = s.clone();
      ps[axis] = r.nextInt(4);
      parts[i] = random(x.dtype(), seed * 10 + i, 100, ps);
    }
    check("concat", attrs("axis", (long) axis - (r.nextBoolean() ? rank : 0)), 0, 0, (Object[]) parts);
    if (s[axis] > 0) {
      Tensor ind = Tensor.zeros(DType.I64, shape(r, 1));
      for (long i = 0; i < ind.size(); i++) ind.setLong(i, r.nextLong(-s[axis], s[axis]));
      check("gather", attrs("axis", (long) axis), 0, 0, x, ind);
    }
    long[] reps = new long[rank];
    for (int i = 0; i < rank; i++) reps[i] = r.nextInt(3);
    check("tile", Map.of(), 0, 0, x, longs(reps));
  }
}
