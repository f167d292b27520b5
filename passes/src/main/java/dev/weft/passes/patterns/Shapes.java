package dev.weft.passes.patterns;

import dev.weft.bundle.Tensor;
import dev.weft.ir.Dim;
import dev.weft.ir.Node;
import dev.weft.ir.Shape;
import dev.weft.ir.TensorType;
import dev.weft.ir.Value;
import dev.weft.passes.Rewrite;
import java.util.Arrays;

/** What the builders check that patterns cannot say: reduction axes, ranks, broadcasting. */
final class Shapes {
  private Shapes() {}

  /** The sorted, non-negative axes a keepdims=1 reduction over a rank-{@code rank} operand reduces; null when unknown or not keepdims. */
  static long[] keptAxes(Node reduce, int rank) {
    if (reduce == null || reduce.attrs().getIntOr("keepdims", 1) != 1) return null;
    long[] axes;
    if (reduce.inputCount() > 1 && reduce.input(1) != null) {
      Tensor t = Rewrite.constant(reduce.input(1));
      if (t == null) return null;
      axes = new long[(int) t.size()];
      for (int i = 0; i < axes.length; i++) axes[i] = t.getLong(i);
    } else {
      axes = reduce.attrs().getIntsOr("axes", null);
    }
    if (axes == null || axes.length == 0) return null;
    long[] out = new long[axes.length];
    for (int i = 0; i < axes.length; i++) {
      long a = axes[i] < 0 ? axes[i] + rank : axes[i];
      if (a < 0 || a >= rank) return null;
      out[i] = a;
    }
    Arrays.sort(out);
    return out;
  }

  /** The first axis when {@code axes} are exactly the trailing axes first..rank-1; -1 otherwise. */
  static int trailingFrom(long[] axes, int rank) {
    if (axes == null) return -1;
    for (int i = 0; i < axes.length; i++) if (axes[i] != rank - axes.length + i) return -1;
    return rank - axes.length;
  }

  static int rank(Value v) {
    if (!(v.type() instanceof TensorType t) || !t.shape().isRanked()) return -1;
    return t.rank();
  }

  /**
   * Whether {@code w} (a scale or bias) varies only along the normalized axes axis..rank-1 of a
   * rank-{@code rank} operand: right-aligned, each dim before {@code axis} is 1 (so folding it
   * into the norm's scale or bias operand changes nothing).
   */
  static boolean onlyAlong(Value w, int axis, int rank) {
    if (w == null) return true;
    if (!(w.type() instanceof TensorType t) || !t.shape().isRanked() || t.rank() > rank) return false;
    Shape s = t.shape();
    for (int i = 0; i < s.rank(); i++) {
      int xi = rank - s.rank() + i;
      if (xi < axis && !(s.dim(i) instanceof Dim.Static d && d.size() == 1)) return false;
    }
    return true;
  }
}
