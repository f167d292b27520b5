package dev.weft.codegen.lower.ops;

import dev.weft.bundle.DType;
import dev.weft.bundle.Tensor;
import dev.weft.codegen.kir.BinaryOp;
import dev.weft.codegen.kir.Expr;
import dev.weft.codegen.kir.ExprFactory;
import dev.weft.codegen.kir.ReduceOp;
import dev.weft.codegen.kir.UnaryOp;
import dev.weft.codegen.lower.LowerContext;
import dev.weft.codegen.lower.LoweringTable;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code reduce_sum}, {@code reduce_prod}, {@code reduce_max}, {@code reduce_min} as nested
 * REDUCE expressions over the reduced dims, matching the interpreter's ReductionOps: axes from
 * the attribute (absent: all, empty: none) or from a constant operand 1 (empty: all, or none with
 * noop_with_empty_axes), negative axes from the end, keepdims, and the identity over a 0-sized
 * dim. Floats accumulate in their compute type (f32 for f32/f16/bf16), where the interpreter
 * accumulates in f64: sums agree within the reduction tolerance, not bit for bit. Bool max/min
 * reduce as u8 (or/and).
 *
 * <p>The composites {@code reduce_mean} and {@code reduce_log_sum_exp} have rules of their own
 * although their decompositions are linear: with the axes as a constant operand, the
 * decomposition's inner reductions are re-inferred inside the expansion graph, where the operand
 * is no longer known to be constant, so their shapes come out dynamic and do not lower.
 */
final class ReductionLowerings {
  private ReductionLowerings() {}

  static void register(LoweringTable t) {
    t.add("reduce_sum", (c, k, idx) -> reduce(c, idx, ReduceOp.SUM));
    t.add("reduce_prod", (c, k, idx) -> reduce(c, idx, ReduceOp.PROD));
    t.add("reduce_max", (c, k, idx) -> reduce(c, idx, ReduceOp.MAX));
    t.add("reduce_min", (c, k, idx) -> reduce(c, idx, ReduceOp.MIN));
    t.add("reduce_mean", ReductionLowerings::mean);
    t.add("reduce_log_sum_exp", ReductionLowerings::logSumExp);
  }

  /** Marks the reduced axes of a rank-{@code rank} operand, as the interpreter resolves them. */
  static boolean[] reducedAxes(LowerContext c, int rank) {
    long[] axes;
    if (c.inputCount() > 1 && c.has(1)) {
      Tensor a = c.requireConstant(1, "axes");
      long[] v = a.toLongArray();
      axes = v.length == 0 && !c.attrs().getBool("noop_with_empty_axes") ? null : v;
    } else {
      axes = c.attrs().getIntsOr("axes", null);
    }
    boolean[] r = new boolean[rank];
    if (axes == null) {
      java.util.Arrays.fill(r, true);
      return r;
    }
    for (long a : axes) {
      if (a < -rank || a >= rank) throw c.fail("axis " + a + " is out of range for rank " + rank);
      int k = (int) (a < 0 ? a + rank : a);
      if (r[k]) throw c.fail("axis " + a + " is repeated");
      r[k] = true;
    }
    return r;
  }

  static Expr reduce(LowerContext c, Expr[] idx, ReduceOp op) {
    return reduce(c, idx, op, x -> x);
  }

  /** sum / count, count the product of the reduced extents (integers: truncating, 0 for an empty set). */
  private static Expr mean(LowerContext c, int k, Expr[] idx) {
    long[] s = c.inShape(0);
    boolean[] red = reducedAxes(c, s.length);
    long count = 1;
    for (int d = 0; d < s.length; d++) if (red[d]) count *= s[d];
    Expr sum = reduce(c, idx, ReduceOp.SUM);
    return c.f().div(sum, c.f().like(sum, count));
  }

  /** log(sum(exp(x - m))) + m with m the max, or 0 where the max is infinite (as the decomposition). */
  private static Expr logSumExp(LowerContext c, int k, Expr[] idx) {
    ExprFactory f = c.f();
    Expr max = reduce(c, idx, ReduceOp.MAX);
    Expr inf = f.binary(BinaryOp.EQ, f.unary(UnaryOp.ABS, max), f.like(max, Double.POSITIVE_INFINITY));
    Expr shift = f.select(inf, f.like(max, 0), max);
    Expr sum = reduce(c, idx, ReduceOp.SUM, x -> c.math().exp(f.sub(x, shift)));
    return f.add(c.math().log(sum), shift);
  }

  /** {@code op} over the reduced dims of {@code map(x)} at the input element each reduced index names. */
  static Expr reduce(LowerContext c, Expr[] idx, ReduceOp op, java.util.function.UnaryOperator<Expr> map) {
    ExprFactory f = c.f();
    long[] s = c.inShape(0);
    boolean[] red = reducedAxes(c, s.length);
    boolean keep = c.attrs().getBool("keepdims");
    List<Integer> dims = new ArrayList<>();
    Expr[] in = new Expr[s.length];
    int o = 0;
    for (int d = 0; d < s.length; d++) {
      if (!red[d]) in[d] = idx[o++];
      else {
        dims.add(d);
        if (keep) o++;
      }
    }
    if (o != idx.length) throw c.fail("result index of rank " + idx.length + " for " + o + " kept dims");
    long[] ext = new long[dims.size()];
    for (int i = 0; i < ext.length; i++) ext[i] = s[dims.get(i)];
    boolean bool = c.inDType(0) == DType.BOOL;
    Expr r = Reductions.nest(c, op, ext, vars -> {
      for (int i = 0; i < vars.length; i++) in[dims.get(i)] = vars[i];
      Expr x = map.apply(c.in(0, in));
      return bool ? f.cast(DType.U8, x) : x;
    });
    return bool ? f.cast(DType.BOOL, r) : r;
  }
}
