package dev.weft.ir.ops;

import dev.weft.ir.Dim;
import dev.weft.ir.InferContext;
import dev.weft.ir.OptionalType;
import dev.weft.ir.SequenceType;
import dev.weft.ir.Shape;
import dev.weft.ir.TensorType;
import dev.weft.ir.Type;
import java.util.ArrayList;
import java.util.List;

/**
 * The common type of values that may come from different places (If branches, a loop-carried
 * value before and after an iteration, sequence elements): equal dims stay, differing dims
 * become fresh symbols, differing ranks make the shape unranked. Dtypes and kinds must agree.
 */
public final class TypeMerge {
  private TypeMerge() {}

  public static Type merge(InferContext c, Type a, Type b, String what) {
    if (a.equals(b)) return a;
    if (a instanceof TensorType ta && b instanceof TensorType tb) {
      if (ta.dtype() != tb.dtype()) throw c.fail(what + ": " + ta.dtype() + " vs " + tb.dtype());
      return new TensorType(ta.dtype(), merge(c, ta.shape(), tb.shape()));
    }
    if (a instanceof SequenceType sa && b instanceof SequenceType sb) {
      return new SequenceType(merge(c, sa.element(), sb.element(), what));
    }
    if (a instanceof OptionalType oa && b instanceof OptionalType ob) {
      return new OptionalType(merge(c, oa.element(), ob.element(), what));
    }
    throw c.fail(what + ": " + a + " vs " + b);
  }

  public static Shape merge(InferContext c, Shape a, Shape b) {
    if (!a.isRanked() || !b.isRanked() || a.rank() != b.rank()) return Shape.unranked();
    List<Dim> out = new ArrayList<>(a.rank());
    for (int i = 0; i < a.rank(); i++) out.add(a.dim(i).equals(b.dim(i)) ? a.dim(i) : c.fresh());
    return new Shape(out);
  }

  /** {@code s} with {@code d} inserted at position {@code axis}. */
  public static Shape insert(Shape s, int axis, Dim d) {
    if (!s.isRanked()) return s;
    List<Dim> out = new ArrayList<>(s.dims());
    out.add(axis, d);
    return new Shape(out);
  }

  /** {@code s} without dim {@code axis}. */
  public static Shape remove(Shape s, int axis) {
    if (!s.isRanked()) return s;
    List<Dim> out = new ArrayList<>(s.dims());
    out.remove(axis);
    return new Shape(out);
  }
}
