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

/**
 * Signal processing (custom ops, reference kernels only): {@code dft}, {@code stft}, the window
 * generators and {@code mel_weight_matrix}, with ONNX semantics. Complex tensors are real
 * tensors with a trailing dim of 2 (re, im); real signals have a trailing dim of 1. Sums are
 * taken in double with exact twiddles (angle reduced mod n), then rounded to the element type.
 */
public final class SignalOps implements OpLibrary {
  @Override
  public List<OpDef> ops() {
    List<OpDef> ops = new ArrayList<>();
    ops.add(OpDef.custom("dft").inputs(1, 3)
        .attr("axis", Attribute.of(-2L))
        .attr("inverse", Attribute.of(0L))
        .attr("onesided", Attribute.of(0L))
        .infer(SignalOps::inferDft)
        .kernel(SignalOps::dft)
        .doc("ONNX DFT-20: operands (input, dft_length?, axis?); axis (operand, else attribute) counts"
            + " dims of the input including the trailing complex dim, which it may not name."
            + " inverse=1 onesided=1 is the inverse real DFT (n = dft_length, else 2*(bins-1); real output).")
        .build());
    ops.add(OpDef.custom("stft").inputs(2, 4)
        .attr("onesided", Attribute.of(1L))
        .infer(SignalOps::inferStft)
        .kernel(SignalOps::stft)
        .doc("ONNX STFT: operands (signal [batch, length, 1|2], frame_step, window?, frame_length?).")
        .build());
    ops.add(window("hann_window", (k, n) -> 0.5 - 0.5 * Math.cos(2 * Math.PI * k / n)));
    ops.add(window("hamming_window", (k, n) -> 25.0 / 46.0 - (1 - 25.0 / 46.0) * Math.cos(2 * Math.PI * k / n)));
    ops.add(window("blackman_window",
        (k, n) -> 0.42 - 0.5 * Math.cos(2 * Math.PI * k / n) + 0.08 * Math.cos(4 * Math.PI * k / n)));
    ops.add(OpDef.custom("mel_weight_matrix").inputs(5)
        .attr("output_datatype", Attribute.of(DType.F32))
        .infer(c -> {
          Tensor bins = c.constant(0);
          Tensor len = c.constant(1);
          Dim rows = len == null ? c.fresh() : Dim.of(len.getLong(0) / 2 + 1);
          Dim cols = bins == null ? c.fresh() : Dim.of(bins.getLong(0));
          return List.of(TensorType.of(c.attrs().getDType("output_datatype"), rows, cols));
        })
        .kernel(SignalOps::melWeightMatrix)
        .doc("Triangular mel filter bank [dft_length/2+1, num_mel_bins], exactly as ONNX's reference"
            + " (bin edges floor((dft_length+1)*hz/sample_rate); mel step over num_mel_bins+2 points).")
        .build());
    return ops;
  }

  // ---- dft ----

  private static long scalarOr(InferContext c, int i, long fallback) {
    if (!c.hasInput(i)) return fallback;
    Tensor t = c.constant(i);
    return t == null ? Long.MIN_VALUE : t.getLong(0);
  }

  static List<Type> inferDft(InferContext c) {
    TensorType x = c.tensor(0);
    if (!x.dtype().isFloat()) throw c.fail("dft input must be float, got " + x.dtype());
    boolean inverse = c.attrs().getBool("inverse");
    boolean onesided = c.attrs().getBool("onesided");
    Shape s = x.shape();
    if (!s.isRanked()) return List.of(x);
    int r = s.rank();
    if (r < 2) throw c.fail("dft input needs rank >= 2 ([..., 1|2]), got " + s);
    Dim last = s.dim(r - 1);
    if (last.isStatic() && last.size() != 1 && last.size() != 2) throw c.fail("dft input's last dim must be 1 or 2, got " + last);
    long axisV = scalarOr(c, 2, c.attrs().getInt("axis"));
    long n = scalarOr(c, 1, -1);
    List<Dim> dims = new ArrayList<>(s.dims());
    dims.set(r - 1, Dim.of(inverse && onesided ? 1 : 2));
    if (axisV == Long.MIN_VALUE) {
      // Axis known only at run time: every signal dim may change unless nothing changes length.
      boolean same = n == -1 && !onesided;
      for (int i = 0; i < r - 1; i++) if (!same) dims.set(i, c.fresh());
      return List.of(x.withShape(new Shape(dims)));
    }
    int axis;
    try {
      axis = Blocks.axis(axisV, r);
    } catch (IllegalArgumentException e) {
      throw c.fail(e.getMessage());
    }
    if (axis == r - 1) throw c.fail("dft axis may not be the trailing complex dim");
    Dim len = s.dim(axis);
    Dim out;
    if (n == Long.MIN_VALUE) {
      out = c.fresh();
    } else if (inverse && onesided) {
      out = n >= 0 ? Dim.of(n) : len.isStatic() ? Dim.of(2 * (len.size() - 1)) : c.fresh();
    } else {
      Dim full = n >= 0 ? Dim.of(n) : len;
      out = !onesided ? full : full.isStatic() ? Dim.of(full.size() / 2 + 1) : c.fresh();
    }
    dims.set(axis, out);
    return List.of(x.withShape(new Shape(dims)));
  }

  static Object[] dft(KernelContext c) {
    Tensor x = c.tensor(0);
    int r = x.rank();
    long axisV = c.has(2) ? c.tensor(2).getLong(0) : c.attrs().getInt("axis");
    int axis = Blocks.axis(axisV, r);
    if (axis == r - 1) throw c.fail("dft axis may not be the trailing complex dim");
    boolean inverse = c.attrs().getBool("inverse");
    boolean onesided = c.attrs().getBool("onesided");
    boolean irfft = inverse && onesided;
    long len = x.dim(axis);
    long n = c.has(1) ? c.tensor(1).getLong(0) : irfft ? 2 * (len - 1) : len;
    if (n < 1) throw c.fail("dft length must be positive, got " + n);
    long outLen = irfft ? n : onesided ? n / 2 + 1 : n;
    int inLast = (int) x.dim(r - 1);
    int outLast = irfft ? 1 : 2;
    long[] os = x.shape();
    os[axis] = outLen;
    os[r - 1] = outLast;
    Tensor y = Tensor.zeros(c.outputType(0).dtype(), os);
    long outer = Blocks.prod(x.shape(), 0, axis);
    long inner = Blocks.prod(x.shape(), axis + 1, r - 1);
    int nn = Math.toIntExact(n);
    double[] re = new double[nn];
    double[] im = new double[nn];
    double[] cos = new double[nn];
    double[] sin = new double[nn];
    for (int m = 0; m < nn; m++) {
      cos[m] = Math.cos(2 * Math.PI * m / nn);
      sin[m] = Math.sin(2 * Math.PI * m / nn);
    }
    double sign = inverse ? 1 : -1;
    double scale = inverse ? 1.0 / n : 1;
    for (long o = 0; o < outer; o++) {
      for (long i = 0; i < inner; i++) {
        java.util.Arrays.fill(re, 0);
        java.util.Arrays.fill(im, 0);
        for (int j = 0; j < nn; j++) {
          long src;
          boolean conj = false;
          if (irfft && j > nn / 2) {
            src = nn - j;
            conj = true;
          } else {
            src = j;
          }
          if (src >= len || (irfft && src > nn / 2)) continue;
          long at = ((o * len + src) * inner + i) * inLast;
          re[j] = x.getDouble(at);
          im[j] = inLast == 2 ? (conj ? -x.getDouble(at + 1) : x.getDouble(at + 1)) : 0;
        }
        for (int k = 0; k < outLen; k++) {
          double sr = 0;
          double si = 0;
          for (int j = 0; j < nn; j++) {
            int m = (int) ((long) k * j % nn);
            double cr = cos[m];
            double ci = sign * sin[m];
            sr += re[j] * cr - im[j] * ci;
            si += re[j] * ci + im[j] * cr;
          }
          long at = ((o * outLen + k) * inner + i) * outLast;
          y.setDouble(at, sr * scale);
          if (outLast == 2) y.setDouble(at + 1, si * scale);
        }
      }
    }
    return KernelContext.one(y);
  }

  // ---- stft ----

  static List<Type> inferStft(InferContext c) {
    TensorType x = c.tensor(0);
    if (!x.dtype().isFloat()) throw c.fail("stft signal must be float, got " + x.dtype());
    Shape s = x.shape();
    if (s.isRanked() && s.rank() != 3) throw c.fail("stft signal must be [batch, length, 1|2], got " + s);
    long step = scalarOr(c, 1, Long.MIN_VALUE);
    long frame = scalarOr(c, 3, -1);
    if (frame == -1 && c.hasInput(2)) {
      Shape w = c.shape(2);
      frame = w.isRanked() && w.rank() == 1 && w.dim(0).isStatic() ? w.dim(0).size() : Long.MIN_VALUE;
    }
    Dim batch = s.isRanked() ? s.dim(0) : c.fresh();
    Dim len = s.isRanked() ? s.dim(1) : c.fresh();
    if (frame == -1) frame = len.isStatic() ? len.size() : Long.MIN_VALUE;
    Dim frames = c.fresh();
    if (step > 0 && frame > 0 && len.isStatic()) frames = Dim.of(1 + (len.size() - frame) / step);
    Dim bins = frame > 0 ? Dim.of(c.attrs().getBool("onesided") ? frame / 2 + 1 : frame) : c.fresh();
    return List.of(TensorType.of(x.dtype(), batch, frames, bins, Dim.of(2)));
  }

  static Object[] stft(KernelContext c) {
    Tensor x = c.tensor(0);
    long batch = x.dim(0);
    long len = x.dim(1);
    int inLast = (int) x.dim(2);
    long step = c.tensor(1).getLong(0);
    Tensor window = c.has(2) ? c.tensor(2) : null;
    long frame = c.has(3) ? c.tensor(3).getLong(0) : window != null ? window.dim(0) : len;
    if (window != null && window.dim(0) != frame) throw c.fail("window has " + window.dim(0) + " samples, frame_length is " + frame);
    if (step < 1 || frame < 1 || frame > len) throw c.fail("bad frame_step " + step + " / frame_length " + frame + " for " + len + " samples");
    long frames = 1 + (len - frame) / step;
    boolean onesided = c.attrs().getBool("onesided");
    long bins = onesided ? frame / 2 + 1 : frame;
    Tensor y = Tensor.zeros(c.outputType(0).dtype(), batch, frames, bins, 2);
    int n = Math.toIntExact(frame);
    double[] cos = new double[n];
    double[] sin = new double[n];
    for (int m = 0; m < n; m++) {
      cos[m] = Math.cos(2 * Math.PI * m / n);
      sin[m] = Math.sin(2 * Math.PI * m / n);
    }
    double[] re = new double[n];
    double[] im = new double[n];
    for (long b = 0; b < batch; b++) {
      for (long f = 0; f < frames; f++) {
        for (int j = 0; j < n; j++) {
          long at = (b * len + f * step + j) * inLast;
          double w = window == null ? 1 : window.getDouble(j);
          re[j] = x.getDouble(at) * w;
          im[j] = inLast == 2 ? x.getDouble(at + 1) * w : 0;
        }
        for (int k = 0; k < bins; k++) {
          double sr = 0;
          double si = 0;
          for (int j = 0; j < n; j++) {
            int m = (int) ((long) k * j % n);
            sr += re[j] * cos[m] + im[j] * sin[m];
            si += im[j] * cos[m] - re[j] * sin[m];
          }
          long at = ((b * frames + f) * bins + k) * 2;
          y.setDouble(at, sr);
          y.setDouble(at + 1, si);
        }
      }
    }
    return KernelContext.one(y);
  }

  // ---- windows ----

  private interface WindowFn {
    double at(long k, double n);
  }

  private static OpDef window(String name, WindowFn f) {
    return OpDef.custom(name).inputs(1)
        .attr("output_datatype", Attribute.of(DType.F32))
        .attr("periodic", Attribute.of(1L))
        .infer(c -> {
          DType d = c.dtype(0);
          if (d != DType.I32 && d != DType.I64) throw c.fail("window size must be i32 or i64, got " + d);
          Tensor size = c.constant(0);
          Dim n = size == null ? c.fresh() : Dim.of(size.getLong(0));
          return List.of(TensorType.of(c.attrs().getDType("output_datatype"), n));
        })
        .kernel(c -> {
          long size = c.tensor(0).getLong(0);
          if (size < 0) throw c.fail("negative window size " + size);
          double n = c.attrs().getBool("periodic") ? size : size - 1;
          Tensor y = Tensor.zeros(c.outputType(0).dtype(), size);
          for (long k = 0; k < size; k++) y.setDouble(k, f.at(k, n));
          return KernelContext.one(y);
        })
        .doc("Window of the given size; periodic=1 uses N=size in the cosines, periodic=0 (symmetric) N=size-1.")
        .build();
  }

  // ---- mel ----

  static Object[] melWeightMatrix(KernelContext c) {
    long mel = c.tensor(0).getLong(0);
    long dftLen = c.tensor(1).getLong(0);
    long rate = c.tensor(2).getLong(0);
    double lower = c.tensor(3).getDouble(0);
    double upper = c.tensor(4).getDouble(0);
    if (mel < 1 || dftLen < 1 || rate < 1) throw c.fail("bad mel_weight_matrix sizes " + mel + ", " + dftLen + ", " + rate);
    long rows = dftLen / 2 + 1;
    double lowMel = 2595 * Math.log10(1 + lower / 700);
    double highMel = 2595 * Math.log10(1 + upper / 700);
    double step = (highMel - lowMel) / (mel + 2);
    long[] bin = new long[Math.toIntExact(mel + 2)];
    for (int i = 0; i < bin.length; i++) {
      double hz = 700 * (Math.pow(10, (i * step + lowMel) / 2595) - 1);
      bin[i] = (long) Math.floor((dftLen + 1) * hz / rate);
    }
    double[] w = new double[Math.toIntExact(Math.multiplyExact(rows, mel))];
    for (int i = 0; i < mel; i++) {
      long lo = bin[i];
      long center = bin[i + 1];
      long hi = bin[i + 2];
      if (center == lo) {
        set(c, w, rows, mel, center, i, 1);
      } else {
        for (long j = lo; j <= center; j++) set(c, w, rows, mel, j, i, (double) (j - lo) / (center - lo));
      }
      if (hi > center) {
        for (long j = center; j < hi; j++) set(c, w, rows, mel, j, i, (double) (hi - j) / (hi - center));
      }
    }
    Tensor y = Tensor.zeros(c.outputType(0).dtype(), rows, mel);
    for (int i = 0; i < w.length; i++) y.setDouble(i, w[i]);
    return KernelContext.one(y);
  }

  private static void set(KernelContext c, double[] w, long rows, long cols, long r, int col, double v) {
    if (r < 0 || r >= rows) throw c.fail("mel filter edge " + r + " outside the " + rows + " spectrogram bins");
    w[(int) (r * cols + col)] = v;
  }
}
