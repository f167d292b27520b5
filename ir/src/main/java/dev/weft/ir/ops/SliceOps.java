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
 * Windows onto a tensor: slice (ONNX Slice clamping, negative steps), pad (constant, reflect,
 * edge, wrap; negative pads crop) and center_crop_pad. Each is one coordinate table per axis
 * fed to {@link ShapeMath#gatherAxes}.
 */
public final class SliceOps implements OpLibrary {
  /** An end at or beyond this means "to the end" for a symbolic dim (what exporters write). */
  private static final long TO_END = Integer.MAX_VALUE;

  @Override
  public List<OpDef> ops() {
    return List.of(
        OpDef.core("slice").inputs(1, 5)
            .optional("starts", Attribute.Kind.INTS).optional("ends", Attribute.Kind.INTS)
            .optional("axes", Attribute.Kind.INTS).optional("steps", Attribute.Kind.INTS)
            .infer(SliceOps::inferSlice).kernel(SliceOps::slice)
            .doc("ONNX Slice; starts/ends/axes/steps as attributes or i64 operands 1-4.").build(),
        OpDef.core("pad").inputs(1, 4)
            .optional("pads", Attribute.Kind.INTS).optional("axes", Attribute.Kind.INTS)
            .attr("mode", Attribute.of("constant"))
            .optional("value", Attribute.Kind.FLOAT)
            .infer(SliceOps::inferPad).kernel(SliceOps::pad)
            .doc("Operands: data, pads, constant_value, axes (ONNX Pad-18 order); attributes override.")
            .build(),
        OpDef.custom("center_crop_pad").inputs(1, 2)
            .optional("shape", Attribute.Kind.INTS).optional("axes", Attribute.Kind.INTS)
            .infer(SliceOps::inferCenterCropPad).kernel(SliceOps::centerCropPad).build());
  }

  /** Axes as given, or {@code 0..n-1}. */
  static long[] defaultAxes(long[] axes, int n) {
    if (axes != null) return axes;
    long[] a = new long[n];
    for (int i = 0; i < n; i++) a[i] = i;
    return a;
  }

  // ---- slice ----

  static List<Type> inferSlice(InferContext c) {
    TensorType x = c.tensor(0);
    if (!x.shape().isRanked()) return one(x);
    int rank = x.rank();
    long[] starts = ShapeMath.staticInts(c, "starts", 1);
    long[] ends = ShapeMath.staticInts(c, "ends", 2);
    long[] axes = ShapeMath.staticInts(c, "axes", 3);
    long[] steps = ShapeMath.staticInts(c, "steps", 4);
    boolean axesDynamic = axes == null && ShapeMath.given(c, "axes", 3);
    boolean stepsDynamic = steps == null && ShapeMath.given(c, "steps", 4);
    List<Dim> out = new ArrayList<>(x.shape().dims());
    long n = starts != null ? starts.length : ShapeMath.given(c, "starts", 1) ? ShapeMath.length(c, 1) : -1;
    if (axesDynamic || n < 0) {
      return one(x.withShape(new Shape(ShapeMath.freshDims(c, rank))));
    }
    int[] ax;
    try {
      ax = ShapeMath.axes(defaultAxes(axes, (int) n), rank);
    } catch (IllegalArgumentException e) {
      throw c.fail(e.getMessage());
    }
    boolean known = starts != null && ends != null && !stepsDynamic;
    if (known && (ends.length != n || ax.length != n || (steps != null && steps.length != n))) {
      throw c.fail("starts, ends, axes and steps differ in length");
    }
    for (int i = 0; i < ax.length; i++) {
      Dim d = out.get(ax[i]);
      if (!known) {
        out.set(ax[i], c.fresh());
        continue;
      }
      long step = steps == null ? 1 : steps[i];
      if (step == 0) throw c.fail("slice step is 0 on axis " + ax[i]);
      if (d.isStatic()) {
        out.set(ax[i], Dim.of(ShapeMath.slice(d.size(), starts[i], ends[i], step)[2]));
      } else {
        boolean whole = step == 1 && starts[i] == 0 && ends[i] >= TO_END
            || step == -1 && starts[i] == -1 && ends[i] <= -TO_END;
        out.set(ax[i], whole ? d : c.fresh());
      }
    }
    return one(x.withShape(new Shape(out)));
  }

  static Object[] slice(KernelContext c) {
    Tensor x = c.tensor(0);
    int rank = x.rank();
    long[] starts = ShapeMath.ints(c, "starts", 1);
    long[] ends = ShapeMath.ints(c, "ends", 2);
    if (starts == null || ends == null) throw c.fail("slice needs starts and ends");
    long[] axes = defaultAxes(ShapeMath.ints(c, "axes", 3), starts.length);
    long[] steps = ShapeMath.ints(c, "steps", 4);
    if (ends.length != starts.length || axes.length != starts.length || (steps != null && steps.length != starts.length)) {
      throw c.fail("starts, ends, axes and steps differ in length");
    }
    int[] ax = ShapeMath.axes(axes, rank);
    long[] shape = x.shape();
    long[][] coord = identity(shape);
    for (int i = 0; i < ax.length; i++) {
      long[] s = ShapeMath.slice(shape[ax[i]], starts[i], ends[i], steps == null ? 1 : steps[i]);
      shape[ax[i]] = s[2];
      coord[ax[i]] = new long[Math.toIntExact(s[2])];
      for (int o = 0; o < s[2]; o++) coord[ax[i]][o] = s[0] + o * s[1];
    }
    return new Object[] {ShapeMath.gatherAxes(c, x, shape, coord, null)};
  }

  static long[][] identity(long[] shape) {
    long[][] coord = new long[shape.length][];
    for (int a = 0; a < shape.length; a++) {
      coord[a] = new long[Math.toIntExact(shape[a])];
      for (int o = 0; o < coord[a].length; o++) coord[a][o] = o;
    }
    return coord;
  }

  // ---- pad ----

  static List<Type> inferPad(InferContext c) {
    TensorType x = c.tensor(0);
    String mode = c.attrs().getString("mode");
    if (!List.of("constant", "reflect", "edge", "wrap").contains(mode)) throw c.fail("unknown pad mode '" + mode + "'");
    if (c.hasInput(2) && c.dtype(2) != x.dtype()) throw c.fail("constant_value is " + c.dtype(2) + ", data is " + x.dtype());
    if (!x.shape().isRanked()) return one(x);
    int rank = x.rank();
    long[] pads = ShapeMath.staticInts(c, "pads", 1);
    long[] axes = ShapeMath.staticInts(c, "axes", 3);
    if (axes == null && ShapeMath.given(c, "axes", 3)) return one(x.withShape(new Shape(ShapeMath.freshDims(c, rank))));
    int[] ax;
    try {
      ax = ShapeMath.axes(defaultAxes(axes, rank), rank);
    } catch (IllegalArgumentException e) {
      throw c.fail(e.getMessage());
    }
    List<Dim> out = new ArrayList<>(x.shape().dims());
    if (pads != null && pads.length != 2 * ax.length) {
      throw c.fail("pads has " + pads.length + " entries, expected " + 2 * ax.length);
    }
    for (int i = 0; i < ax.length; i++) {
      Dim d = out.get(ax[i]);
      if (pads == null) out.set(ax[i], c.fresh());
      else if (pads[i] + pads[i + ax.length] == 0 && !d.isStatic()) out.set(ax[i], d);
      else if (!d.isStatic()) out.set(ax[i], c.fresh());
      else {
        long size = d.size() + pads[i] + pads[i + ax.length];
        if (size < 0) throw c.fail("pads " + Arrays.toString(pads) + " crop axis " + ax[i] + " below zero");
        out.set(ax[i], Dim.of(size));
      }
    }
    return one(x.withShape(new Shape(out)));
  }

  static Object[] pad(KernelContext c) {
    Tensor x = c.tensor(0);
    int rank = x.rank();
    String mode = c.attrs().getString("mode");
    long[] pads = ShapeMath.ints(c, "pads", 1);
    if (pads == null) throw c.fail("pad needs pads");
    int[] ax = ShapeMath.axes(defaultAxes(ShapeMath.ints(c, "axes", 3), rank), rank);
    if (pads.length != 2 * ax.length) throw c.fail("pads has " + pads.length + " entries, expected " + 2 * ax.length);
    long[] shape = x.shape();
    long[][] coord = identity(shape);
    for (int i = 0; i < ax.length; i++) {
      int a = ax[i];
      long d = x.dim(a);
      long begin = pads[i];
      long size = d + begin + pads[i + ax.length];
      if (size < 0) throw c.fail("pads " + Arrays.toString(pads) + " crop axis " + a + " below zero");
      if (d == 0 && size > 0 && !mode.equals("constant")) throw c.fail(mode + " padding of an empty axis " + a);
      shape[a] = size;
      coord[a] = new long[Math.toIntExact(size)];
      for (int o = 0; o < size; o++) coord[a][o] = source(o - begin, d, mode);
    }
    return new Object[] {ShapeMath.gatherAxes(c, x, shape, coord, padValue(c, x.dtype()))};
  }

  /** Where padded coordinate {@code i} reads from on an axis of size {@code d}; -1 = the constant. */
  static long source(long i, long d, String mode) {
    if (i >= 0 && i < d) return i;
    return switch (mode) {
      case "edge" -> i < 0 ? 0 : d - 1;
      case "wrap" -> Math.floorMod(i, d);
      case "reflect" -> {
        if (d == 1) yield 0;
        long period = 2 * (d - 1);
        long m = Math.floorMod(i, period);
        yield m < d ? m : period - m;
      }
      default -> -1;
    };
  }

  static Tensor padValue(KernelContext c, DType dtype) {
    if (c.has(2) && c.tensor(2).size() > 0) return c.tensor(2).reshape(c.tensor(2).size());
    Tensor v = Tensor.zeros(dtype, 1);
    if (c.attrs().has("value") && dtype != DType.STRING) v.setDouble(0, c.attrs().getFloat("value"));
    return v;
  }

  // ---- center_crop_pad ----

  static List<Type> inferCenterCropPad(InferContext c) {
    TensorType x = c.tensor(0);
    if (!x.shape().isRanked()) return one(x);
    if (!ShapeMath.given(c, "shape", 1)) throw c.fail("center_crop_pad needs a shape");
    long[] shape = ShapeMath.staticInts(c, "shape", 1);
    long n = shape != null ? shape.length : ShapeMath.length(c, 1);
    long[] axes = c.attrs().getIntsOr("axes", null);
    if (n < 0) return one(x.withShape(new Shape(ShapeMath.freshDims(c, x.rank()))));
    int[] ax;
    try {
      ax = ShapeMath.axes(defaultAxes(axes, (int) n), x.rank());
    } catch (IllegalArgumentException e) {
      throw c.fail(e.getMessage());
    }
    if (ax.length != n) throw c.fail("shape has " + n + " entries for " + ax.length + " axes");
    List<Dim> out = new ArrayList<>(x.shape().dims());
    for (int i = 0; i < ax.length; i++) out.set(ax[i], shape == null ? c.fresh() : Dim.of(shape[i]));
    return one(x.withShape(new Shape(out)));
  }

  static Object[] centerCropPad(KernelContext c) {
    Tensor x = c.tensor(0);
    long[] target = ShapeMath.ints(c, "shape", 1);
    int[] ax = ShapeMath.axes(defaultAxes(c.attrs().getIntsOr("axes", null), target.length), x.rank());
    if (ax.length != target.length) throw c.fail("shape has " + target.length + " entries for " + ax.length + " axes");
    long[] shape = x.shape();
    long[][] coord = identity(shape);
    for (int i = 0; i < ax.length; i++) {
      long d = x.dim(ax[i]);
      long s = target[i];
      if (s < 0) throw c.fail("negative target size " + s);
      // Crop takes the window starting at floor((d-s)/2); pad puts the data at floor((s-d)/2).
      long shift = s <= d ? (d - s) / 2 : -((s - d) / 2);
      shape[ax[i]] = s;
      coord[ax[i]] = new long[Math.toIntExact(s)];
      for (int o = 0; o < s; o++) {
        long src = o + shift;
        coord[ax[i]][o] = src >= 0 && src < d ? src : -1;
      }
    }
    return new Object[] {ShapeMath.gatherAxes(c, x, shape, coord, Tensor.zeros(x.dtype(), 1))};
  }
}
