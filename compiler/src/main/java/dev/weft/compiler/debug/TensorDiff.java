package dev.weft.compiler.debug;

import dev.weft.bundle.Tensor;

/**
 * How far a computed tensor is from the expected one, element by element, under
 * |got - want| <= atol + rtol * |want| with NaN masks required to match (RELIABILITY.md).
 *
 * @param maxAbs largest |got - want| (infinite when NaN masks differ)
 * @param maxRel largest |got - want| / |want| over elements with want != 0
 * @param worstIndex flat index of the largest absolute error (-1 when equal everywhere)
 * @param firstBad flat index of the first element out of tolerance (-1 when none)
 * @param badCount elements out of tolerance
 * @param got the value at {@code firstBad} (or {@code worstIndex}), for the report
 * @param want the expected value there
 */
public record TensorDiff(double maxAbs, double maxRel, long worstIndex, long firstBad, long badCount, long size,
                         double got, double want) {
  public boolean ok() { return badCount == 0; }

  public static TensorDiff of(Tensor got, Tensor want, double rtol, double atol) {
    if (got.size() != want.size()) throw new IllegalArgumentException("sizes differ: " + got.size() + " vs " + want.size());
    double maxAbs = 0;
    double maxRel = 0;
    long worst = -1;
    long first = -1;
    long bad = 0;
    for (long i = 0; i < want.size(); i++) {
      double g = got.getDouble(i);
      double w = want.getDouble(i);
      double err;
      if (Double.isNaN(g) || Double.isNaN(w)) {
        err = Double.isNaN(g) == Double.isNaN(w) ? 0 : Double.POSITIVE_INFINITY;
      } else if (g == w) {
        err = 0; // also equal infinities, whose difference would be NaN
      } else {
        err = Math.abs(g - w);
      }
      // NaN in both places is a match; |w| would make the bound NaN, so decide it by err alone
      boolean within = Double.isNaN(w) ? err == 0 : err <= atol + rtol * Math.abs(w);
      if (!within) {
        bad++;
        if (first < 0) first = i;
      }
      if (err > maxAbs || (worst < 0 && err > 0)) {
        maxAbs = err;
        worst = i;
      }
      if (w != 0 && !Double.isNaN(w) && !Double.isInfinite(w)) maxRel = Math.max(maxRel, err / Math.abs(w));
    }
    long at = first >= 0 ? first : worst;
    double gv = at >= 0 ? got.getDouble(at) : 0;
    double wv = at >= 0 ? want.getDouble(at) : 0;
    return new TensorDiff(maxAbs, maxRel, worst, first, bad, want.size(), gv, wv);
  }

  /** Row-major coordinates of a flat index, e.g. [0, 3, 1]. */
  public static String coordinates(long flat, long[] shape) {
    if (flat < 0) return "-";
    long[] c = new long[shape.length];
    long rest = flat;
    for (int d = shape.length - 1; d >= 0; d--) {
      long n = Math.max(1, shape[d]);
      c[d] = rest % n;
      rest /= n;
    }
    return java.util.Arrays.toString(c);
  }
}
