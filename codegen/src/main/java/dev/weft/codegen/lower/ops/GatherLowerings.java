package dev.weft.codegen.lower.ops;

import dev.weft.bundle.DType;
import dev.weft.bundle.Tensor;
import dev.weft.codegen.kir.Expr;
import dev.weft.codegen.kir.ExprFactory;
import dev.weft.codegen.lower.LowerContext;
import dev.weft.codegen.lower.LoweringTable;
import java.util.Arrays;

/**
 * Data-dependent reads: gather, gather_elements, gather_nd and one_hot. Indices count from the
 * end when negative; an index still out of range reads the nearest valid element (clamped), where
 * the interpreter raises an error: a kernel cannot fail, and must never read out of bounds.
 */
final class GatherLowerings {
  private GatherLowerings() {}

  static void register(LoweringTable t) {
    t.add("gather", (c, k, idx) -> gather(c, idx));
    t.add("gather_elements", (c, k, idx) -> gatherElements(c, idx));
    t.add("gather_nd", (c, k, idx) -> gatherNd(c, idx));
    t.add("one_hot", (c, k, idx) -> oneHot(c, idx));
  }

  private static Expr gather(LowerContext c, Expr[] idx) {
    long[] xs = c.inShape(0);
    long[] is = c.inShape(1);
    if (xs.length == 0) throw c.fail("cannot gather from a scalar");
    int axis = IndexMath.axis(c, c.attrs().getInt("axis"), xs.length);
    if (IndexMath.empty(c.outShape(0))) return IndexMath.zero(c, 0);
    if (xs[axis] == 0) throw c.fail("gather from an empty axis " + axis + " with " + Arrays.toString(is) + " indices");
    Expr k = IndexMath.dataIndex(c.f(), c.in(1, Arrays.copyOfRange(idx, axis, axis + is.length)), xs[axis]);
    Expr[] src = new Expr[xs.length];
    for (int d = 0; d < axis; d++) src[d] = idx[d];
    src[axis] = k;
    for (int d = axis + 1; d < xs.length; d++) src[d] = idx[d - 1 + is.length];
    return c.in(0, src);
  }

  private static Expr gatherElements(LowerContext c, Expr[] idx) {
    long[] xs = c.inShape(0);
    long[] is = c.inShape(1);
    if (xs.length != is.length) throw c.fail("indices have rank " + is.length + ", data has rank " + xs.length);
    int axis = IndexMath.axis(c, c.attrs().getInt("axis"), xs.length);
    if (IndexMath.empty(is)) return IndexMath.zero(c, 0);
    for (int d = 0; d < xs.length; d++) {
      if (d != axis && is[d] > xs[d]) throw c.fail("indices shape " + Arrays.toString(is) + " exceeds data shape " + Arrays.toString(xs));
    }
    if (xs[axis] == 0) throw c.fail("gather_elements from an empty axis " + axis);
    Expr[] src = idx.clone();
    src[axis] = IndexMath.dataIndex(c.f(), c.in(1, idx), xs[axis]);
    return c.in(0, src);
  }

  private static Expr gatherNd(LowerContext c, Expr[] idx) {
    long[] xs = c.inShape(0);
    long[] is = c.inShape(1);
    int b = c.attrs().getInt32("batch_dims");
    if (is.length == 0) throw c.fail("gather_nd indices must have rank >= 1");
    int last = (int) is[is.length - 1];
    if (b < 0 || b >= is.length || b + last > xs.length) {
      throw c.fail("batch_dims " + b + " and index depth " + last + " do not fit data " + Arrays.toString(xs) + ", indices " + Arrays.toString(is));
    }
    for (int i = 0; i < b; i++) if (xs[i] != is[i]) throw c.fail("batch dim " + i + " differs: " + xs[i] + " vs " + is[i]);
    if (IndexMath.empty(c.outShape(0))) return IndexMath.zero(c, 0);
    ExprFactory f = c.f();
    int prefix = is.length - 1;
    Expr[] src = new Expr[xs.length];
    for (int d = 0; d < b; d++) src[d] = idx[d];
    Expr[] at = new Expr[is.length];
    System.arraycopy(idx, 0, at, 0, prefix);
    for (int k = 0; k < last; k++) {
      if (xs[b + k] == 0) throw c.fail("gather_nd from an empty axis " + (b + k));
      at[prefix] = f.index(k);
      src[b + k] = IndexMath.dataIndex(f, c.in(1, at.clone()), xs[b + k]);
    }
    for (int d = b + last; d < xs.length; d++) src[d] = idx[prefix + d - b - last];
    return c.in(0, src);
  }

  /** values[j == k ? 1 : 0] where j is the index on the new axis and k the (negative-wrapped) index. */
  private static Expr oneHot(LowerContext c, Expr[] idx) {
    long[] out = c.outShape(0);
    int axis = IndexMath.axis(c, c.attrs().getInt("axis"), out.length);
    long[] vs = c.inShape(2);
    if (Tensor.elementCount(vs) != 2) throw c.fail("values must hold [off, on], has shape " + Arrays.toString(vs));
    if (IndexMath.empty(out)) return IndexMath.zero(c, 0);
    ExprFactory f = c.f();
    long depth = out[axis];
    Expr[] ind = new Expr[out.length - 1];
    for (int d = 0, k = 0; d < out.length; d++) if (d != axis) ind[k++] = idx[d];
    Expr k = f.cast(DType.I64, c.in(0, ind));
    k = f.select(f.lt(k, f.index(0)), f.add(k, f.index(depth)), k);
    Expr hit = IndexMath.eq(f, idx[axis], k);
    Expr on = c.in(2, f.delinear(f.index(1), vs));
    Expr off = c.in(2, f.delinear(f.index(0), vs));
    return f.select(hit, on, off);
  }
}
