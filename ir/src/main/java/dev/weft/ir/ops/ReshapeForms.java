package dev.weft.ir.ops;

import static dev.weft.ir.InferContext.one;

import dev.weft.bundle.Tensor;
import dev.weft.ir.Dim;
import dev.weft.ir.InferContext;
import dev.weft.ir.Shape;
import dev.weft.ir.TensorType;
import dev.weft.ir.Type;
import dev.weft.ir.interp.KernelContext;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * squeeze, unsqueeze and flatten: reshapes named by what they keep. Importers emit a plain
 * static {@code reshape} when the result shape is static; these stay where a dim is symbolic,
 * because a static reshape target cannot name a symbol.
 */
final class ReshapeForms {
  private ReshapeForms() {}

  static List<Type> inferSqueeze(InferContext c) {
    TensorType x = c.tensor(0);
    long[] axes = ShapeMath.staticInts(c, "axes", 1);
    if (!x.shape().isRanked()) return one(x);
    List<Dim> dims = x.shape().dims();
    List<Dim> out = new ArrayList<>();
    if (axes == null && ShapeMath.given(c, "axes", 1)) {
      long n = ShapeMath.length(c, 1);
      return one(x.withShape(n < 0 ? Shape.unranked() : new Shape(ShapeMath.freshDims(c, dims.size() - n))));
    }
    if (axes == null) {
      // Symbolic dims are taken as not 1, as ONNX shape inference does; the kernel checks.
      for (Dim d : dims) if (!(d.isStatic() && d.size() == 1)) out.add(d);
      return one(x.withShape(new Shape(out)));
    }
    boolean[] drop = new boolean[dims.size()];
    try {
      for (int a : ShapeMath.axes(axes, dims.size())) drop[a] = true;
    } catch (IllegalArgumentException e) {
      throw c.fail(e.getMessage());
    }
    for (int i = 0; i < dims.size(); i++) {
      Dim d = dims.get(i);
      if (!drop[i]) out.add(d);
      else if (d.isStatic() && d.size() != 1) throw c.fail("cannot squeeze axis " + i + " of size " + d);
    }
    return one(x.withShape(new Shape(out)));
  }

  static Object[] squeeze(KernelContext c) {
    Tensor x = c.tensor(0);
    long[] axes = ShapeMath.ints(c, "axes", 1);
    boolean[] drop = new boolean[x.rank()];
    if (axes == null) {
      for (int i = 0; i < drop.length; i++) drop[i] = x.dim(i) == 1;
    } else {
      for (int a : ShapeMath.axes(axes, x.rank())) {
        if (x.dim(a) != 1) throw c.fail("cannot squeeze axis " + a + " of size " + x.dim(a));
        drop[a] = true;
      }
    }
    long[] shape = new long[x.rank()];
    int k = 0;
    for (int i = 0; i < drop.length; i++) if (!drop[i]) shape[k++] = x.dim(i);
    return new Object[] {x.reshape(Arrays.copyOf(shape, k))};
  }

  static List<Type> inferUnsqueeze(InferContext c) {
    TensorType x = c.tensor(0);
    if (!ShapeMath.given(c, "axes", 1)) throw c.fail("unsqueeze needs axes");
    long[] axes = ShapeMath.staticInts(c, "axes", 1);
    if (!x.shape().isRanked()) return one(x);
    if (axes == null) {
      long n = ShapeMath.length(c, 1);
      return one(x.withShape(n < 0 ? Shape.unranked() : new Shape(ShapeMath.freshDims(c, x.rank() + n))));
    }
    int rank = x.rank() + axes.length;
    boolean[] ones = new boolean[rank];
    try {
      for (int a : ShapeMath.axes(axes, rank)) ones[a] = true;
    } catch (IllegalArgumentException e) {
      throw c.fail(e.getMessage());
    }
    List<Dim> out = new ArrayList<>();
    int k = 0;
    for (int i = 0; i < rank; i++) out.add(ones[i] ? Dim.of(1) : x.shape().dim(k++));
    return one(x.withShape(new Shape(out)));
  }

  static Object[] unsqueeze(KernelContext c) {
    Tensor x = c.tensor(0);
    long[] axes = ShapeMath.ints(c, "axes", 1);
    int rank = x.rank() + axes.length;
    boolean[] ones = new boolean[rank];
    for (int a : ShapeMath.axes(axes, rank)) ones[a] = true;
    long[] shape = new long[rank];
    int k = 0;
    for (int i = 0; i < rank; i++) shape[i] = ones[i] ? 1 : x.dim(k++);
    return new Object[] {x.reshape(shape)};
  }

  static int flattenAxis(long axis, int rank) {
    if (axis < -rank || axis > rank) throw new IllegalArgumentException("flatten axis " + axis + " is out of range for rank " + rank);
    return (int) (axis < 0 ? axis + rank : axis);
  }

  static List<Type> inferFlatten(InferContext c) {
    TensorType x = c.tensor(0);
    if (!x.shape().isRanked()) return one(x.withShape(new Shape(List.of(c.fresh(), c.fresh()))));
    int axis;
    try {
      axis = flattenAxis(c.attrs().getInt("axis"), x.rank());
    } catch (IllegalArgumentException e) {
      throw c.fail(e.getMessage());
    }
    List<Dim> dims = x.shape().dims();
    Dim outer = ShapeMath.quotient(dims.subList(0, axis), List.of(), c);
    Dim inner = ShapeMath.quotient(dims.subList(axis, dims.size()), List.of(), c);
    return one(x.withShape(new Shape(List.of(outer, inner))));
  }

  static Object[] flatten(KernelContext c) {
    Tensor x = c.tensor(0);
    int axis = flattenAxis(c.attrs().getInt("axis"), x.rank());
    long[] s = x.shape();
    return new Object[] {x.reshape(ShapeMath.product(s, 0, axis), ShapeMath.product(s, axis, s.length))};
  }
}
