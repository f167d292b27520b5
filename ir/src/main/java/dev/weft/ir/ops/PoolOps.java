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
import dev.weft.ir.Value;
import dev.weft.ir.interp.KernelContext;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Window pools over (N, C, spatial...): {@code max_pool} (optional i64 indices into the
 * flattened input, row-major or, with storage_order 1, column-major spatial), {@code avg_pool}
 * (count_include_pad) and the composite {@code lp_pool}.
 */
public final class PoolOps implements OpLibrary {
  @Override
  public List<OpDef> ops() {
    return List.of(
        Window.attrs(OpDef.core("max_pool").inputs(1).outputs(1, 2)).required("kernel_shape", Attribute.Kind.INTS)
            .attr("storage_order", Attribute.of(0L)).attr("return_indices", Attribute.of(0L))
            .infer(c -> infer(c, true)).kernel(c -> pool(c, Mode.MAX, 0)).build(),
        Window.attrs(OpDef.core("avg_pool").inputs(1)).required("kernel_shape", Attribute.Kind.INTS)
            .attr("count_include_pad", Attribute.of(0L))
            .infer(c -> infer(c, false)).kernel(c -> pool(c, Mode.AVG, 0)).build(),
        Window.attrs(OpDef.composite("lp_pool").inputs(1)).required("kernel_shape", Attribute.Kind.INTS)
            .attr("p", Attribute.of(2L))
            .infer(c -> infer(c, false)).kernel(c -> pool(c, Mode.LP, c.attrs().getInt("p")))
            .decompose(PoolOps::expandLp)
            .doc("(sum over the window of |x|^p)^(1/p); pads contribute 0").build());
  }

  enum Mode { MAX, AVG, LP }

  static List<Type> infer(InferContext c, boolean indices) {
    TensorType x = c.tensor(0);
    if (!x.dtype().isFloat() && !(indices && (x.dtype() == DType.I8 || x.dtype() == DType.U8))) {
      throw c.fail("pooling is not defined for " + x.dtype());
    }
    long[] k = c.attrs().getInts("kernel_shape");
    List<Type> out = new ArrayList<>();
    Shape s;
    if (!x.shape().isRanked()) {
      s = Shape.unranked();
    } else {
      int r = x.shape().rank() - 2;
      if (r < 1) throw c.fail("pool input must have rank >= 3, got " + x.shape());
      if (k.length != r) throw c.fail("kernel_shape has " + k.length + " dims, input has " + r + " spatial dims");
      List<Dim> d = new ArrayList<>(x.shape().dims().subList(0, 2));
      d.addAll(List.of(Window.outDims(c, x.shape().dims().subList(2, r + 2), k)));
      s = new Shape(d);
    }
    out.add(x.withShape(s));
    if (indices && c.attrs().getBool("return_indices")) out.add(new TensorType(DType.I64, s));
    return out;
  }

  static Object[] pool(KernelContext c, Mode mode, long p) {
    Tensor x = c.tensor(0);
    long[] xs = x.shape();
    int r = xs.length - 2;
    long[] k = c.attrs().getInts("kernel_shape");
    Window w = Window.of(c.attrs(), java.util.Arrays.copyOfRange(xs, 2, xs.length), k);
    boolean includePad = mode == Mode.AVG && c.attrs().getBool("count_include_pad");
    boolean colMajor = mode == Mode.MAX && c.attrs().getInt("storage_order") == 1;
    int planes = (int) (xs[0] * xs[1]);
    int inSp = (int) w.inCount(), outSp = (int) w.outCount(), kp = (int) w.kernelCount();
    float[] xv = x.toFloatArray();
    float[] out = new float[planes * outSp];
    long[] idx = mode == Mode.MAX && c.attrs().getBool("return_indices") ? new long[planes * outSp] : null;
    int[] o = new int[r];
    int[] kk = new int[r];
    long[] in = w.in();
    for (int pl = 0; pl < planes; pl++) {
      int base = pl * inSp;
      for (int q = 0; q < outSp; q++) {
        int qr = q;
        for (int d = r - 1; d >= 0; d--) {
          o[d] = (int) (qr % w.out()[d]);
          qr /= (int) w.out()[d];
        }
        double acc = mode == Mode.MAX ? Double.NEGATIVE_INFINITY : 0;
        long arg = -1;
        int count = 0;
        for (int t = 0; t < kp; t++) {
          int tr = t;
          for (int d = r - 1; d >= 0; d--) {
            kk[d] = (int) (tr % k[d]);
            tr /= (int) k[d];
          }
          boolean valid = true;
          boolean padded = true;
          int off = 0;
          int cm = 0;
          int cmStride = 1;
          for (int d = 0; d < r; d++) {
            long ip = o[d] * w.strides()[d] - w.padBegin()[d] + kk[d] * w.dilations()[d];
            if (ip < 0 || ip >= in[d]) valid = false;
            if (ip < -w.padBegin()[d] || ip >= in[d] + w.padEnd()[d]) padded = false;
            off = (int) (off * in[d] + ip);
          }
          if (colMajor && valid) {
            for (int d = 0; d < r; d++) {
              long ip = o[d] * w.strides()[d] - w.padBegin()[d] + kk[d] * w.dilations()[d];
              cm += (int) ip * cmStride;
              cmStride *= (int) in[d];
            }
          }
          if (includePad && padded) count++;
          if (!valid) continue;
          float v = xv[base + off];
          switch (mode) {
            case MAX -> {
              if (v > acc || Float.isNaN(v) && !Double.isNaN(acc)) {
                acc = v;
                arg = base + (colMajor ? cm : off);
              }
            }
            case AVG -> {
              acc += v;
              if (!includePad) count++;
            }
            case LP -> acc += Math.pow(Math.abs(v), p);
          }
        }
        int oi = pl * outSp + q;
        out[oi] = switch (mode) {
          case MAX -> (float) acc;
          case AVG -> count == 0 ? Float.NaN : (float) (acc / count);
          case LP -> (float) Math.pow(acc, 1.0 / p);
        };
        if (idx != null) idx[oi] = arg;
      }
    }
    long[] os = xs.clone();
    System.arraycopy(w.out(), 0, os, 2, r);
    Tensor y = NnSupport.fromFloats(x.dtype(), os, out);
    if (idx == null) return KernelContext.one(y);
    return new Object[] {y, Tensor.ofLongs(os, idx)};
  }

  /** lp_pool = (k * avg_pool(|x|^p, count_include_pad))^(1/p) where k is the window size. */
  static List<Value> expandLp(dev.weft.ir.Node n, dev.weft.ir.GraphBuilder b) {
    Value x = n.input(0);
    DType t = n.input(0).tensorType().dtype();
    double p = n.attrs().getInt("p");
    long[] k = n.attrs().getInts("kernel_shape");
    long kp = 1;
    for (long v : k) kp *= v;
    Value pw = b.op1("pow", b.op1("abs", x), NnSupport.scalar(b, t, p));
    Map<String, Attribute> attrs = new java.util.HashMap<>(n.attributes());
    attrs.remove("p");
    attrs.put("count_include_pad", Attribute.of(1L));
    Value avg = b.op1("avg_pool", attrs, pw);
    Value sum = b.op1("mul", avg, NnSupport.scalar(b, t, kp));
    return List.of(b.op1("pow", sum, NnSupport.scalar(b, t, 1.0 / p)));
  }
}
