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
 * Ops that read their input at data-dependent fractional positions, so no core op expresses
 * them cheaply; each is custom (reference kernel only), with ONNX semantics:
 * {@code grid_sample} (N-d; modes nearest / linear / cubic, padding zeros / border / reflection,
 * align_corners; nearest rounds half to even, as the ONNX test data),
 * {@code roi_align} (2-D; avg or max of bilinear samples, half_pixel or output_half_pixel) and
 * {@code deform_conv} (2-D convolution sampling each tap at a learned offset, optional mask).
 */
public final class SamplingOps implements OpLibrary {
  @Override
  public List<OpDef> ops() {
    return List.of(
        OpDef.custom("grid_sample").inputs(2).attr("mode", Attribute.of("linear"))
            .attr("padding_mode", Attribute.of("zeros")).attr("align_corners", Attribute.of(0L))
            .infer(SamplingOps::inferGridSample).kernel(SamplingOps::gridSample)
            .doc("X [N, C, D...] sampled at grid [N, D_out..., r] (normalized, last dim first).").build(),
        OpDef.custom("roi_align").inputs(3).attr("coordinate_transformation_mode", Attribute.of("half_pixel"))
            .attr("mode", Attribute.of("avg")).attr("output_height", Attribute.of(1L)).attr("output_width", Attribute.of(1L))
            .attr("sampling_ratio", Attribute.of(0L)).attr("spatial_scale", Attribute.of(1.0))
            .infer(SamplingOps::inferRoiAlign).kernel(SamplingOps::roiAlign)
            .doc("X [N, C, H, W], rois [R, 4] (x1, y1, x2, y2), batch_indices [R] -> [R, C, oh, ow].").build(),
        OpDef.custom("deform_conv").inputs(3, 5).optional("kernel_shape", Attribute.Kind.INTS)
            .optional("strides", Attribute.Kind.INTS).optional("pads", Attribute.Kind.INTS)
            .optional("dilations", Attribute.Kind.INTS).attr("group", Attribute.of(1L)).attr("offset_group", Attribute.of(1L))
            .infer(SamplingOps::inferDeformConv).kernel(SamplingOps::deformConv)
            .doc("X, W [oC, C/group, kH, kW], offset [N, og*2*kH*kW, oH, oW], B? [oC], mask? [N, og*kH*kW, oH, oW].").build());
  }

  // ---- grid_sample ----

  static List<Type> inferGridSample(InferContext c) {
    NnSupport.requireFloat(c, 0, "X");
    NnSupport.requireFloat(c, 1, "grid");
    String mode = c.attrs().getString("mode"), pad = c.attrs().getString("padding_mode");
    if (!List.of("nearest", "linear", "cubic").contains(mode)) throw c.fail("mode must be nearest, linear or cubic, got '" + mode + "'");
    if (!List.of("zeros", "border", "reflection").contains(pad)) throw c.fail("padding_mode must be zeros, border or reflection, got '" + pad + "'");
    Shape x = c.shape(0), g = c.shape(1);
    if (!x.isRanked() || !g.isRanked()) return List.of(new TensorType(c.dtype(0), Shape.unranked()));
    if (x.rank() < 3) throw c.fail("X must have rank >= 3, got " + x);
    if (g.rank() != x.rank()) throw c.fail("grid must have rank " + x.rank() + ", got " + g);
    Dim last = g.dims().get(g.rank() - 1);
    if (last.isStatic() && last.size() != x.rank() - 2) throw c.fail("grid's last dim must be " + (x.rank() - 2) + ", got " + last);
    List<Dim> out = new ArrayList<>(List.of(x.dims().get(0), x.dims().get(1)));
    out.addAll(g.dims().subList(1, g.rank() - 1));
    return List.of(new TensorType(c.dtype(0), new Shape(out)));
  }

  static Object[] gridSample(KernelContext c) {
    Tensor xt = c.tensor(0), gt = c.tensor(1);
    long[] xs = xt.shape(), gs = gt.shape();
    int r = xs.length - 2, n = (int) xs[0], ch = (int) xs[1];
    int[] dims = new int[r];
    for (int i = 0; i < r; i++) dims[i] = (int) xs[i + 2];
    int spatial = (int) NnSupport.prod(xs, 2, xs.length), points = (int) NnSupport.prod(gs, 1, gs.length - 1);
    Attrs a = c.attrs();
    String mode = a.getString("mode"), pad = a.getString("padding_mode");
    boolean align = a.getBool("align_corners");
    double[] x = xt.toDoubleArray(), grid = gt.toDoubleArray();
    double[] y = new double[n * ch * points];
    double[] lo = new double[r], hi = new double[r], pos = new double[r];
    for (int i = 0; i < r; i++) {
      lo[i] = align ? 0 : -0.5;
      hi[i] = align ? dims[i] - 1 : dims[i] - 0.5;
    }
    Sampler s = new Sampler(dims, mode, pad, lo, hi);
    for (int b = 0; b < n; b++) {
      for (int p = 0; p < points; p++) {
        int gb = (b * points + p) * r;
        for (int i = 0; i < r; i++) {
          double v = grid[gb + r - 1 - i];
          // The reference keeps pixel coordinates in f32.
          double px = (float) (align ? (v + 1) / 2.0 * (dims[i] - 1) : ((v + 1) * dims[i] - 1) / 2.0);
          if (mode.equals("nearest")) px = Math.rint(px);
          if (px < lo[i] || px > hi[i]) {
            if (pad.equals("border")) px = Math.max(0, Math.min(dims[i] - 1, px));
            else if (pad.equals("reflection")) px = reflect(px, lo[i], hi[i]);
          }
          pos[i] = px;
        }
        s.weights(pos);
        for (int k = 0; k < ch; k++) y[(b * ch + k) * points + p] = s.apply(x, (b * ch + k) * spatial);
      }
    }
    long[] ys = new long[r + 2];
    ys[0] = n;
    ys[1] = ch;
    System.arraycopy(gs, 1, ys, 2, r);
    return KernelContext.one(NnSupport.fromDoubles(xt.dtype(), ys, y));
  }

  /** Reflects x by the nearer border until it lies in [lo, hi]. */
  static double reflect(double x, double lo, double hi) {
    double range = hi - lo;
    if (x < lo) {
      double dx = lo - x;
      long k = (long) (dx / range);
      double rem = dx - k * range;
      return k % 2 == 0 ? lo + rem : hi - rem;
    }
    if (x > hi) {
      double dx = x - hi;
      long k = (long) (dx / range);
      double rem = dx - k * range;
      return k % 2 == 0 ? hi - rem : lo + rem;
    }
    return x;
  }

  static void cubicCoeffs(double t, double[] w) {
    double a = -0.75;
    t = Math.abs(t);
    w[0] = ((a * (t + 1) - 5 * a) * (t + 1) + 8 * a) * (t + 1) - 4 * a;
    w[1] = ((a + 2) * t - (a + 3)) * t * t + 1;
    w[2] = ((a + 2) * (1 - t) - (a + 3)) * (1 - t) * (1 - t) + 1;
    w[3] = ((a * (2 - t) - 5 * a) * (2 - t) + 8 * a) * (2 - t) - 4 * a;
  }

  /**
   * Separable N-d interpolation at one point: per dim the taps (index, weight) of the mode, each
   * index mapped by the padding mode (-1 = outside, reads 0), then the sum over the tap product.
   */
  static final class Sampler {
    final int[] dims;
    final int taps;
    final String mode, pad;
    final double[] lo, hi;
    final int[][] idx;
    final double[][] w;

    Sampler(int[] dims, String mode, String pad, double[] lo, double[] hi) {
      this.dims = dims;
      this.mode = mode;
      this.pad = pad;
      this.lo = lo;
      this.hi = hi;
      taps = switch (mode) {
        case "nearest" -> 1;
        case "linear" -> 2;
        default -> 4;
      };
      idx = new int[dims.length][taps];
      w = new double[dims.length][taps];
    }

    void weights(double[] pos) {
      for (int d = 0; d < dims.length; d++) {
        double p = pos[d];
        if (taps == 1) {
          idx[d][0] = map((long) p, d);
          w[d][0] = 1;
          continue;
        }
        long f = (long) Math.floor(p);
        double t = p - f;
        if (taps == 2) {
          w[d][0] = 1 - t;
          w[d][1] = t;
        } else {
          cubicCoeffs(t, w[d]);
          f -= 1;
        }
        for (int k = 0; k < taps; k++) idx[d][k] = map(f + k, d);
      }
    }

    private int map(long i, int d) {
      int n = dims[d];
      return switch (pad) {
        case "zeros" -> i >= 0 && i < n ? (int) i : -1;
        case "border" -> (int) Math.max(0, Math.min(n - 1, i));
        default -> (int) reflect(i, lo[d], hi[d]);
      };
    }

    double apply(double[] data, int base) { return apply(data, base, 0, 0, 1); }

    private double apply(double[] data, int base, int d, int offset, double weight) {
      if (d == dims.length) return weight * data[base + offset];
      double sum = 0;
      for (int k = 0; k < taps; k++) {
        if (idx[d][k] < 0) continue;
        sum += apply(data, base, d + 1, offset * dims[d] + idx[d][k], weight * w[d][k]);
      }
      return sum;
    }
  }

  // ---- roi_align ----

  static List<Type> inferRoiAlign(InferContext c) {
    NnSupport.requireFloat(c, 0, "X");
    if (c.dtype(1) != c.dtype(0)) throw c.fail("rois must be " + c.dtype(0) + ", got " + c.dtype(1));
    if (!c.dtype(2).isInteger()) throw c.fail("batch_indices must be an integer tensor, got " + c.dtype(2));
    String mode = c.attrs().getString("mode"), ct = c.attrs().getString("coordinate_transformation_mode");
    if (!mode.equals("avg") && !mode.equals("max")) throw c.fail("mode must be avg or max, got '" + mode + "'");
    if (!ct.equals("half_pixel") && !ct.equals("output_half_pixel")) {
      throw c.fail("coordinate_transformation_mode must be half_pixel or output_half_pixel, got '" + ct + "'");
    }
    Shape x = c.shape(0), rois = c.shape(1);
    if (x.isRanked() && x.rank() != 4) throw c.fail("X must be [N, C, H, W], got " + x);
    if (rois.isRanked() && (rois.rank() != 2 || rois.dims().get(1).isStatic() && rois.dims().get(1).size() != 4)) {
      throw c.fail("rois must be [num_rois, 4], got " + rois);
    }
    Dim r = rois.isRanked() ? rois.dims().get(0) : c.fresh();
    Dim ch = x.isRanked() ? x.dims().get(1) : c.fresh();
    return List.of(new TensorType(c.dtype(0), Shape.of(r, ch, Dim.of(c.attrs().getInt("output_height")),
        Dim.of(c.attrs().getInt("output_width")))));
  }

  static Object[] roiAlign(KernelContext c) {
    Tensor xt = c.tensor(0);
    long[] xs = xt.shape();
    int ch = (int) xs[1], h = (int) xs[2], w = (int) xs[3];
    double[] x = xt.toDoubleArray(), rois = c.tensor(1).toDoubleArray();
    Tensor bi = c.tensor(2);
    Attrs a = c.attrs();
    int oh = a.getInt32("output_height"), ow = a.getInt32("output_width"), ratio = a.getInt32("sampling_ratio");
    double scale = a.getFloat("spatial_scale");
    boolean half = a.getString("coordinate_transformation_mode").equals("half_pixel");
    boolean max = a.getString("mode").equals("max");
    int nr = (int) bi.size();
    double[] y = new double[nr * ch * oh * ow];
    double off = half ? 0.5 : 0;
    for (int r = 0; r < nr; r++) {
      long b = bi.getLong(r);
      if (b < 0 || b >= xs[0]) throw c.fail("batch index " + b + " of roi " + r + " is out of range for batch " + xs[0]);
      double x1 = rois[r * 4] * scale - off, y1 = rois[r * 4 + 1] * scale - off;
      double rw = rois[r * 4 + 2] * scale - off - x1, rh = rois[r * 4 + 3] * scale - off - y1;
      if (!half) {
        rw = Math.max(rw, 1);
        rh = Math.max(rh, 1);
      }
      double bh = rh / oh, bw = rw / ow;
      int gh = ratio > 0 ? ratio : (int) Math.ceil(rh / oh), gw = ratio > 0 ? ratio : (int) Math.ceil(rw / ow);
      int count = Math.max(gh * gw, 1);
      for (int k = 0; k < ch; k++) {
        int base = (int) ((b * ch + k) * h * w);
        for (int ph = 0; ph < oh; ph++) {
          for (int pw = 0; pw < ow; pw++) {
            double acc = 0;
            boolean first = true;
            for (int iy = 0; iy < gh; iy++) {
              double yy = y1 + ph * bh + (iy + 0.5) * bh / gh;
              for (int ix = 0; ix < gw; ix++) {
                double xx = x1 + pw * bw + (ix + 0.5) * bw / gw;
                double v = bilinearRoi(x, base, h, w, yy, xx, max);
                if (max) acc = first ? v : Math.max(acc, v);
                else acc += v;
                first = false;
              }
            }
            y[((r * ch + k) * oh + ph) * ow + pw] = max ? acc : acc / count;
          }
        }
      }
    }
    return KernelContext.one(NnSupport.fromDoubles(xt.dtype(), new long[] {nr, ch, oh, ow}, y));
  }

  /** RoiAlign's bilinear sample (clamped to the map); for max mode the largest weighted corner, as ONNX's reference. */
  static double bilinearRoi(double[] x, int base, int h, int w, double yy, double xx, boolean max) {
    if (yy < -1 || yy > h || xx < -1 || xx > w) return 0;
    double py = Math.max(yy, 0), px = Math.max(xx, 0);
    int y0 = (int) py, x0 = (int) px, y1, x1;
    if (y0 >= h - 1) {
      y0 = y1 = h - 1;
      py = y0;
    } else {
      y1 = y0 + 1;
    }
    if (x0 >= w - 1) {
      x0 = x1 = w - 1;
      px = x0;
    } else {
      x1 = x0 + 1;
    }
    double ly = py - y0, lx = px - x0, hy = 1 - ly, hx = 1 - lx;
    double a = hy * hx * x[base + y0 * w + x0], b = hy * lx * x[base + y0 * w + x1];
    double cc = ly * hx * x[base + y1 * w + x0], d = ly * lx * x[base + y1 * w + x1];
    return max ? Math.max(Math.max(a, b), Math.max(cc, d)) : a + b + cc + d;
  }

  // ---- deform_conv ----

  record ConvGeometry(int[] k, int[] s, int[] p, int[] d) {
    static ConvGeometry of(Attrs a, long[] wShape) {
      long[] k = a.getIntsOr("kernel_shape", new long[] {wShape[2], wShape[3]});
      long[] s = a.getIntsOr("strides", new long[] {1, 1}), p = a.getIntsOr("pads", new long[4]);
      long[] d = a.getIntsOr("dilations", new long[] {1, 1});
      return new ConvGeometry(ints(k), ints(s), ints(p), ints(d));
    }

    long out(int i, long in) { return (in + p[i] + p[i + 2] - ((long) (k[i] - 1) * d[i] + 1)) / s[i] + 1; }
  }

  private static int[] ints(long[] v) {
    int[] r = new int[v.length];
    for (int i = 0; i < v.length; i++) r[i] = Math.toIntExact(v[i]);
    return r;
  }

  static List<Type> inferDeformConv(InferContext c) {
    NnSupport.requireFloat(c, 0, "X");
    for (int i = 1; i < 5; i++) {
      if (c.hasInput(i) && c.dtype(i) != c.dtype(0)) throw c.fail("operand " + i + " must be " + c.dtype(0) + ", got " + c.dtype(i));
    }
    Shape x = c.shape(0), w = c.shape(1), off = c.shape(2);
    if (x.isRanked() && x.rank() != 4) throw c.fail("deform_conv supports 2-D input [N, C, H, W] only, got " + x);
    if (w.isRanked() && w.rank() != 4) throw c.fail("W must be [oC, C/group, kH, kW], got " + w);
    if (c.attrs().getInt("group") < 1 || c.attrs().getInt("offset_group") < 1) throw c.fail("group and offset_group must be >= 1");
    Dim n = x.isRanked() ? x.dims().get(0) : c.fresh();
    Dim oc = w.isRanked() ? w.dims().get(0) : c.fresh();
    Dim oh = off.isRanked() && off.rank() == 4 ? off.dims().get(2) : c.fresh();
    Dim ow = off.isRanked() && off.rank() == 4 ? off.dims().get(3) : c.fresh();
    return List.of(new TensorType(c.dtype(0), Shape.of(n, oc, oh, ow)));
  }

  static Object[] deformConv(KernelContext c) {
    Tensor xt = c.tensor(0), wt = c.tensor(1), ot = c.tensor(2);
    long[] xs = xt.shape(), ws = wt.shape(), os = ot.shape();
    ConvGeometry g = ConvGeometry.of(c.attrs(), ws);
    int n = (int) xs[0], ic = (int) xs[1], h = (int) xs[2], w = (int) xs[3];
    int oc = (int) ws[0], icg = (int) ws[1], kh = g.k[0], kw = g.k[1], kk = kh * kw;
    int groups = c.attrs().getInt32("group"), og = c.attrs().getInt32("offset_group");
    int oh = (int) os[2], ow = (int) os[3];
    if (icg * groups != ic || oc % groups != 0) throw c.fail("W " + java.util.Arrays.toString(ws) + " does not fit " + ic + " channels in " + groups + " groups");
    if (ic % og != 0 || os[1] != 2L * og * kk) throw c.fail("offset " + java.util.Arrays.toString(os) + " does not fit offset_group " + og);
    if (oh != g.out(0, h) || ow != g.out(1, w)) throw c.fail("offset's spatial shape does not match the convolution's output");
    double[] x = xt.toDoubleArray(), wv = wt.toDoubleArray(), off = ot.toDoubleArray();
    double[] bias = c.has(3) ? c.tensor(3).toDoubleArray() : null;
    double[] mask = c.has(4) ? c.tensor(4).toDoubleArray() : null;
    int ocg = oc / groups, icPerOg = ic / og, plane = oh * ow;
    // Sampled input columns: [N, C, kH*kW, oH*oW], then a grouped matmul with W.
    double[] cols = new double[n * ic * kk * plane];
    Sampler s = new Sampler(new int[] {h, w}, "linear", "zeros", new double[2], new double[2]);
    double[] pos = new double[2];
    for (int b = 0; b < n; b++) {
      for (int k = 0; k < ic; k++) {
        int gI = k / icPerOg;
        for (int t = 0; t < kk; t++) {
          int ti = t / kw, tj = t % kw;
          for (int i = 0; i < oh; i++) {
            for (int j = 0; j < ow; j++) {
              int o = i * ow + j;
              int ob = ((b * og + gI) * kk + t) * 2;
              pos[0] = i * g.s[0] - g.p[0] + ti * g.d[0] + off[ob * plane + o];
              pos[1] = j * g.s[1] - g.p[1] + tj * g.d[1] + off[(ob + 1) * plane + o];
              s.weights(pos);
              double v = s.apply(x, (b * ic + k) * h * w);
              if (mask != null) v *= mask[((b * og + gI) * kk + t) * plane + o];
              cols[((b * ic + k) * kk + t) * plane + o] = v;
            }
          }
        }
      }
    }
    double[] y = new double[n * oc * plane];
    for (int b = 0; b < n; b++) {
      for (int q = 0; q < oc; q++) {
        int grp = q / ocg;
        int yb = (b * oc + q) * plane;
        if (bias != null) java.util.Arrays.fill(y, yb, yb + plane, bias[q]);
        for (int kc = 0; kc < icg; kc++) {
          int k = grp * icg + kc;
          for (int t = 0; t < kk; t++) {
            double wgt = wv[(q * icg + kc) * kk + t];
            int cb = ((b * ic + k) * kk + t) * plane;
            for (int o = 0; o < plane; o++) y[yb + o] += wgt * cols[cb + o];
          }
        }
      }
    }
    return KernelContext.one(NnSupport.fromDoubles(xt.dtype(), new long[] {n, oc, oh, ow}, y));
  }
}
