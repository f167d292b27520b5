package dev.weft.ir.ops;

import dev.weft.bundle.Tensor;
import dev.weft.ir.interp.KernelContext;

/** Reference kernels of the normalization composites (math in double, rounded to the element type). */
final class NormKernels {
  private NormKernels() {}

  /** Operand i read at each flat element of x (broadcast), or null when absent. */
  private static double[] expanded(KernelContext c, int i, long[] xs) {
    if (!c.has(i)) return null;
    Tensor t = c.tensor(i);
    double[] v = t.toDoubleArray();
    long[] ts = t.shape();
    int n = Math.toIntExact(Tensor.elementCount(xs));
    if (v.length == n && java.util.Arrays.equals(ts, xs)) return v;
    double[] out = new double[n];
    if (v.length == 1) {
      java.util.Arrays.fill(out, v[0]);
      return out;
    }
    long[] map = Broadcast.indexMap(ts, Broadcast.sizes(ts, xs));
    for (int k = 0; k < n; k++) out[k] = v[(int) map[k]];
    return out;
  }

  static Object[] layer(KernelContext c, boolean rms) {
    Tensor x = c.tensor(0);
    long[] s = x.shape();
    int axis = NnSupport.axis(c.attrs().getInt("axis"), s.length);
    int inner = (int) NnSupport.prod(s, axis, s.length);
    int outer = (int) NnSupport.prod(s, 0, axis);
    double eps = c.attrs().getFloat("epsilon");
    double[] v = x.toDoubleArray();
    double[] scale = expanded(c, 1, s);
    double[] bias = expanded(c, 2, s);
    double[] y = new double[v.length];
    double[] means = new double[outer];
    double[] invs = new double[outer];
    for (int o = 0; o < outer; o++) {
      int base = o * inner;
      double mean = 0;
      if (!rms) {
        for (int i = 0; i < inner; i++) mean += v[base + i];
        mean /= inner;
      }
      double var = 0;
      for (int i = 0; i < inner; i++) {
        double d = v[base + i] - mean;
        var += d * d;
      }
      var /= inner;
      double inv = 1 / Math.sqrt(var + eps);
      means[o] = mean;
      invs[o] = inv;
      for (int i = 0; i < inner; i++) {
        int k = base + i;
        double r = (v[k] - mean) * inv;
        if (scale != null) r *= scale[k];
        if (bias != null) r += bias[k];
        y[k] = r;
      }
    }
    Tensor yt = NnSupport.fromDoubles(x.dtype(), s, y);
    if (rms) return KernelContext.one(yt);
    long[] ss = s.clone();
    for (int i = axis; i < ss.length; i++) ss[i] = 1;
    return new Object[] {yt, NnSupport.fromDoubles(c.outputType(1).dtype(), ss, means),
        NnSupport.fromDoubles(c.outputType(2).dtype(), ss, invs)};
  }

  static Object[] batch(KernelContext c) {
    Tensor x = c.tensor(0);
    long[] s = x.shape();
    int ch = s.length > 1 ? (int) s[1] : 1;
    int inner = (int) NnSupport.prod(s, 2, s.length);
    double eps = c.attrs().getFloat("epsilon");
    double[] scale = c.tensor(1).toDoubleArray(), bias = c.tensor(2).toDoubleArray();
    double[] mean = c.tensor(3).toDoubleArray(), var = c.tensor(4).toDoubleArray();
    float[] v = x.toFloatArray();
    double[] vd = x.dtype() == dev.weft.bundle.DType.F64 ? x.toDoubleArray() : null;
    double[] y = new double[v.length];
    for (int i = 0; i < v.length; i++) {
      int k = (i / inner) % ch;
      double xi = vd != null ? vd[i] : v[i];
      y[i] = (xi - mean[k]) / Math.sqrt(var[k] + eps) * scale[k] + bias[k];
    }
    return KernelContext.one(NnSupport.fromDoubles(x.dtype(), s, y));
  }

  /** Normalizes each (n, group) over its channels and spatial dims; groups < 0 means one per channel. */
  static Object[] group(KernelContext c, long groups) {
    Tensor x = c.tensor(0);
    long[] s = x.shape();
    int n = (int) s[0], ch = (int) s[1];
    int g = groups < 0 ? ch : (int) groups;
    if (g <= 0 || ch % g != 0) throw c.fail(ch + " channels do not split into " + g + " groups");
    int sp = (int) NnSupport.prod(s, 2, s.length);
    int per = ch / g * sp;
    double eps = c.attrs().getFloat("epsilon");
    double[] scale = c.tensor(1).toDoubleArray(), bias = c.tensor(2).toDoubleArray();
    boolean perGroup = scale.length == g && g != ch;
    if (!perGroup && scale.length != ch) throw c.fail("scale has " + scale.length + " elements for " + ch + " channels");
    double[] v = x.toDoubleArray();
    double[] y = new double[v.length];
    for (int b = 0; b < n; b++) {
      for (int gi = 0; gi < g; gi++) {
        int base = (b * g + gi) * per;
        double mean = 0;
        for (int i = 0; i < per; i++) mean += v[base + i];
        mean /= per;
        double var = 0;
        for (int i = 0; i < per; i++) var += (v[base + i] - mean) * (v[base + i] - mean);
        var /= per;
        double inv = 1 / Math.sqrt(var + eps);
        for (int i = 0; i < per; i++) {
          int k = perGroup ? gi : gi * (ch / g) + i / sp;
          y[base + i] = (v[base + i] - mean) * inv * scale[k] + bias[k];
        }
      }
    }
    return KernelContext.one(NnSupport.fromDoubles(x.dtype(), s, y));
  }

  static Object[] mvn(KernelContext c) {
    Tensor x = c.tensor(0);
    long[] s = x.shape();
    long[] axes = c.attrs().getInts("axes");
    boolean[] red = new boolean[s.length];
    for (long a : axes) red[NnSupport.axis(a, s.length)] = true;
    double[] v = x.toDoubleArray();
    // Group elements by their index over the kept axes.
    int[] key = new int[v.length];
    int groups = 1;
    long[] kept = new long[s.length];
    for (int d = 0; d < s.length; d++) kept[d] = red[d] ? 1 : s[d];
    groups = (int) Tensor.elementCount(kept);
    long[] map = Broadcast.indexMap(kept, s);
    for (int i = 0; i < v.length; i++) key[i] = map == null ? i : (int) map[i];
    double[] sum = new double[groups], sq = new double[groups];
    int[] cnt = new int[groups];
    for (int i = 0; i < v.length; i++) {
      sum[key[i]] += v[i];
      sq[key[i]] += v[i] * v[i];
      cnt[key[i]]++;
    }
    double[] y = new double[v.length];
    for (int i = 0; i < v.length; i++) {
      int k = key[i];
      double mean = sum[k] / cnt[k];
      double var = sq[k] / cnt[k] - mean * mean;
      y[i] = (v[i] - mean) / (Math.sqrt(var) + 1e-9);
    }
    return KernelContext.one(NnSupport.fromDoubles(x.dtype(), s, y));
  }

  static Object[] lrn(KernelContext c) {
    Tensor x = c.tensor(0);
    long[] s = x.shape();
    int ch = (int) s[1];
    int sp = (int) NnSupport.prod(s, 2, s.length);
    int n = (int) s[0];
    long size = c.attrs().getInt("size");
    double alpha = c.attrs().getFloat("alpha"), beta = c.attrs().getFloat("beta"), bias = c.attrs().getFloat("bias");
    int lo = (int) ((size - 1) / 2), hi = (int) (size - 1 - lo);
    double[] v = x.toDoubleArray();
    double[] y = new double[v.length];
    for (int b = 0; b < n; b++) {
      for (int k = 0; k < ch; k++) {
        for (int p = 0; p < sp; p++) {
          double sum = 0;
          for (int j = Math.max(0, k - lo); j <= Math.min(ch - 1, k + hi); j++) {
            double e = v[(b * ch + j) * sp + p];
            sum += e * e;
          }
          int i = (b * ch + k) * sp + p;
          y[i] = v[i] / Math.pow(bias + alpha / size * sum, beta);
        }
      }
    }
    return KernelContext.one(NnSupport.fromDoubles(x.dtype(), s, y));
  }
}
