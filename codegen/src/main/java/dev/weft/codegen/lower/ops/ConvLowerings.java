package dev.weft.codegen.lower.ops;

import dev.weft.codegen.kir.Expr;
import dev.weft.codegen.kir.ExprFactory;
import dev.weft.codegen.kir.ReduceOp;
import dev.weft.codegen.lower.LowerContext;
import dev.weft.codegen.lower.LoweringTable;
import java.util.Arrays;

/**
 * {@code conv} and {@code conv_transpose} (1-D to N-D, strides, dilations, pads, auto_pad, groups
 * incl. depthwise, optional bias), each output element a nested sum over the group's input
 * channels and the kernel window, matching the interpreter's ConvOps. Padding reads 0: the input
 * index is clamped into range and the loaded value replaced by 0 outside it (a SELECT evaluates
 * both arms), with the guard left out for dims whose window provably stays inside the input.
 *
 * <p>conv_transpose is written as a gather: output o receives x[i] w[k] for every k with
 * o = i * stride - pad + k * dilation, i.e. i = (o + pad - k * dilation) / stride when that
 * division is exact. With stride s that visits s^r times the contributing terms (the others are
 * guarded to 0); a scatter formulation would not, but kernels here compute one element at a time.
 */
final class ConvLowerings {
  private ConvLowerings() {}

  static void register(LoweringTable t) {
    t.add("conv", ConvLowerings::conv);
    t.add("conv_transpose", ConvLowerings::convTranspose);
  }

  private static long[] spatial(long[] s) { return Arrays.copyOfRange(s, 2, s.length); }

  private static Expr conv(LowerContext c, int output, Expr[] idx) {
    ExprFactory f = c.f();
    long[] xs = c.inShape(0);
    long[] ws = c.inShape(1);
    int r = xs.length - 2;
    if (r < 1 || ws.length != r + 2) throw c.fail("input " + Arrays.toString(xs) + " and weight " + Arrays.toString(ws) + " ranks do not fit");
    long group = c.attrs().getInt("group");
    long channels = xs[1];
    long m = ws[0];
    long cg = ws[1];
    if (group < 1 || cg * group != channels || m % group != 0) {
      throw c.fail(channels + " input channels, weight " + Arrays.toString(ws) + " and group " + group + " do not fit");
    }
    long mg = m / group;
    WindowGeometry w = WindowGeometry.of(c, spatial(xs), spatial(ws));
    w.requireOut(c, c.outShape(0), 2);
    Expr b = idx[0];
    Expr oc = idx[1];
    Expr g = group == 1 ? f.index(0) : f.div(oc, f.index(mg));
    long[] ext = new long[r + 1];
    ext[0] = cg;
    System.arraycopy(ws, 2, ext, 1, r);
    boolean emptyInput = false;
    for (long v : spatial(xs)) emptyInput |= v == 0;
    Expr sum;
    if (emptyInput) {
      sum = f.constant(dev.weft.codegen.kir.ExprFactory.computeType(c.inDType(0)), 0); // every tap is padding
    } else {
      sum = Reductions.nest(c, ReduceOp.SUM, ext, v -> {
        Expr[] xi = new Expr[r + 2];
        xi[0] = b;
        xi[1] = group == 1 ? v[0] : f.add(f.mul(g, f.index(cg)), v[0]);
        Expr valid = null;
        for (int d = 0; d < r; d++) {
          Expr ip = f.add(f.sub(f.mul(idx[2 + d], f.index(w.strides()[d])), f.index(w.padBegin()[d])),
              f.mul(v[1 + d], f.index(w.dilations()[d])));
          long lo = -w.padBegin()[d];
          long hi = (w.out()[d] - 1) * w.strides()[d] - w.padBegin()[d] + (w.kernel()[d] - 1) * w.dilations()[d];
          if (!Reductions.inRange(lo, hi, w.in()[d])) {
            valid = Reductions.all(f, valid, Reductions.inBounds(f, ip, w.in()[d]));
            ip = f.clamp(ip, 0, w.in()[d] - 1);
          }
          xi[2 + d] = ip;
        }
        Expr xv = c.in(0, xi);
        if (valid != null) xv = f.select(valid, xv, f.like(xv, 0));
        Expr[] wi = new Expr[r + 2];
        wi[0] = oc;
        wi[1] = v[0];
        System.arraycopy(v, 1, wi, 2, r);
        return f.mul(xv, c.in(1, wi));
      });
    }
    return c.inputCount() > 2 && c.has(2) ? f.add(sum, c.in(2, oc)) : sum;
  }

  private static Expr convTranspose(LowerContext c, int output, Expr[] idx) {
    ExprFactory f = c.f();
    long[] xs = c.inShape(0);
    long[] ws = c.inShape(1);
    int r = xs.length - 2;
    if (r < 1 || ws.length != r + 2) throw c.fail("input " + Arrays.toString(xs) + " and weight " + Arrays.toString(ws) + " ranks do not fit");
    long group = c.attrs().getInt("group");
    long channels = xs[1];
    if (group < 1 || channels % group != 0 || ws[0] != channels) {
      throw c.fail(channels + " input channels, weight " + Arrays.toString(ws) + " and group " + group + " do not fit");
    }
    long cg = channels / group;
    long mg = ws[1];
    WindowGeometry w = WindowGeometry.transpose(c, spatial(xs), spatial(ws));
    w.requireOut(c, c.outShape(0), 2);
    Expr b = idx[0];
    Expr oc = idx[1];
    Expr g = group == 1 ? f.index(0) : f.div(oc, f.index(mg));
    Expr mo = group == 1 ? oc : f.rem(oc, f.index(mg));
    long[] ext = new long[r + 1];
    ext[0] = cg;
    System.arraycopy(ws, 2, ext, 1, r);
    boolean emptyInput = false;
    for (long v : spatial(xs)) emptyInput |= v == 0;
    Expr sum;
    if (emptyInput) {
      sum = f.constant(ExprFactory.computeType(c.inDType(0)), 0);
    } else {
      sum = Reductions.nest(c, ReduceOp.SUM, ext, v -> {
        Expr ch = group == 1 ? v[0] : f.add(f.mul(g, f.index(cg)), v[0]);
        Expr[] xi = new Expr[r + 2];
        xi[0] = b;
        xi[1] = ch;
        Expr valid = null;
        for (int d = 0; d < r; d++) {
          long s = w.strides()[d];
          long in = w.in()[d];
          Expr num = f.sub(f.add(idx[2 + d], f.index(w.padBegin()[d])), f.mul(v[1 + d], f.index(w.dilations()[d])));
          long lo = w.padBegin()[d] - (w.kernel()[d] - 1) * w.dilations()[d];
          long hi = w.out()[d] - 1 + w.padBegin()[d];
          Expr q;
          if (s == 1) {
            q = num;
            if (!Reductions.inRange(lo, hi, in)) {
              valid = Reductions.all(f, valid, Reductions.inBounds(f, num, in));
              q = f.clamp(num, 0, in - 1);
            }
          } else {
            Expr exact = f.binary(dev.weft.codegen.kir.BinaryOp.EQ, f.rem(num, f.index(s)), f.index(0));
            Expr quot = f.div(num, f.index(s));
            valid = Reductions.all(f, valid, f.binary(dev.weft.codegen.kir.BinaryOp.GE, num, f.index(0)), exact,
                f.lt(quot, f.index(in)));
            q = f.clamp(quot, 0, in - 1);
          }
          xi[2 + d] = q;
        }
        Expr xv = c.in(0, xi);
        if (valid != null) xv = f.select(valid, xv, f.like(xv, 0));
        Expr[] wi = new Expr[r + 2];
        wi[0] = ch;
        wi[1] = mo;
        System.arraycopy(v, 1, wi, 2, r);
        return f.mul(xv, c.in(1, wi));
      });
    }
    return c.inputCount() > 2 && c.has(2) ? f.add(sum, c.in(2, oc)) : sum;
  }
}
