package dev.weft.codegen.lower.ops;

import dev.weft.bundle.DType;
import dev.weft.codegen.kir.Expr;
import dev.weft.codegen.kir.ExprFactory;
import dev.weft.codegen.kir.ReduceOp;
import dev.weft.codegen.kir.UnaryOp;
import dev.weft.codegen.lower.LowerContext;
import dev.weft.codegen.lower.LoweringTable;
import java.util.Arrays;

/**
 * {@code group_norm} as a rule of its own, matching the interpreter's NormKernels.group: each
 * (batch, group) normalized over its channels and spatial dims, then scaled and shifted per
 * channel (or per group, when scale and bias have num_groups elements and that is not the channel
 * count). Its decomposition reshapes x to [N, G, -1]: the reshape's index arithmetic makes the
 * group statistics depend on every result index, so they would be recomputed for every element
 * (work proportional to elements x group size). Here they depend on (batch, channel) only: the
 * spatial dims become serial inner loops and the statistics are computed once per channel, i.e.
 * channels-per-group times per group, which is the best a kernel over the result's own dims can do.
 * Where temporaries are available the mean and 1/std are instead computed once per (batch, group)
 * by kernels of their own (the inv-std kernel recomputes the mean: one extra pass over the group),
 * and the result kernel only reads them.
 * The other normalizations (softmax, layer/rms/instance norm, mean_variance_normalization,
 * lp_normalization) reduce over the result's own dims and lower linearly through their decompositions.
 */
final class NormLowerings {
  private NormLowerings() {}

  static void register(LoweringTable t) {
    t.add("group_norm", NormLowerings::groupNorm);
  }

  private static Expr groupNorm(LowerContext c, int output, Expr[] idx) {
    ExprFactory f = c.f();
    long[] xs = c.inShape(0);
    if (xs.length < 2) throw c.fail("group_norm input must have rank >= 2, got " + Arrays.toString(xs));
    long channels = xs[1];
    long groups = c.attrs().getInt("num_groups");
    if (groups <= 0 || channels % groups != 0) throw c.fail(channels + " channels do not split into " + groups + " groups");
    long per = channels / groups;
    long scaleCount = dev.weft.bundle.Tensor.elementCount(c.inShape(1));
    boolean perGroup = scaleCount == groups && groups != channels;
    if (!perGroup && scaleCount != channels) throw c.fail("scale has " + scaleCount + " elements for " + channels + " channels");
    if (dev.weft.bundle.Tensor.elementCount(c.inShape(2)) != scaleCount) throw c.fail("bias and scale differ in size");
    DType t = ExprFactory.computeType(c.inDType(0));
    long count = per;
    long[] ext = new long[xs.length - 1];
    ext[0] = per;
    for (int d = 2; d < xs.length; d++) {
      ext[d - 1] = xs[d];
      count *= xs[d];
    }
    Expr g = per == 1 ? idx[1] : f.div(idx[1], f.index(per));
    Expr n = f.constant(t, count);
    Expr eps = f.constant(t, c.attrs().getFloat("epsilon"));
    // mean and 1/sqrt(var + eps) of group gi of batch bi
    java.util.function.BiFunction<Expr, Expr, Expr[]> stats = (bi, gi) -> {
      java.util.function.Function<Expr[], Expr> member = v -> {
        Expr[] xi = new Expr[xs.length];
        xi[0] = bi;
        xi[1] = per == 1 ? gi : f.add(f.mul(gi, f.index(per)), v[0]);
        System.arraycopy(v, 1, xi, 2, xs.length - 2);
        return c.in(0, xi);
      };
      Expr mean = f.div(Reductions.nest(c, ReduceOp.SUM, ext, member::apply), n);
      Expr var = f.div(Reductions.nest(c, ReduceOp.SUM, ext, v -> {
        Expr d = f.sub(member.apply(v), mean);
        return f.mul(d, d);
      }), n);
      return new Expr[] {mean, f.div(f.constant(t, 1), f.unary(UnaryOp.SQRT, f.add(var, eps)))};
    };
    Expr mean;
    Expr inv;
    if (c.temporariesAllowed()) {
      // the statistics once per (batch, group) in kernels of their own
      long[] gs = {xs[0], groups};
      mean = c.temporary("mean", t, gs, p -> stats.apply(p[0], p[1])[0], idx[0], g);
      inv = c.temporary("inv_std", t, gs, p -> stats.apply(p[0], p[1])[1], idx[0], g);
    } else {
      Expr[] st = stats.apply(idx[0], g);
      mean = st[0];
      inv = st[1];
    }
    Expr y = f.mul(f.sub(c.in(0, idx), mean), inv);
    Expr k = perGroup ? g : idx[1];
    return f.add(f.mul(y, param(c, 1, k)), param(c, 2, k));
  }

  /** Element {@code k} of a scale or bias operand of any shape holding one value per channel (or group). */
  private static Expr param(LowerContext c, int i, Expr k) {
    return c.in(i, c.f().delinear(k, c.inShape(i)));
  }
}
