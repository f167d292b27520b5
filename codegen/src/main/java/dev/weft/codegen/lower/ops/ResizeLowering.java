package dev.weft.codegen.lower.ops;

import dev.weft.bundle.DType;
import dev.weft.bundle.Tensor;
import dev.weft.codegen.kir.BinaryOp;
import dev.weft.codegen.kir.Expr;
import dev.weft.codegen.kir.ExprFactory;
import dev.weft.codegen.kir.UnaryOp;
import dev.weft.codegen.lower.LowerContext;
import dev.weft.codegen.lower.LoweringTable;
import dev.weft.ir.Attrs;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * resize (ONNX Resize-19) with the interpreter's arithmetic: per resampled axis, the source
 * coordinate, tap positions and weights are computed in f64 from the result index exactly as
 * the interpreter's tables are (every coordinate_transformation_mode, nearest_mode, linear and
 * cubic with antialias and exclude_outside, extrapolation for tf_crop_and_resize), and the axes
 * are combined in the interpreter's order (axis 0 innermost) with f64 sums, so results agree
 * to the final rounding. Scales, sizes and roi must be compile-time constants. The kernel does
 * taps^axes loads per element (4 for bilinear, 16 for bicubic in 2-D).
 */
final class ResizeLowering {
  private ResizeLowering() {}

  static void register(LoweringTable t) { t.add("resize", (c, k, idx) -> resize(c, idx)); }

  /** Most operand reads per result element (the product of the per-axis tap counts). */
  static final long MAX_LOADS = 4096;

  /** Taps per result coordinate on an axis: 2 for nearest, 2 - 2 * start for the filters (more when antialiasing a downscale). */
  private static long tapCount(Attrs a, String mode, double scale) {
    if (mode.equals("nearest")) return 2;
    double s = a.getBool("antialias") && scale < 1 ? scale : 1.0;
    long start = (long) Math.floor((mode.equals("cubic") ? -2 : -1) / s) + 1;
    return 2 - 2 * start;
  }

  /** One axis to resample: its static sizes and the interpreter's scale and roi. */
  private record Axis(int axis, long inLen, long outLen, double scale, double roiStart, double roiEnd) { }

  /** The taps of one result coordinate: clamped source positions and weights; outside selects the extrapolation value. */
  private record Taps(Expr outside, Expr[] ids, Expr[] weights) { }

  private static Expr resize(LowerContext c, Expr[] idx) {
    long[] in = c.inShape(0);
    long[] out = c.outShape(0);
    Attrs a = c.attrs();
    String mode = a.getString("mode");
    String coord = a.getString("coordinate_transformation_mode");
    if (!List.of("nearest", "linear", "cubic").contains(mode)) throw c.fail("unknown resize mode '" + mode + "'");
    if (!List.of("align_corners", "asymmetric", "pytorch_half_pixel", "half_pixel_symmetric", "tf_crop_and_resize", "half_pixel").contains(coord)) {
      throw c.fail("unknown coordinate_transformation_mode '" + coord + "'");
    }
    if (mode.equals("nearest") && !List.of("round_prefer_floor", "round_prefer_ceil", "floor", "ceil").contains(a.getString("nearest_mode"))) {
      throw c.fail("unknown nearest_mode '" + a.getString("nearest_mode") + "'");
    }
    if (IndexMath.empty(out)) return IndexMath.zero(c, 0);
    if (IndexMath.empty(in)) throw c.fail("resize of an empty operand to a non-empty result");
    List<Axis> axes = plan(c, in, out);
    long loads = 1;
    for (Axis ax : axes) loads *= tapCount(a, mode, ax.scale());
    if (loads > MAX_LOADS) {
      throw c.fail("resize would read " + loads + " operand elements per result element (antialiased downscale); limit " + MAX_LOADS);
    }
    ExprFactory f = c.f();
    Expr v = stage(c, axes, axes.size(), idx.clone());
    return f.cast(ExprFactory.computeType(c.outDType(0)), v);
  }

  private static double[] optionalDoubles(LowerContext c, int i, String what) {
    if (c.inputCount() <= i || !c.has(i)) return null;
    Tensor t = c.requireConstant(i, what);
    return t.size() == 0 ? null : t.toDoubleArray();
  }

  /** The interpreter's plan: per-axis scale (from scales, or sizes and the aspect policy) and roi. */
  private static List<Axis> plan(LowerContext c, long[] in, long[] out) {
    Attrs a = c.attrs();
    int r = in.length;
    long[] ax = a.getInts("axes");
    int[] axes = new int[ax.length == 0 ? r : ax.length];
    for (int i = 0; i < axes.length; i++) axes[i] = ax.length == 0 ? i : IndexMath.axis(c, ax[i], r);
    double[] roi = optionalDoubles(c, 1, "roi");
    double[] scales = optionalDoubles(c, 2, "scales");
    double[] sizesD = optionalDoubles(c, 3, "sizes");
    double[] sc = new double[r];
    double[] rs = new double[r];
    double[] re = new double[r];
    Arrays.fill(sc, 1.0);
    Arrays.fill(re, 1.0);
    if (roi != null && roi.length == 2 * axes.length) {
      for (int i = 0; i < axes.length; i++) {
        rs[axes[i]] = roi[i];
        re[axes[i]] = roi[i + axes.length];
      }
    }
    if (sizesD != null) {
      long[] sizes = c.requireConstant(3, "sizes").toLongArray();
      if (sizes.length != axes.length) throw c.fail("sizes has " + sizes.length + " values for " + axes.length + " axes");
      String policy = a.getString("keep_aspect_ratio_policy");
      if (policy.equals("stretch")) {
        for (int i = 0; i < axes.length; i++) sc[axes[i]] = (double) sizes[i] / in[axes[i]];
      } else {
        boolean notLarger = policy.equals("not_larger");
        double s = notLarger ? Double.POSITIVE_INFINITY : 0;
        for (int i = 0; i < axes.length; i++) {
          double v = (double) sizes[i] / in[axes[i]];
          s = notLarger ? Math.min(s, v) : Math.max(s, v);
        }
        for (int x : axes) sc[x] = s;
      }
    } else if (scales != null) {
      if (scales.length != axes.length) throw c.fail("scales has " + scales.length + " values for " + axes.length + " axes");
      for (int i = 0; i < axes.length; i++) {
        if (scales[i] <= 0) throw c.fail("scales must be positive, got " + scales[i]);
        sc[axes[i]] = scales[i];
      }
    } else {
      throw c.fail("resize needs scales or sizes");
    }
    boolean crop = a.getString("coordinate_transformation_mode").equals("tf_crop_and_resize");
    List<Axis> plan = new ArrayList<>();
    for (int x = 0; x < r; x++) {
      if (out[x] == in[x] && sc[x] == 1.0 && !crop) continue;
      plan.add(new Axis(x, in[x], out[x], sc[x], rs[x], re[x]));
    }
    return plan;
  }

  /**
   * The f64 value after resampling the first {@code n} planned axes, at index {@code y}
   * (result coordinates on those axes, operand coordinates elsewhere).
   */
  private static Expr stage(LowerContext c, List<Axis> axes, int n, Expr[] y) {
    ExprFactory f = c.f();
    if (n == 0) return f.cast(DType.F64, c.in(0, y));
    Axis ax = axes.get(n - 1);
    Taps taps = taps(c, ax, y[ax.axis()]);
    Expr acc = f.constant(DType.F64, 0);
    for (int k = 0; k < taps.ids().length; k++) {
      Expr[] src = y.clone();
      src[ax.axis()] = taps.ids()[k];
      Expr w = taps.weights()[k];
      Expr term = f.add(acc, f.mul(w, stage(c, axes, n - 1, src)));
      // The interpreter skips zero weights, so an infinite neighbour does not turn into NaN.
      acc = w.isConst() ? (w.constant() == 0 ? acc : term) : f.select(f.binary(BinaryOp.EQ, w, d(f, 0)), acc, term);
    }
    if (taps.outside() != null) acc = f.select(taps.outside(), d(f, c.attrs().getFloat("extrapolation_value")), acc);
    return acc;
  }

  private static Expr d(ExprFactory f, double v) { return f.constant(DType.F64, v); }

  /** Source coordinate, taps and weights of result coordinate {@code i} on one axis. */
  private static Taps taps(LowerContext c, Axis ax, Expr i) {
    ExprFactory f = c.f();
    Attrs a = c.attrs();
    String mode = a.getString("mode");
    String coord = a.getString("coordinate_transformation_mode");
    long inLen = ax.inLen();
    long o = ax.outLen();
    double scale = ax.scale();
    double outWidth = scale * inLen;
    Expr fi = f.cast(DType.F64, i);
    Expr half = f.add(fi, d(f, 0.5));
    Expr xo = switch (coord) {
      case "align_corners" -> o == 1 ? d(f, 0) : f.div(f.mul(fi, d(f, inLen - 1)), d(f, outWidth - 1));
      case "asymmetric" -> f.div(fi, d(f, scale));
      case "pytorch_half_pixel" -> outWidth > 1 ? f.sub(f.div(half, d(f, scale)), d(f, 0.5)) : d(f, -0.5);
      case "half_pixel_symmetric" -> {
        double adj = o / outWidth;
        double center = inLen / 2.0;
        yield f.sub(f.add(d(f, center * (1 - adj)), f.div(half, d(f, scale))), d(f, 0.5));
      }
      case "tf_crop_and_resize" -> {
        double span = ax.roiEnd() - ax.roiStart();
        Expr v = o == 1 ? d(f, span * (inLen - 1) / 2) : f.div(f.mul(f.mul(fi, d(f, span)), d(f, inLen - 1)), d(f, o - 1));
        yield f.add(v, d(f, ax.roiStart() * (inLen - 1)));
      }
      default -> f.sub(f.div(half, d(f, scale)), d(f, 0.5));
    };
    Expr outside = null;
    if (coord.equals("tf_crop_and_resize")) {
      outside = f.or(f.lt(xo, d(f, 0)), f.binary(BinaryOp.GT, xo, d(f, inLen - 1)));
    }
    Expr fl = f.unary(UnaryOp.FLOOR, xo);
    Expr integral = f.binary(BinaryOp.EQ, xo, fl);
    Expr x0 = f.cast(DType.I64, fl);
    Expr ratio = f.select(integral, d(f, 1.0), f.sub(xo, f.cast(DType.F64, x0)));
    x0 = f.select(integral, f.sub(x0, f.index(1)), x0);
    boolean antialias = a.getBool("antialias") && scale < 1 && !mode.equals("nearest");
    Expr[] w = coefficients(f, a, mode, ratio, antialias ? scale : 1.0);
    int n = w.length;
    Expr first = f.add(x0, f.index(1 - n / 2));
    Expr[] ids = new Expr[n];
    for (int k = 0; k < n; k++) ids[k] = f.add(first, f.index(k));
    if (a.getBool("exclude_outside")) {
      Expr sum = d(f, 0);
      for (int k = 0; k < n; k++) {
        Expr out = f.or(f.lt(ids[k], f.index(0)), f.binary(BinaryOp.GE, ids[k], f.index(inLen)));
        w[k] = f.select(out, d(f, 0), w[k]);
        sum = f.add(sum, w[k]);
      }
      Expr zero = f.binary(BinaryOp.EQ, sum, d(f, 0));
      for (int k = 0; k < n; k++) w[k] = f.select(zero, d(f, 0), f.div(w[k], sum));
    }
    for (int k = 0; k < n; k++) ids[k] = f.clamp(ids[k], 0, inLen - 1);
    return new Taps(outside, ids, w);
  }

  /** The interpreter's ResizeOps.coefficients as f64 expressions of the fractional coordinate. */
  private static Expr[] coefficients(ExprFactory f, Attrs a, String mode, Expr ratio, double scale) {
    if (mode.equals("nearest")) {
      Expr up = switch (a.getString("nearest_mode")) {
        case "round_prefer_floor" -> f.binary(BinaryOp.GT, ratio, d(f, 0.5));
        case "round_prefer_ceil" -> f.binary(BinaryOp.GE, ratio, d(f, 0.5));
        case "floor" -> f.bool(false);
        default -> f.bool(true);
      };
      up = f.or(up, f.binary(BinaryOp.EQ, ratio, d(f, 1.0)));
      return new Expr[] {f.select(up, d(f, 0), d(f, 1)), f.select(up, d(f, 1), d(f, 0))};
    }
    boolean cubic = mode.equals("cubic");
    int start = (int) Math.floor((cubic ? -2 : -1) / scale) + 1;
    int n = 2 - 2 * start;
    Expr[] w = new Expr[n];
    Expr sum = d(f, 0);
    double ca = a.getFloat("cubic_coeff_a");
    for (int k = 0; k < n; k++) {
      Expr x = f.mul(f.sub(d(f, start + k), ratio), d(f, scale));
      w[k] = cubic ? cubic(f, x, ca) : f.max(d(f, 0), f.sub(d(f, 1), f.unary(UnaryOp.ABS, x)));
      sum = f.add(sum, w[k]);
    }
    for (int k = 0; k < n; k++) w[k] = f.div(w[k], sum);
    return w;
  }

  /** Keys' cubic convolution kernel with coefficient a. */
  private static Expr cubic(ExprFactory f, Expr x, double a) {
    Expr ax = f.unary(UnaryOp.ABS, x);
    Expr near = f.add(f.mul(f.mul(f.sub(f.mul(d(f, a + 2), ax), d(f, a + 3)), ax), ax), d(f, 1));
    Expr far = f.sub(f.mul(f.add(f.mul(f.sub(f.mul(d(f, a), ax), d(f, 5 * a)), ax), d(f, 8 * a)), ax), d(f, 4 * a));
    return f.select(f.le(ax, d(f, 1)), near, f.select(f.lt(ax, d(f, 2)), far, d(f, 0)));
  }
}
