package dev.weft.ir.ops;

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
import java.util.List;
import java.util.stream.IntStream;

/**
 * {@code conv} and {@code conv_transpose}: N-d (N, C, spatial...) convolution with strides,
 * dilations, pads (begin values then end values), auto_pad, groups and an optional bias.
 * Kernels unfold each (batch, group) into columns and run the blocked float matmul.
 */
public final class ConvOps implements OpLibrary {
  @Override
  public List<OpDef> ops() {
    return List.of(
        Window.attrs(OpDef.core("conv").inputs(2, 3)).attr("group", Attribute.of(1L))
            .infer(ConvOps::inferConv).kernel(ConvOps::conv)
            .doc("x [N,C,d...], w [M,C/group,k...], bias [M]").build(),
        Window.attrs(OpDef.core("conv_transpose").inputs(2, 3)).attr("group", Attribute.of(1L))
            .attr("output_padding", Attribute.of(new long[0]))
            .attr("output_shape", Attribute.of(new long[0]))
            .infer(ConvOps::inferTranspose).kernel(ConvOps::convTranspose)
            .doc("x [N,C,d...], w [C,M/group,k...], bias [M]; output_shape (spatial) overrides pads").build());
  }

  private static long[] kernelSizes(InferContext c, TensorType w, int r) {
    long[] k = new long[r];
    for (int i = 0; i < r; i++) {
      Dim d = w.shape().dim(i + 2);
      if (!d.isStatic()) throw c.fail("kernel spatial dims must be static, got " + w.shape());
      k[i] = d.size();
    }
    return k;
  }

  static List<Type> inferConv(InferContext c) {
    TensorType x = c.tensor(0);
    TensorType w = c.tensor(1);
    NnSupport.requireFloat(c, 0, "conv input");
    if (w.dtype() != x.dtype()) throw c.fail("conv weight is " + w.dtype() + ", input is " + x.dtype());
    if (!x.shape().isRanked() || !w.shape().isRanked()) return List.of(x.withShape(Shape.unranked()));
    int r = x.shape().rank() - 2;
    if (r < 1) throw c.fail("conv input must have rank >= 3, got " + x.shape());
    if (w.shape().rank() != r + 2) throw c.fail("conv weight rank " + w.shape().rank() + " does not match input " + x.shape());
    long group = c.attrs().getInt("group");
    Dim cin = x.shape().dim(1);
    Dim wc = w.shape().dim(1);
    if (group < 1) throw c.fail("group must be >= 1");
    if (cin.isStatic() && wc.isStatic() && cin.size() != wc.size() * group) {
      throw c.fail("input has " + cin.size() + " channels, weight expects " + wc.size() + " x group " + group);
    }
    List<Dim> out = new ArrayList<>();
    out.add(x.shape().dim(0));
    out.add(w.shape().dim(0));
    out.addAll(List.of(Window.outDims(c, x.shape().dims().subList(2, r + 2), kernelSizes(c, w, r))));
    return List.of(x.withShape(new Shape(out)));
  }

  static Object[] conv(KernelContext c) {
    Tensor x = c.tensor(0);
    Tensor w = c.tensor(1);
    long[] xs = x.shape();
    long[] ws = w.shape();
    int r = xs.length - 2;
    int n = (int) xs[0], ch = (int) xs[1], m = (int) ws[0];
    int group = c.attrs().getInt32("group");
    int cg = ch / group, mg = m / group;
    if (ws[1] * group != ch || m % group != 0) throw c.fail("channels " + ch + " / weight " + java.util.Arrays.toString(ws) + " / group " + group + " mismatch");
    Window win = Window.of(c.attrs(), java.util.Arrays.copyOfRange(xs, 2, xs.length), java.util.Arrays.copyOfRange(ws, 2, ws.length));
    int inSp = (int) win.inCount(), outSp = (int) win.outCount(), kp = (int) win.kernelCount();
    float[] xv = x.toFloatArray();
    float[] wv = w.toFloatArray();
    float[] out = new float[Math.toIntExact((long) n * m * outSp)];
    boolean pointwise = kp == 1 && inSp == outSp;
    for (int i = 0; i < r && pointwise; i++) pointwise = win.strides()[i] == 1 && win.padBegin()[i] == 0;
    final boolean direct = pointwise;
    int tasks = n * group;
    IntStream range = IntStream.range(0, tasks);
    boolean inner = tasks == 1;
    if (!inner && (long) m * cg * kp * outSp * n > (1 << 16)) range = range.parallel();
    range.forEach(t -> {
      int b = t / group, g = t % group;
      int xo = (b * ch + g * cg) * inSp;
      float[] col = xv;
      int colOff = xo;
      if (!direct) {
        col = new float[cg * kp * outSp];
        colOff = 0;
        im2col(xv, xo, cg, win, col);
      }
      MatmulOps.gemm(wv, g * mg * cg * kp, col, colOff, out, (b * m + g * mg) * outSp, mg, cg * kp, outSp, inner);
    });
    if (c.has(2)) {
      float[] bias = c.tensor(2).toFloatArray();
      for (int b = 0; b < n; b++) {
        for (int o = 0; o < m; o++) {
          int base = (b * m + o) * outSp;
          float bv = bias[o];
          for (int i = 0; i < outSp; i++) out[base + i] += bv;
        }
      }
    }
    long[] os = new long[xs.length];
    os[0] = n;
    os[1] = m;
    System.arraycopy(win.out(), 0, os, 2, r);
    return KernelContext.one(NnSupport.fromFloats(x.dtype(), os, out));
  }

  /** Unfolds channels of one image into col[(c * K + k) * outSp + o] (zero where padded). */
  static void im2col(float[] x, int xo, int channels, Window w, float[] col) {
    int r = w.rank();
    int outSp = (int) w.outCount(), kp = (int) w.kernelCount(), inSp = (int) w.inCount();
    long[] in = w.in(), out = w.out(), ks = w.kernel();
    int[] inStr = new int[r];
    int acc = 1;
    for (int d = r - 1; d >= 0; d--) {
      inStr[d] = acc;
      acc *= (int) in[d];
    }
    int last = r - 1;
    int outLast = (int) out[last];
    int outer = outLast == 0 ? 0 : outSp / outLast;
    int[] kIdx = new int[r];
    int[] oIdx = new int[r];
    int sL = (int) w.strides()[last], dL = (int) w.dilations()[last], pL = (int) w.padBegin()[last], inL = (int) in[last];
    for (int ch = 0; ch < channels; ch++) {
      for (int kk = 0; kk < kp; kk++) {
        int rem = kk;
        for (int d = r - 1; d >= 0; d--) {
          kIdx[d] = (int) (rem % ks[d]);
          rem /= (int) ks[d];
        }
        int rowBase = (ch * kp + kk) * outSp;
        int kOffLast = kIdx[last] * dL - pL;
        for (int q = 0; q < outer; q++) {
          int qr = q;
          for (int d = last - 1; d >= 0; d--) {
            oIdx[d] = (int) (qr % out[d]);
            qr /= (int) out[d];
          }
          int base = xo + ch * inSp;
          boolean valid = true;
          for (int d = 0; d < last; d++) {
            long ip = oIdx[d] * w.strides()[d] - w.padBegin()[d] + kIdx[d] * w.dilations()[d];
            if (ip < 0 || ip >= in[d]) {
              valid = false;
              break;
            }
            base += (int) ip * inStr[d];
          }
          int dst = rowBase + q * outLast;
          if (!valid) {
            java.util.Arrays.fill(col, dst, dst + outLast, 0f);
            continue;
          }
          for (int o = 0; o < outLast; o++) {
            int ip = o * sL + kOffLast;
            col[dst + o] = ip >= 0 && ip < inL ? x[base + ip] : 0f;
          }
        }
      }
    }
  }

  // ---- conv_transpose ----

  public record TGeom(long[] in, long[] kernel, long[] strides, long[] dilations, long[] padBegin, long[] out) {}

  public static TGeom transposeGeometry(dev.weft.ir.Attrs a, long[] in, long[] k) {
    int r = in.length;
    long[] s = Window.fill(a.getInts("strides"), r, 1, "strides");
    long[] d = Window.fill(a.getInts("dilations"), r, 1, "dilations");
    long[] op = Window.fill(a.getInts("output_padding"), r, 0, "output_padding");
    long[] pads = a.getInts("pads");
    long[] outShape = a.getInts("output_shape");
    String auto = a.getString("auto_pad");
    if (outShape.length > r) outShape = java.util.Arrays.copyOfRange(outShape, outShape.length - r, outShape.length);
    long[] pb = new long[r];
    long[] out = new long[r];
    for (int i = 0; i < r; i++) {
      long full = s[i] * (in[i] - 1) + op[i] + (k[i] - 1) * d[i] + 1;
      boolean same = auto.equals("SAME_UPPER") || auto.equals("SAME_LOWER");
      if (outShape.length == r || same) {
        long target = outShape.length == r ? outShape[i] : in[i] * s[i];
        long total = full - target;
        pb[i] = auto.equals("SAME_UPPER") ? Math.floorDiv(total, 2) : total - Math.floorDiv(total, 2);
        out[i] = target;
      } else if (auto.equals("VALID")) {
        out[i] = full;
      } else {
        long b = pads.length == 2 * r ? pads[i] : 0;
        long e = pads.length == 2 * r ? pads[i + r] : 0;
        pb[i] = b;
        out[i] = full - b - e;
      }
    }
    return new TGeom(in, k, s, d, pb, out);
  }

  static List<Type> inferTranspose(InferContext c) {
    TensorType x = c.tensor(0);
    TensorType w = c.tensor(1);
    NnSupport.requireFloat(c, 0, "conv_transpose input");
    if (!x.shape().isRanked() || !w.shape().isRanked()) return List.of(x.withShape(Shape.unranked()));
    int r = x.shape().rank() - 2;
    if (r < 1 || w.shape().rank() != r + 2) throw c.fail("conv_transpose ranks do not match: " + x.shape() + ", " + w.shape());
    long group = c.attrs().getInt("group");
    long[] k = kernelSizes(c, w, r);
    List<Dim> out = new ArrayList<>();
    out.add(x.shape().dim(0));
    Dim wm = w.shape().dim(1);
    out.add(wm.isStatic() ? Dim.of(wm.size() * group) : c.fresh());
    long[] in = new long[r];
    boolean allStatic = true;
    for (int i = 0; i < r; i++) {
      Dim d = x.shape().dim(i + 2);
      allStatic &= d.isStatic();
      in[i] = d.isStatic() ? d.size() : 1;
    }
    TGeom g;
    try {
      g = transposeGeometry(c.attrs(), in, k);
    } catch (IllegalArgumentException e) {
      throw c.fail(e.getMessage());
    }
    for (int i = 0; i < r; i++) out.add(x.shape().dim(i + 2).isStatic() || c.attrs().getInts("output_shape").length > 0 ? Dim.of(g.out()[i]) : c.fresh());
    if (!allStatic && c.attrs().getInts("output_shape").length == 0) {
      for (int i = 0; i < r; i++) if (!x.shape().dim(i + 2).isStatic()) out.set(i + 2, c.fresh());
    }
    return List.of(x.withShape(new Shape(out)));
  }

  static Object[] convTranspose(KernelContext c) {
    Tensor x = c.tensor(0);
    Tensor w = c.tensor(1);
    long[] xs = x.shape();
    long[] ws = w.shape();
    int r = xs.length - 2;
    int n = (int) xs[0], ch = (int) xs[1];
    int group = c.attrs().getInt32("group");
    int cg = ch / group, mg = (int) ws[1], m = mg * group;
    if (ws[0] != ch) throw c.fail("weight has " + ws[0] + " input channels, input has " + ch);
    TGeom g = transposeGeometry(c.attrs(), java.util.Arrays.copyOfRange(xs, 2, xs.length), java.util.Arrays.copyOfRange(ws, 2, ws.length));
    int inSp = (int) NnSupport.prod(g.in(), 0, r), outSp = (int) NnSupport.prod(g.out(), 0, r), kp = (int) NnSupport.prod(g.kernel(), 0, r);
    float[] xv = x.toFloatArray();
    float[] wv = w.toFloatArray();
    // W_g^T: [mg*kp, cg] per group.
    float[][] wt = new float[group][mg * kp * cg];
    for (int gi = 0; gi < group; gi++) {
      for (int ci = 0; ci < cg; ci++) {
        for (int j = 0; j < mg * kp; j++) wt[gi][j * cg + ci] = wv[(gi * cg + ci) * mg * kp + j];
      }
    }
    float[] out = new float[Math.toIntExact((long) n * m * outSp)];
    int[] kIdx = new int[r];
    int[] iIdx = new int[r];
    for (int b = 0; b < n; b++) {
      for (int gi = 0; gi < group; gi++) {
        float[] col = new float[mg * kp * inSp];
        MatmulOps.gemm(wt[gi], 0, xv, (b * ch + gi * cg) * inSp, col, 0, mg * kp, cg, inSp, true);
        for (int mo = 0; mo < mg; mo++) {
          int obase = (b * m + gi * mg + mo) * outSp;
          for (int kk = 0; kk < kp; kk++) {
            int rem = kk;
            for (int d = r - 1; d >= 0; d--) {
              kIdx[d] = (int) (rem % g.kernel()[d]);
              rem /= (int) g.kernel()[d];
            }
            int cbase = (mo * kp + kk) * inSp;
            for (int i = 0; i < inSp; i++) {
              int ir = i;
              for (int d = r - 1; d >= 0; d--) {
                iIdx[d] = (int) (ir % g.in()[d]);
                ir /= (int) g.in()[d];
              }
              int off = 0;
              boolean ok = true;
              for (int d = 0; d < r; d++) {
                long o = iIdx[d] * g.strides()[d] - g.padBegin()[d] + kIdx[d] * g.dilations()[d];
                if (o < 0 || o >= g.out()[d]) {
                  ok = false;
                  break;
                }
                off = (int) (off * g.out()[d] + o);
              }
              if (ok) out[obase + off] += col[cbase + i];
            }
          }
        }
      }
    }
    if (c.has(2)) {
      float[] bias = c.tensor(2).toFloatArray();
      for (int b = 0; b < n; b++) {
        for (int o = 0; o < m; o++) {
          for (int i = 0; i < outSp; i++) out[(b * m + o) * outSp + i] += bias[o];
        }
      }
    }
    long[] os = new long[xs.length];
    os[0] = n;
    os[1] = m;
    System.arraycopy(g.out(), 0, os, 2, r);
    return KernelContext.one(NnSupport.fromFloats(x.dtype(), os, out));
  }

  static boolean isFloat(DType t) { return t.isFloat(); }
}
