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
 * Selections and rearrangements with no cheap core decomposition, kept as custom ops with a
 * reference kernel: non_zero and compress (data-dependent sizes: fresh symbols), one_hot,
 * trilu, reverse_sequence, depth_to_space and space_to_depth.
 */
public final class SelectOps implements OpLibrary {
  @Override
  public List<OpDef> ops() {
    return List.of(
        OpDef.core("non_zero").inputs(1)
            .infer(c -> {
              Shape s = c.shape(0);
              Dim rank = s.isRanked() ? Dim.of(Math.max(1, s.rank())) : c.fresh();
              return one(new TensorType(DType.I64, new Shape(List.of(rank, c.fresh()))));
            })
            .kernel(SelectOps::nonZero).build(),
        OpDef.custom("compress").inputs(2).optional("axis", Attribute.Kind.INT)
            .infer(SelectOps::inferCompress).kernel(SelectOps::compress).build(),
        OpDef.custom("one_hot").inputs(3).attr("axis", Attribute.of(-1L))
            .infer(SelectOps::inferOneHot).kernel(SelectOps::oneHot).build(),
        OpDef.custom("trilu").inputs(1, 2).attr("upper", Attribute.of(1L))
            .infer(c -> {
              if (c.shape(0).isRanked() && c.shape(0).rank() < 2) throw c.fail("trilu needs rank >= 2, got " + c.shape(0));
              return one(c.tensor(0));
            })
            .kernel(SelectOps::trilu).build(),
        OpDef.custom("reverse_sequence").inputs(2)
            .attr("batch_axis", Attribute.of(1L)).attr("time_axis", Attribute.of(0L))
            .infer(c -> one(c.tensor(0))).kernel(SelectOps::reverseSequence).build(),
        OpDef.custom("depth_to_space").inputs(1).required("blocksize", Attribute.Kind.INT)
            .attr("mode", Attribute.of("DCR"))
            .infer(c -> inferSpace(c, true)).kernel(c -> space(c, true)).build(),
        OpDef.custom("space_to_depth").inputs(1).required("blocksize", Attribute.Kind.INT)
            .infer(c -> inferSpace(c, false)).kernel(c -> space(c, false)).build());
  }

  static boolean truthy(Tensor t, long i) {
    return t.dtype() == DType.STRING ? !t.getString(i).isEmpty() : t.dtype().isFloat() ? t.getDouble(i) != 0 : t.getLong(i) != 0;
  }

  static Object[] nonZero(KernelContext c) {
    Tensor x = c.tensor(0);
    long[] shape = x.rank() == 0 ? new long[] {1} : x.shape();
    List<Long> hits = new ArrayList<>();
    for (long i = 0; i < x.size(); i++) if (truthy(x, i)) hits.add(i);
    long n = hits.size();
    Tensor y = Tensor.zeros(DType.I64, shape.length, n);
    long[] st = ShapeMath.strides(shape);
    for (int j = 0; j < n; j++) {
      long f = hits.get(j);
      for (int a = 0; a < shape.length; a++) y.setLong(a * n + j, (f / st[a]) % shape[a]);
    }
    return new Object[] {y};
  }

  static List<Type> inferCompress(InferContext c) {
    TensorType x = c.tensor(0);
    if (c.dtype(1) != DType.BOOL) throw c.fail("condition must be bool, got " + c.dtype(1));
    if (!c.attrs().has("axis")) return one(x.withShape(new Shape(List.of(c.fresh()))));
    if (!x.shape().isRanked()) return one(x);
    int axis = IndexingOps.axis(c, c.attrs().getInt("axis"), x.rank());
    List<Dim> out = new ArrayList<>(x.shape().dims());
    out.set(axis, c.fresh());
    return one(x.withShape(new Shape(out)));
  }

  static Object[] compress(KernelContext c) {
    Tensor x = c.tensor(0);
    Tensor cond = c.tensor(1);
    boolean flat = !c.attrs().has("axis");
    if (flat) x = x.reshape(x.size());
    int axis = flat ? 0 : ShapeMath.axis(c.attrs().getInt("axis"), x.rank());
    long d = x.dim(axis);
    if (cond.size() > d) throw c.fail("condition has " + cond.size() + " entries, axis " + axis + " has " + d);
    List<Long> keep = new ArrayList<>();
    for (long i = 0; i < cond.size(); i++) if (cond.getBool(i)) keep.add(i);
    long[] shape = x.shape();
    shape[axis] = keep.size();
    long[][] coord = SliceOps.identity(shape);
    for (int i = 0; i < keep.size(); i++) coord[axis][i] = keep.get(i);
    return new Object[] {ShapeMath.gatherAxes(c, x, shape, coord, null)};
  }

  static List<Type> inferOneHot(InferContext c) {
    TensorType values = c.tensor(2);
    Shape ind = c.shape(0);
    if (values.shape().isRanked() && values.shape().elementCount() != 2 && values.shape().isStatic()) {
      throw c.fail("values must hold [off, on], has shape " + values.shape());
    }
    if (!ind.isRanked()) return one(values.withShape(Shape.unranked()));
    int axis = IndexingOps.axis(c, c.attrs().getInt("axis"), ind.rank() + 1);
    Tensor depth = c.constant(1);
    List<Dim> out = new ArrayList<>(ind.dims());
    out.add(axis, depth != null ? Dim.of(depthOf(depth)) : c.fresh());
    return one(values.withShape(new Shape(out)));
  }

  static long depthOf(Tensor depth) {
    long d = depth.dtype().isFloat() ? (long) depth.getDouble(0) : depth.getLong(0);
    if (d < 1) throw new IllegalArgumentException("one_hot depth must be positive, got " + d);
    return d;
  }

  static Object[] oneHot(KernelContext c) {
    Tensor ind = c.tensor(0);
    long depth = depthOf(c.tensor(1));
    Tensor values = c.tensor(2);
    int axis = ShapeMath.axis(c.attrs().getInt("axis"), ind.rank() + 1);
    long[] is = ind.shape();
    long outer = ShapeMath.product(is, 0, axis);
    long inner = ShapeMath.product(is, axis, is.length);
    long[] shape = new long[is.length + 1];
    System.arraycopy(is, 0, shape, 0, axis);
    shape[axis] = depth;
    System.arraycopy(is, axis, shape, axis + 1, is.length - axis);
    Tensor y = ShapeMath.alloc(c, values.dtype(), shape);
    for (long o = 0; o < outer; o++) {
      for (long i = 0; i < inner; i++) {
        long k = ind.dtype().isFloat() ? (long) ind.getDouble(o * inner + i) : ind.getLong(o * inner + i);
        if (k < 0) k += depth;
        for (long j = 0; j < depth; j++) ShapeMath.copy1(values, j == k ? 1 : 0, y, (o * depth + j) * inner + i);
      }
    }
    return new Object[] {y};
  }

  static Object[] trilu(KernelContext c) {
    Tensor x = c.tensor(0);
    long k = c.has(1) ? c.tensor(1).getLong(0) : 0;
    boolean upper = c.attrs().getBool("upper");
    int r = x.rank();
    long n = x.dim(r - 2);
    long m = x.dim(r - 1);
    Tensor y = Tensor.zeros(x.dtype(), x.shape());
    for (long f = 0; f < x.size(); f++) {
      long j = f % m;
      long i = (f / m) % n;
      if (upper ? j - i >= k : j - i <= k) ShapeMath.copy1(x, f, y, f);
    }
    return new Object[] {y};
  }

  static Object[] reverseSequence(KernelContext c) {
    Tensor x = c.tensor(0);
    Tensor lens = c.tensor(1);
    int b = c.attrs().getInt32("batch_axis");
    int t = c.attrs().getInt32("time_axis");
    if (x.rank() < 2 || b == t || b < 0 || t < 0 || b > 1 || t > 1) throw c.fail("batch_axis and time_axis must be 0 and 1 in some order");
    if (lens.size() != x.dim(b)) throw c.fail("sequence_lens has " + lens.size() + " entries, batch is " + x.dim(b));
    long[] shape = x.shape();
    long[] st = ShapeMath.strides(shape);
    Tensor y = Tensor.zeros(x.dtype(), shape);
    long[] idx = new long[shape.length];
    for (long o = 0; o < x.size(); o++, ShapeMath.next(idx, shape)) {
      long len = lens.getLong(idx[b]);
      if (len < 0 || len > shape[t]) throw c.fail("sequence length " + len + " is out of range [0, " + shape[t] + "]");
      long src = o;
      if (idx[t] < len) src += (len - 1 - 2 * idx[t]) * st[t];
      ShapeMath.copy1(x, src, y, o);
    }
    return new Object[] {y};
  }

  static List<Type> inferSpace(InferContext c, boolean toSpace) {
    TensorType x = c.tensor(0);
    long b = c.attrs().getInt("blocksize");
    if (b < 1) throw c.fail("blocksize must be positive, got " + b);
    if (toSpace && !List.of("DCR", "CRD").contains(c.attrs().getString("mode"))) {
      throw c.fail("unknown mode '" + c.attrs().getString("mode") + "'");
    }
    if (!x.shape().isRanked()) return one(x);
    if (x.rank() != 4) throw c.fail("expected an NCHW operand, got " + x.shape());
    List<Dim> d = x.shape().dims();
    List<Dim> out = new ArrayList<>(List.of(d.get(0)));
    out.add(scale(c, d.get(1), b * b, toSpace));
    out.add(scale(c, d.get(2), b, !toSpace));
    out.add(scale(c, d.get(3), b, !toSpace));
    return one(x.withShape(new Shape(out)));
  }

  private static Dim scale(InferContext c, Dim d, long f, boolean divide) {
    if (f == 1) return d;
    if (!d.isStatic()) return c.fresh();
    if (!divide) return Dim.of(Math.multiplyExact(d.size(), f));
    if (d.size() % f != 0) throw c.fail("dim " + d + " is not divisible by " + f);
    return Dim.of(d.size() / f);
  }

  /** depth_to_space (DCR/CRD) and space_to_depth, as index maps over NCHW. */
  static Object[] space(KernelContext c, boolean toSpace) {
    Tensor x = c.tensor(0);
    int b = c.attrs().getInt32("blocksize");
    long[] s = x.shape();
    if (s.length != 4) throw c.fail("expected an NCHW operand, got " + Arrays.toString(s));
    boolean crd = toSpace && c.attrs().getString("mode").equals("CRD");
    long[] o = toSpace
        ? new long[] {s[0], s[1] / ((long) b * b), s[2] * b, s[3] * b}
        : new long[] {s[0], s[1] * b * b, s[2] / b, s[3] / b};
    if ((toSpace ? s[1] % ((long) b * b) : (s[2] % b) + (s[3] % b)) != 0) {
      throw c.fail("shape " + Arrays.toString(s) + " does not divide by blocksize " + b);
    }
    // Index the space-side tensor [n, c, h*b+i, w*b+j] against the depth-side channel.
    long[] sp = toSpace ? o : s;
    long[] dp = toSpace ? s : o;
    long cs = sp[1];
    Tensor y = Tensor.zeros(x.dtype(), o);
    long[] idx = new long[4];
    long[] spSt = ShapeMath.strides(sp);
    long[] dpSt = ShapeMath.strides(dp);
    do {
      long n = idx[0], ch = idx[1], h = idx[2], w = idx[3];
      long i = h % b, j = w % b;
      long depthCh = crd ? ch * b * b + i * b + j : (i * b + j) * cs + ch;
      long spOff = ShapeMath.offset(idx, spSt);
      long dpOff = n * dpSt[0] + depthCh * dpSt[1] + (h / b) * dpSt[2] + (w / b) * dpSt[3];
      if (toSpace) ShapeMath.copy1(x, dpOff, y, spOff);
      else ShapeMath.copy1(x, spOff, y, dpOff);
    } while (Tensor.elementCount(sp) > 0 && ShapeMath.next(idx, sp));
    return new Object[] {y};
  }
}
