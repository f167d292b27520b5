package dev.weft.codegen.lower.ops;

import dev.weft.ir.Attrs;
import dev.weft.codegen.lower.LowerContext;
import java.util.Arrays;

/**
 * Sliding-window geometry of conv, conv_transpose and the pools, per spatial dim: input, kernel,
 * stride, dilation, begin/end pads and output sizes. It restates the interpreter's resolution of
 * {@code auto_pad} and {@code ceil_mode} (ir's {@code Window}, which is package-private there),
 * and the lowered result shape is checked against the node's inferred type, so a drift between
 * the two fails with a message rather than computing a different window.
 */
record WindowGeometry(long[] in, long[] kernel, long[] strides, long[] dilations, long[] padBegin, long[] padEnd, long[] out) {

  int rank() { return in.length; }

  /** conv and pool geometry (ir Window.of). */
  static WindowGeometry of(LowerContext c, long[] in, long[] kernel) {
    Attrs a = c.attrs();
    int r = in.length;
    long[] s = fill(c, a.getInts("strides"), r, 1, "strides");
    long[] d = fill(c, a.getInts("dilations"), r, 1, "dilations");
    long[] pads = a.getInts("pads");
    if (pads.length != 0 && pads.length != 2 * r) throw c.fail("pads has " + pads.length + " values, expected " + 2 * r);
    long[] pb = new long[r];
    long[] pe = new long[r];
    if (pads.length == 2 * r) {
      for (int i = 0; i < r; i++) {
        pb[i] = pads[i];
        pe[i] = pads[i + r];
      }
    }
    String auto = a.getString("auto_pad");
    boolean ceil = a.getBool("ceil_mode");
    long[] out = new long[r];
    for (int i = 0; i < r; i++) {
      if (s[i] < 1 || d[i] < 1) throw c.fail("strides and dilations must be >= 1");
      long dk = (kernel[i] - 1) * d[i] + 1;
      switch (auto) {
        case "SAME_UPPER", "SAME_LOWER" -> {
          out[i] = ceilDiv(in[i], s[i]);
          long total = Math.max(0, (out[i] - 1) * s[i] + dk - in[i]);
          pb[i] = auto.equals("SAME_UPPER") ? total / 2 : total - total / 2;
          pe[i] = total - pb[i];
        }
        case "VALID" -> {
          pb[i] = 0;
          pe[i] = 0;
          out[i] = size(in[i], dk, s[i], 0, 0, ceil);
        }
        case "NOTSET", "" -> out[i] = size(in[i], dk, s[i], pb[i], pe[i], ceil);
        default -> throw c.fail("unknown auto_pad '" + auto + "'");
      }
      if (out[i] < 0) out[i] = 0;
    }
    return new WindowGeometry(in, kernel, s, d, pb, pe, out);
  }

  private static long size(long in, long dk, long s, long pb, long pe, boolean ceil) {
    long span = in + pb + pe - dk;
    if (span < 0) return 0;
    long out = (ceil ? ceilDiv(span, s) : span / s) + 1;
    if (ceil && (out - 1) * s >= in + pb) out--;
    return out;
  }

  /** conv_transpose geometry (ir ConvOps.transposeGeometry); padEnd is unused there and left 0. */
  static WindowGeometry transpose(LowerContext c, long[] in, long[] k) {
    Attrs a = c.attrs();
    int r = in.length;
    long[] s = fill(c, a.getInts("strides"), r, 1, "strides");
    long[] d = fill(c, a.getInts("dilations"), r, 1, "dilations");
    long[] op = fill(c, a.getInts("output_padding"), r, 0, "output_padding");
    long[] pads = a.getInts("pads");
    long[] outShape = a.getInts("output_shape");
    String auto = a.getString("auto_pad");
    if (outShape.length > r) outShape = Arrays.copyOfRange(outShape, outShape.length - r, outShape.length);
    long[] pb = new long[r];
    long[] out = new long[r];
    for (int i = 0; i < r; i++) {
      if (s[i] < 1 || d[i] < 1) throw c.fail("strides and dilations must be >= 1");
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
        pb[i] = pads.length == 2 * r ? pads[i] : 0;
        long e = pads.length == 2 * r ? pads[i + r] : 0;
        out[i] = full - pb[i] - e;
      }
    }
    return new WindowGeometry(in, k, s, d, pb, new long[r], out);
  }

  /** Checks the geometry's output against the node's result dims {@code from..} of result 0. */
  void requireOut(LowerContext c, long[] resultShape, int from) {
    for (int i = 0; i < out.length; i++) {
      if (resultShape[from + i] != out[i]) {
        throw c.fail("window output " + Arrays.toString(out) + " does not match the result shape " + Arrays.toString(resultShape));
      }
    }
  }

  static long ceilDiv(long a, long b) { return -Math.floorDiv(-a, b); }

  private static long[] fill(LowerContext c, long[] v, int r, long def, String what) {
    if (v.length == 0) {
      long[] o = new long[r];
      Arrays.fill(o, def);
      return o;
    }
    if (v.length != r) throw c.fail(what + " has " + v.length + " values, expected " + r);
    return v;
  }
}
