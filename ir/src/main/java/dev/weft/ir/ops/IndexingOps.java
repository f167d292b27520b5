package dev.weft.ir.ops;

import static dev.weft.ir.InferContext.one;

import dev.weft.bundle.DType;
import dev.weft.bundle.Tensor;
import dev.weft.ir.Attribute;
import dev.weft.ir.Dim;
import dev.weft.ir.InferContext;
import dev.weft.ir.OpDef;
import dev.weft.ir.OpLibrary;
import dev.weft.ir.Shape;
import dev.weft.ir.TensorType;
import dev.weft.ir.Type;
import dev.weft.ir.interp.KernelContext;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Index-driven data movement: gather, gather_elements, gather_nd, scatter_elements and
 * scatter_nd (reduction none/add/mul/max/min). Negative indices count from the end; an index
 * out of range at run time is a typed error naming the node, never a wrong read.
 */
public final class IndexingOps implements OpLibrary {
  static final List<String> REDUCTIONS = List.of("none", "add", "mul", "max", "min");

  @Override
  public List<OpDef> ops() {
    return List.of(
        OpDef.core("gather").inputs(2).attr("axis", Attribute.of(0L))
            .infer(IndexingOps::inferGather).kernel(IndexingOps::gather).build(),
        OpDef.core("gather_elements").inputs(2).attr("axis", Attribute.of(0L))
            .infer(IndexingOps::inferGatherElements).kernel(IndexingOps::gatherElements).build(),
        OpDef.core("gather_nd").inputs(2).attr("batch_dims", Attribute.of(0L))
            .infer(IndexingOps::inferGatherNd).kernel(IndexingOps::gatherNd).build(),
        OpDef.core("scatter_elements").inputs(3).attr("axis", Attribute.of(0L))
            .attr("reduction", Attribute.of("none"))
            .infer(IndexingOps::inferScatter).kernel(IndexingOps::scatterElements).build(),
        OpDef.core("scatter_nd").inputs(3).attr("reduction", Attribute.of("none"))
            .infer(IndexingOps::inferScatter).kernel(IndexingOps::scatterNd).build());
  }

  static void checkIndices(InferContext c, int i) {
    DType t = c.dtype(i);
    if (t != DType.I64 && t != DType.I32) throw c.fail("indices must be i32 or i64, got " + t);
  }

  static int axis(InferContext c, long axis, int rank) {
    try {
      return ShapeMath.axis(axis, rank);
    } catch (IllegalArgumentException e) {
      throw c.fail(e.getMessage());
    }
  }

  /** Index {@code i} on an axis of size {@code d}, negative from the end; out of range fails. */
  static long index(KernelContext c, long i, long d, String where) {
    long k = i < 0 ? i + d : i;
    if (k < 0 || k >= d) throw c.fail("index " + i + " is out of range [-" + d + ", " + d + ") " + where);
    return k;
  }

  // ---- gather ----

  static List<Type> inferGather(InferContext c) {
    TensorType x = c.tensor(0);
    checkIndices(c, 1);
    Shape ind = c.shape(1);
    if (!x.shape().isRanked() || !ind.isRanked()) return one(x.withShape(Shape.unranked()));
    if (x.rank() == 0) throw c.fail("cannot gather from a scalar");
    int axis = axis(c, c.attrs().getInt("axis"), x.rank());
    List<Dim> out = new ArrayList<>(x.shape().dims().subList(0, axis));
    out.addAll(ind.dims());
    out.addAll(x.shape().dims().subList(axis + 1, x.rank()));
    return one(x.withShape(new Shape(out)));
  }

  static Object[] gather(KernelContext c) {
    Tensor x = c.tensor(0);
    Tensor ind = c.tensor(1);
    int axis = ShapeMath.axis(c.attrs().getInt("axis"), x.rank());
    long[] xs = x.shape();
    long outer = ShapeMath.product(xs, 0, axis);
    long d = xs[axis];
    long inner = ShapeMath.product(xs, axis + 1, xs.length);
    long[] shape = new long[xs.length - 1 + ind.rank()];
    System.arraycopy(xs, 0, shape, 0, axis);
    System.arraycopy(ind.shape(), 0, shape, axis, ind.rank());
    System.arraycopy(xs, axis + 1, shape, axis + ind.rank(), xs.length - axis - 1);
    Tensor y = ShapeMath.alloc(c, x.dtype(), shape);
    long n = ind.size();
    long[] k = new long[Math.toIntExact(n)];
    for (int j = 0; j < n; j++) k[j] = index(c, ind.getLong(j), d, "on axis " + axis);
    for (long o = 0; o < outer; o++) {
      for (int j = 0; j < n; j++) ShapeMath.copy(x, (o * d + k[j]) * inner, y, (o * n + j) * inner, inner);
    }
    return new Object[] {y};
  }

  // ---- gather_elements ----

  static List<Type> inferGatherElements(InferContext c) {
    TensorType x = c.tensor(0);
    checkIndices(c, 1);
    Shape ind = c.shape(1);
    if (x.shape().isRanked() && ind.isRanked()) {
      if (x.rank() != ind.rank()) throw c.fail("indices have rank " + ind.rank() + ", data has rank " + x.rank());
      axis(c, c.attrs().getInt("axis"), x.rank());
    }
    return one(x.withShape(ind));
  }

  static Object[] gatherElements(KernelContext c) {
    Tensor x = c.tensor(0);
    Tensor ind = c.tensor(1);
    if (x.rank() != ind.rank()) throw c.fail("indices have rank " + ind.rank() + ", data has rank " + x.rank());
    int axis = ShapeMath.axis(c.attrs().getInt("axis"), x.rank());
    long[] st = ShapeMath.strides(x.shape());
    Tensor y = Tensor.zeros(x.dtype(), ind.shape());
    long[] idx = new long[ind.rank()];
    long[] is = ind.shape();
    for (long o = 0; o < ind.size(); o++, ShapeMath.next(idx, is)) {
      long off = 0;
      for (int a = 0; a < idx.length; a++) {
        long v = a == axis ? index(c, ind.getLong(o), x.dim(a), "on axis " + axis) : idx[a];
        if (v >= x.dim(a)) throw c.fail("indices shape " + Arrays.toString(is) + " exceeds data shape " + Arrays.toString(x.shape()));
        off += v * st[a];
      }
      ShapeMath.copy1(x, off, y, o);
    }
    return new Object[] {y};
  }

  // ---- gather_nd ----

  static List<Type> inferGatherNd(InferContext c) {
    TensorType x = c.tensor(0);
    if (c.dtype(1) != DType.I64) throw c.fail("indices must be i64, got " + c.dtype(1));
    Shape ind = c.shape(1);
    int b = (int) c.attrs().getInt("batch_dims");
    if (!x.shape().isRanked() || !ind.isRanked() || !ind.dim(ind.rank() - 1).isStatic()) {
      return one(x.withShape(Shape.unranked()));
    }
    long last = ind.dim(ind.rank() - 1).size();
    if (b < 0 || b >= ind.rank() || b + last > x.rank()) {
      throw c.fail("batch_dims " + b + " and index depth " + last + " do not fit data " + x.shape() + ", indices " + ind);
    }
    List<Dim> out = new ArrayList<>(ind.dims().subList(0, ind.rank() - 1));
    out.addAll(x.shape().dims().subList((int) (b + last), x.rank()));
    return one(x.withShape(new Shape(out)));
  }

  static Object[] gatherNd(KernelContext c) {
    Tensor x = c.tensor(0);
    Tensor ind = c.tensor(1);
    int b = c.attrs().getInt32("batch_dims");
    long[] xs = x.shape();
    long[] is = ind.shape();
    int last = (int) is[is.length - 1];
    if (b + last > xs.length) throw c.fail("index depth " + last + " exceeds data rank " + xs.length);
    for (int i = 0; i < b; i++) if (xs[i] != is[i]) throw c.fail("batch dim " + i + " differs: " + xs[i] + " vs " + is[i]);
    long batch = ShapeMath.product(xs, 0, b);
    long tuples = ShapeMath.product(is, b, is.length - 1);
    long inner = ShapeMath.product(xs, b + last, xs.length);
    long batchStride = ShapeMath.product(xs, b, xs.length);
    long[] st = ShapeMath.strides(Arrays.copyOfRange(xs, b, xs.length));
    long[] shape = new long[is.length - 1 + xs.length - b - last];
    System.arraycopy(is, 0, shape, 0, is.length - 1);
    System.arraycopy(xs, b + last, shape, is.length - 1, xs.length - b - last);
    Tensor y = ShapeMath.alloc(c, x.dtype(), shape);
    for (long bi = 0; bi < batch; bi++) {
      for (long t = 0; t < tuples; t++) {
        long tuple = bi * tuples + t;
        long off = bi * batchStride;
        for (int k = 0; k < last; k++) off += index(c, ind.getLong(tuple * last + k), xs[b + k], "on axis " + (b + k)) * st[k];
        ShapeMath.copy(x, off, y, tuple * inner, inner);
      }
    }
    return new Object[] {y};
  }

  // ---- scatter ----

  static List<Type> inferScatter(InferContext c) {
    TensorType x = c.tensor(0);
    checkIndices(c, 1);
    if (c.dtype(2) != x.dtype()) throw c.fail("updates are " + c.dtype(2) + ", data is " + x.dtype());
    String r = c.attrs().getString("reduction");
    if (!REDUCTIONS.contains(r)) throw c.fail("unknown reduction '" + r + "'");
    if (!r.equals("none") && x.dtype() == DType.STRING) throw c.fail("reduction " + r + " on strings");
    return one(x);
  }

  /** {@code y[yi] = reduce(y[yi], u[ui])}: floats in double, integers wrapping, bools as or/and. */
  static void apply(Tensor y, long yi, Tensor u, long ui, String r) {
    if (r.equals("none")) {
      ShapeMath.copy1(u, ui, y, yi);
      return;
    }
    DType t = y.dtype();
    if (t.isFloat()) {
      double a = y.getDouble(yi);
      double b = u.getDouble(ui);
      y.setDouble(yi, switch (r) {
        case "add" -> a + b;
        case "mul" -> a * b;
        case "max" -> ScalarMath.nanMax(a, b);
        default -> ScalarMath.nanMin(a, b);
      });
    } else {
      long a = y.getLong(yi);
      long b = u.getLong(ui);
      boolean unsigned = t == DType.U64;
      y.setLong(yi, switch (r) {
        case "add" -> t == DType.BOOL ? a | b : a + b;
        case "mul" -> a * b;
        case "max" -> (unsigned ? Long.compareUnsigned(a, b) : Long.compare(a, b)) >= 0 ? a : b;
        default -> (unsigned ? Long.compareUnsigned(a, b) : Long.compare(a, b)) <= 0 ? a : b;
      });
    }
  }

  static Object[] scatterElements(KernelContext c) {
    Tensor x = c.tensor(0);
    Tensor ind = c.tensor(1);
    Tensor u = c.tensor(2);
    String r = c.attrs().getString("reduction");
    if (ind.rank() != x.rank() || !Arrays.equals(ind.shape(), u.shape())) {
      throw c.fail("indices " + Arrays.toString(ind.shape()) + " and updates " + Arrays.toString(u.shape())
          + " must have the same shape and the data's rank " + x.rank());
    }
    int axis = ShapeMath.axis(c.attrs().getInt("axis"), x.rank());
    long[] st = ShapeMath.strides(x.shape());
    Tensor y = x.copy();
    long[] idx = new long[ind.rank()];
    long[] is = ind.shape();
    for (long o = 0; o < ind.size(); o++, ShapeMath.next(idx, is)) {
      long off = 0;
      for (int a = 0; a < idx.length; a++) {
        long v = a == axis ? index(c, ind.getLong(o), x.dim(a), "on axis " + axis) : idx[a];
        if (v >= x.dim(a)) throw c.fail("indices shape " + Arrays.toString(is) + " exceeds data shape " + Arrays.toString(x.shape()));
        off += v * st[a];
      }
      apply(y, off, u, o, r);
    }
    return new Object[] {y};
  }

  static Object[] scatterNd(KernelContext c) {
    Tensor x = c.tensor(0);
    Tensor ind = c.tensor(1);
    Tensor u = c.tensor(2);
    String r = c.attrs().getString("reduction");
    long[] xs = x.shape();
    long[] is = ind.shape();
    int k = (int) is[is.length - 1];
    if (k > xs.length) throw c.fail("index depth " + k + " exceeds data rank " + xs.length);
    long[] us = new long[is.length - 1 + xs.length - k];
    System.arraycopy(is, 0, us, 0, is.length - 1);
    System.arraycopy(xs, k, us, is.length - 1, xs.length - k);
    if (!Arrays.equals(us, u.shape())) throw c.fail("updates have shape " + Arrays.toString(u.shape()) + ", expected " + Arrays.toString(us));
    long tuples = ShapeMath.product(is, 0, is.length - 1);
    long inner = ShapeMath.product(xs, k, xs.length);
    long[] st = ShapeMath.strides(xs);
    Tensor y = x.copy();
    for (long t = 0; t < tuples; t++) {
      long off = 0;
      for (int a = 0; a < k; a++) off += index(c, ind.getLong(t * k + a), xs[a], "on axis " + a) * st[a];
      for (long e = 0; e < inner; e++) apply(y, off + e, u, t * inner + e, r);
    }
    return new Object[] {y};
  }
}
