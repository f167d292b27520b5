package dev.weft.ir.ops;

import dev.weft.ir.Attribute;
import dev.weft.ir.Attrs;
import dev.weft.ir.Dim;
import dev.weft.ir.InferContext;
import dev.weft.ir.OpDef;
import java.util.Arrays;

/**
 * Sliding-window geometry shared by conv and the pools: per spatial dim the kernel size,
 * stride, dilation, pads (begin, end) and output size, resolving {@code auto_pad}
 * (NOTSET, VALID, SAME_UPPER, SAME_LOWER) and {@code ceil_mode}.
 */
public record Window(int rank, long[] in, long[] kernel, long[] strides, long[] dilations, long[] padBegin,
                     long[] padEnd, long[] out) {

  /** The common attribute schema (kernel_shape is the pools' own). */
  static OpDef.Builder attrs(OpDef.Builder b) {
    return b.attr("strides", Attribute.of(new long[0]))
        .attr("dilations", Attribute.of(new long[0]))
        .attr("pads", Attribute.of(new long[0]))
        .attr("auto_pad", Attribute.of("NOTSET"))
        .attr("ceil_mode", Attribute.of(0L));
  }

  /** Geometry for static spatial sizes {@code in} and kernel sizes {@code kernel}. */
  public static Window of(Attrs a, long[] in, long[] kernel) {
    int r = in.length;
    long[] s = fill(a.getInts("strides"), r, 1, "strides");
    long[] d = fill(a.getInts("dilations"), r, 1, "dilations");
    long[] pads = a.getInts("pads");
    if (pads.length != 0 && pads.length != 2 * r) throw new IllegalArgumentException("pads has " + pads.length + " values, expected " + 2 * r);
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
        default -> throw new IllegalArgumentException("unknown auto_pad '" + auto + "'");
      }
      if (out[i] < 0) out[i] = 0;
    }
    return new Window(r, in, kernel, s, d, pb, pe, out);
  }

  private static long size(long in, long dk, long s, long pb, long pe, boolean ceil) {
    long span = in + pb + pe - dk;
    if (span < 0) return 0;
    long out = (ceil ? ceilDiv(span, s) : span / s) + 1;
    // A window may not start in the end padding only (ceil_mode).
    if (ceil && (out - 1) * s >= in + pb) out--;
    return out;
  }

  static long ceilDiv(long a, long b) { return -Math.floorDiv(-a, b); }

  static long[] fill(long[] v, int r, long def, String what) {
    if (v.length == 0) {
      long[] o = new long[r];
      Arrays.fill(o, def);
      return o;
    }
    if (v.length != r) throw new IllegalArgumentException(what + " has " + v.length + " values, expected " + r);
    return v;
  }

  /** Output spatial dims for the shape function: static where the input dim is static. */
  static Dim[] outDims(InferContext c, java.util.List<Dim> inDims, long[] kernel) {
    int r = inDims.size();
    long[] in = new long[r];
    boolean[] known = new boolean[r];
    for (int i = 0; i < r; i++) {
      known[i] = inDims.get(i).isStatic();
      in[i] = known[i] ? inDims.get(i).size() : Math.max(1, kernel[i] * 64);
    }
    Window w;
    try {
      w = of(c.attrs(), in, kernel);
    } catch (IllegalArgumentException e) {
      throw c.fail(e.getMessage());
    }
    Dim[] out = new Dim[r];
    for (int i = 0; i < r; i++) out[i] = known[i] ? Dim.of(w.out[i]) : c.fresh();
    return out;
  }

  long outCount() {
    long n = 1;
    for (long o : out) n *= o;
    return n;
  }

  long inCount() {
    long n = 1;
    for (long o : in) n *= o;
    return n;
  }

  long kernelCount() {
    long n = 1;
    for (long o : kernel) n *= o;
    return n;
  }
}
