package dev.weft.ir.ops;

import dev.weft.bundle.Tensor;
import dev.weft.ir.Attribute;
import dev.weft.ir.Attrs;
import dev.weft.ir.Dim;
import dev.weft.ir.InferContext;
import dev.weft.ir.OpDef;
import dev.weft.ir.OpLibrary;
import dev.weft.ir.Shape;
import dev.weft.ir.TensorType;
import dev.weft.ir.Type;
import dev.weft.ir.interp.KernelContext;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code resize} (custom, reference kernel) with ONNX Resize-19 semantics: operands x, roi?,
 * scales?, sizes?; modes nearest / linear / cubic, every coordinate_transformation_mode,
 * nearest_mode, cubic_coeff_a, exclude_outside, extrapolation_value, antialias, axes and
 * keep_aspect_ratio_policy. Every mode is separable, so the kernel resamples one axis at a time.
 */
public final class ResizeOps implements OpLibrary {
  @Override
  public List<OpDef> ops() {
    return List.of(OpDef.custom("resize").inputs(1, 4)
        .attr("mode", Attribute.of("nearest")).attr("coordinate_transformation_mode", Attribute.of("half_pixel"))
        .attr("nearest_mode", Attribute.of("round_prefer_floor")).attr("cubic_coeff_a", Attribute.of(-0.75))
        .attr("exclude_outside", Attribute.of(0L)).attr("extrapolation_value", Attribute.of(0.0))
        .attr("antialias", Attribute.of(0L)).attr("keep_aspect_ratio_policy", Attribute.of("stretch"))
        .attr("axes", Attribute.of(new long[0]))
        .infer(ResizeOps::infer).kernel(ResizeOps::kernel).build());
  }

  static int[] axes(Attrs a, int rank) {
    long[] ax = a.getInts("axes");
    int[] out = new int[ax.length == 0 ? rank : ax.length];
    for (int i = 0; i < out.length; i++) out[i] = ax.length == 0 ? i : NnSupport.axis(ax[i], rank);
    return out;
  }

  static List<Type> infer(InferContext c) {
    TensorType x = c.tensor(0);
    if (!x.shape().isRanked()) return List.of(x);
    int r = x.rank();
    int[] axes = axes(c.attrs(), r);
    Tensor scales = c.hasInput(2) ? c.constant(2) : null;
    Tensor sizes = c.hasInput(3) ? c.constant(3) : null;
    boolean scalesGiven = c.hasInput(2) && (scales == null || scales.size() > 0);
    List<Dim> out = new ArrayList<>(x.shape().dims());
    boolean known = sizes != null && sizes.size() > 0 || scales != null && scales.size() > 0 && !c.attrs().getString("coordinate_transformation_mode").equals("tf_crop_and_resize");
    long[] in = new long[r];
    boolean allStatic = x.shape().isStatic();
    if (known && allStatic) {
      in = x.shape().sizes();
      long[] o = plan(c.attrs(), in, axes, null, scales != null && scales.size() > 0 ? scales.toDoubleArray() : null,
          sizes != null && sizes.size() > 0 ? sizes.toLongArray() : null).out;
      for (int i = 0; i < r; i++) out.set(i, Dim.of(o[i]));
    } else if (known && sizes != null && c.attrs().getString("keep_aspect_ratio_policy").equals("stretch")) {
      long[] sv = sizes.toLongArray();
      for (int i = 0; i < axes.length; i++) out.set(axes[i], Dim.of(sv[i]));
    } else {
      for (int a : axes) {
        Dim d = out.get(a);
        boolean unit = scalesGiven && scales != null && scales.getDouble(indexOf(axes, a)) == 1.0;
        if (!unit) out.set(a, c.fresh());
        else out.set(a, d);
      }
    }
    return List.of(x.withShape(new Shape(out)));
  }

  private static int indexOf(int[] axes, int a) {
    for (int i = 0; i < axes.length; i++) if (axes[i] == a) return i;
    return -1;
  }

  record Plan(long[] out, double[] scale, double[] roiStart, double[] roiEnd) {}

  static Plan plan(Attrs a, long[] in, int[] axes, double[] roi, double[] scales, long[] sizes) {
    int r = in.length;
    long[] out = in.clone();
    double[] sc = new double[r];
    java.util.Arrays.fill(sc, 1.0);
    double[] rs = new double[r], re = new double[r];
    java.util.Arrays.fill(re, 1.0);
    if (roi != null && roi.length == 2 * axes.length) {
      for (int i = 0; i < axes.length; i++) {
        rs[axes[i]] = roi[i];
        re[axes[i]] = roi[i + axes.length];
      }
    }
    boolean crop = a.getString("coordinate_transformation_mode").equals("tf_crop_and_resize");
    if (sizes != null) {
      if (sizes.length != axes.length) throw new IllegalArgumentException("sizes has " + sizes.length + " values for " + axes.length + " axes");
      String policy = a.getString("keep_aspect_ratio_policy");
      if (policy.equals("stretch")) {
        for (int i = 0; i < axes.length; i++) {
          out[axes[i]] = sizes[i];
          sc[axes[i]] = (double) sizes[i] / in[axes[i]];
        }
      } else {
        double s = policy.equals("not_larger") ? Double.POSITIVE_INFINITY : 0;
        for (int i = 0; i < axes.length; i++) {
          double v = (double) sizes[i] / in[axes[i]];
          s = policy.equals("not_larger") ? Math.min(s, v) : Math.max(s, v);
        }
        for (int ax : axes) {
          sc[ax] = s;
          out[ax] = (long) Math.rint(s * in[ax]);
        }
      }
    } else if (scales != null) {
      if (scales.length != axes.length) throw new IllegalArgumentException("scales has " + scales.length + " values for " + axes.length + " axes");
      for (int i = 0; i < axes.length; i++) {
        int ax = axes[i];
        if (scales[i] <= 0) throw new IllegalArgumentException("scales must be positive, got " + scales[i]);
        sc[ax] = scales[i];
        double span = crop ? re[ax] - rs[ax] : 1.0;
        out[ax] = (long) Math.floor(in[ax] * span * scales[i]);
      }
    } else {
      throw new IllegalArgumentException("resize needs scales or sizes");
    }
    return new Plan(out, sc, rs, re);
  }

  static Object[] kernel(KernelContext c) {
    Tensor x = c.tensor(0);
    long[] in = x.shape();
    int[] axes = axes(c.attrs(), in.length);
    double[] roi = c.has(1) && c.tensor(1).size() > 0 ? c.tensor(1).toDoubleArray() : null;
    double[] scales = c.has(2) && c.tensor(2).size() > 0 ? c.tensor(2).toDoubleArray() : null;
    long[] sizes = c.has(3) && c.tensor(3).size() > 0 ? c.tensor(3).toLongArray() : null;
    Plan p = plan(c.attrs(), in, axes, roi, scales, sizes);
    String coord = c.attrs().getString("coordinate_transformation_mode");
    double[] data = x.toDoubleArray();
    long[] shape = in.clone();
    for (int ax = 0; ax < in.length; ax++) {
      boolean identity = p.out[ax] == in[ax] && p.scale[ax] == 1.0 && !coord.equals("tf_crop_and_resize");
      if (identity) continue;
      data = resizeAxis(c.attrs(), data, shape, ax, p.out[ax], p.scale[ax], p.roiStart[ax], p.roiEnd[ax]);
      shape[ax] = p.out[ax];
    }
    return KernelContext.one(NnSupport.fromDoubles(x.dtype(), shape, data));
  }

  /** Resamples {@code data} (shape {@code shape}) along {@code ax} to {@code outLen} points. */
  static double[] resizeAxis(Attrs a, double[] data, long[] shape, int ax, long outLen, double scale, double roiStart, double roiEnd) {
    int inLen = (int) shape[ax];
    int outer = (int) NnSupport.prod(shape, 0, ax), inner = (int) NnSupport.prod(shape, ax + 1, shape.length);
    String mode = a.getString("mode"), coord = a.getString("coordinate_transformation_mode");
    double extrap = a.getFloat("extrapolation_value");
    boolean exclude = a.getBool("exclude_outside");
    boolean antialias = a.getBool("antialias") && scale < 1 && !mode.equals("nearest");
    double cubicA = a.getFloat("cubic_coeff_a");
    int o = (int) outLen;
    int[][] idx = new int[o][];
    double[][] wts = new double[o][];
    boolean[] outside = new boolean[o];
    for (int i = 0; i < o; i++) {
      double outWidth = scale * inLen;
      double xo = switch (coord) {
        case "align_corners" -> o == 1 ? 0 : (double) i * (inLen - 1) / (outWidth - 1);
        case "asymmetric" -> i / scale;
        case "pytorch_half_pixel" -> outWidth > 1 ? (i + 0.5) / scale - 0.5 : -0.5;
        case "half_pixel_symmetric" -> {
          double adj = o / outWidth;
          double center = inLen / 2.0;
          yield center * (1 - adj) + (i + 0.5) / scale - 0.5;
        }
        case "tf_crop_and_resize" -> {
          double v = o == 1 ? (roiEnd - roiStart) * (inLen - 1) / 2 : i * (roiEnd - roiStart) * (inLen - 1) / (o - 1);
          yield v + roiStart * (inLen - 1);
        }
        case "half_pixel" -> (i + 0.5) / scale - 0.5;
        default -> throw new IllegalArgumentException("unknown coordinate_transformation_mode '" + coord + "'");
      };
      if (coord.equals("tf_crop_and_resize") && (xo < 0 || xo > inLen - 1)) {
        outside[i] = true;
        continue;
      }
      boolean integral = xo == Math.floor(xo);
      int x0 = (int) Math.floor(xo);
      double ratio = integral ? 1.0 : xo - x0;
      if (integral) x0 -= 1;
      double[] coeffs = coefficients(mode, ratio, antialias ? scale : 1.0, cubicA, a.getString("nearest_mode"));
      int n = coeffs.length;
      int start = x0 - n / 2 + 1;
      int[] ids = new int[n];
      for (int k = 0; k < n; k++) ids[k] = start + k;
      if (exclude) {
        double sum = 0;
        for (int k = 0; k < n; k++) {
          if (ids[k] < 0 || ids[k] >= inLen) coeffs[k] = 0;
          sum += coeffs[k];
        }
        for (int k = 0; k < n; k++) coeffs[k] = sum == 0 ? 0 : coeffs[k] / sum;
      }
      for (int k = 0; k < n; k++) ids[k] = Math.max(0, Math.min(inLen - 1, ids[k]));
      idx[i] = ids;
      wts[i] = coeffs;
    }
    long[] os = shape.clone();
    os[ax] = outLen;
    double[] out = new double[(int) Tensor.elementCount(os)];
    for (int b = 0; b < outer; b++) {
      for (int i = 0; i < o; i++) {
        int dst = (b * o + i) * inner;
        if (outside[i]) {
          java.util.Arrays.fill(out, dst, dst + inner, extrap);
          continue;
        }
        int[] ids = idx[i];
        double[] w = wts[i];
        for (int k = 0; k < ids.length; k++) {
          if (w[k] == 0) continue;
          int src = (b * inLen + ids[k]) * inner;
          for (int j = 0; j < inner; j++) out[dst + j] += w[k] * data[src + j];
        }
      }
    }
    return out;
  }

  static double[] coefficients(String mode, double ratio, double scale, double a, String nearestMode) {
    switch (mode) {
      case "nearest" -> {
        if (ratio == 1.0) return new double[] {0, 1};
        boolean up = switch (nearestMode) {
          case "round_prefer_floor" -> ratio > 0.5;
          case "round_prefer_ceil" -> ratio >= 0.5;
          case "floor" -> false;
          case "ceil" -> true;
          default -> throw new IllegalArgumentException("unknown nearest_mode '" + nearestMode + "'");
        };
        return up ? new double[] {0, 1} : new double[] {1, 0};
      }
      case "linear" -> {
        int start = (int) Math.floor(-1 / scale) + 1;
        int n = 2 - 2 * start;
        double[] w = new double[n];
        double sum = 0;
        for (int k = 0; k < n; k++) {
          w[k] = Math.max(0, 1 - Math.abs((start + k - ratio) * scale));
          sum += w[k];
        }
        for (int k = 0; k < n; k++) w[k] /= sum;
        return w;
      }
      case "cubic" -> {
        int start = (int) Math.floor(-2 / scale) + 1;
        int n = 2 - 2 * start;
        double[] w = new double[n];
        double sum = 0;
        for (int k = 0; k < n; k++) {
          w[k] = cubic((start + k - ratio) * scale, a);
          sum += w[k];
        }
        for (int k = 0; k < n; k++) w[k] /= sum;
        return w;
      }
      default -> throw new IllegalArgumentException("unknown resize mode '" + mode + "'");
    }
  }

  static double cubic(double x, double a) {
    x = Math.abs(x);
    if (x <= 1) return ((a + 2) * x - (a + 3)) * x * x + 1;
    if (x < 2) return ((a * x - 5 * a) * x + 8 * a) * x - 4 * a;
    return 0;
  }
}
