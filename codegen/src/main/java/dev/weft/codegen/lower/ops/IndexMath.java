package dev.weft.codegen.lower.ops;

import dev.weft.bundle.DType;
import dev.weft.bundle.Tensor;
import dev.weft.codegen.kir.BinaryOp;
import dev.weft.codegen.kir.Expr;
import dev.weft.codegen.kir.ExprFactory;
import dev.weft.codegen.lower.LowerContext;
import dev.weft.ir.ops.ShapeMath;
import java.util.ArrayList;
import java.util.List;

/**
 * Index arithmetic shared by the data-movement lowerings: reshape index maps that divide only
 * where dims really regroup, in-range clamps, data-dependent index normalization, and static
 * tables turned into select chains.
 */
final class IndexMath {
  private IndexMath() {}

  /**
   * The operand index that a row-major reshape from {@code in} to {@code out} reads for result
   * index {@code idx}. Size-1 dims are dropped, and dims are matched in groups of equal
   * product, so a reshape that only merges or splits some dims divides only inside those groups.
   */
  static Expr[] reshape(ExprFactory f, Expr[] idx, long[] out, long[] in) {
    Expr[] src = new Expr[in.length];
    for (int d = 0; d < in.length; d++) src[d] = f.index(0);
    if (Tensor.elementCount(out) == 0) return src; // no element is ever computed
    List<Integer> o = nonUnit(out);
    List<Integer> i = nonUnit(in);
    int a = 0;
    int b = 0;
    while (a < o.size() || b < i.size()) {
      int a0 = a;
      int b0 = b;
      long po = a < o.size() ? out[o.get(a++)] : 1;
      long pi = b < i.size() ? in[i.get(b++)] : 1;
      while (po != pi) {
        if (po < pi) po *= out[o.get(a++)];
        else pi *= in[i.get(b++)];
      }
      Expr[] gi = new Expr[a - a0];
      long[] gs = new long[a - a0];
      for (int k = a0; k < a; k++) {
        gi[k - a0] = idx[o.get(k)];
        gs[k - a0] = out[o.get(k)];
      }
      long[] ts = new long[b - b0];
      for (int k = b0; k < b; k++) ts[k - b0] = in[i.get(k)];
      Expr[] parts = gi.length == 1 && ts.length == 1 ? gi : f.delinear(f.linear(gi, gs), ts);
      for (int k = b0; k < b; k++) src[i.get(k)] = parts[k - b0];
    }
    return src;
  }

  private static List<Integer> nonUnit(long[] shape) {
    List<Integer> r = new ArrayList<>();
    for (int d = 0; d < shape.length; d++) if (shape[d] != 1) r.add(d);
    return r;
  }

  /**
   * Clamps {@code i}, known to lie in [lo, hi] when the caller's indices are in range, into
   * [0, n - 1]; a bound that cannot be crossed costs nothing.
   */
  static Expr clampKnown(ExprFactory f, Expr i, long lo, long hi, long n) {
    Expr r = i;
    if (lo < 0) r = f.max(r, f.index(0));
    if (hi > n - 1) r = f.min(r, f.index(n - 1));
    return r;
  }

  /**
   * A data-dependent index (any integer type, or float truncated as the interpreter does)
   * counted from the end when negative, then clamped into [0, d-1]: an out-of-range index reads
   * the nearest valid element, where the interpreter fails with an error.
   */
  static Expr dataIndex(ExprFactory f, Expr raw, long d) {
    Expr k = f.cast(DType.I64, raw);
    k = f.select(f.lt(k, f.index(0)), f.add(k, f.index(d)), k);
    return f.clamp(k, 0, Math.max(0, d - 1));
  }

  /** {@code values[i]} for an i64 index in [0, values.length): one select per run of an arithmetic progression. */
  static Expr table(ExprFactory f, long[] values, Expr i) {
    if (values.length == 0) return f.index(0);
    if (i.isConst()) return f.index(values[(int) i.longValue()]);
    // Runs where values[k] = values[start] + (k - start) * step become start + (i - start) * step.
    List<long[]> runs = new ArrayList<>(); // {start, end, step}
    int s = 0;
    while (s < values.length) {
      int e = s + 1;
      long step = e < values.length ? values[e] - values[s] : 0;
      while (e < values.length && values[e] - values[e - 1] == step) e++;
      runs.add(new long[] {s, e, step});
      s = e;
    }
    Expr r = null;
    for (int k = runs.size() - 1; k >= 0; k--) {
      long[] run = runs.get(k);
      Expr v = f.add(f.index(values[(int) run[0]]), f.mul(f.sub(i, f.index(run[0])), f.index(run[2])));
      r = r == null ? v : f.select(f.lt(i, f.index(run[1])), v, r);
    }
    return r;
  }

  /** Python-style modulus of an i64 index by a positive constant. */
  static Expr floorMod(ExprFactory f, Expr i, long n) {
    Expr r = f.rem(i, f.index(n));
    return f.select(f.lt(r, f.index(0)), f.add(r, f.index(n)), r);
  }

  /** The zero of a result type, for results with no elements (their expression is never run). */
  static Expr zero(LowerContext c, int output) {
    return c.f().constant(ExprFactory.computeType(c.outDType(output)), 0);
  }

  static boolean empty(long[] shape) { return Tensor.elementCount(shape) == 0; }

  /** Integer list from attribute {@code attr} or constant operand {@code operand}; null when neither is given. */
  static long[] ints(LowerContext c, String attr, int operand) {
    if (c.attrs().has(attr)) return c.attrs().getInts(attr);
    if (operand < c.inputCount() && c.has(operand)) return c.requireConstant(operand, attr).toLongArray();
    return null;
  }

  static int axis(LowerContext c, long axis, int rank) {
    try {
      return ShapeMath.axis(axis, rank);
    } catch (IllegalArgumentException e) {
      throw c.fail(e.getMessage());
    }
  }

  static int[] axes(LowerContext c, long[] axes, int rank) {
    try {
      return ShapeMath.axes(axes, rank);
    } catch (IllegalArgumentException e) {
      throw c.fail(e.getMessage());
    }
  }

  /** The smallest value of an integer or float compute type (the identity of max). */
  static Expr lowest(ExprFactory f, DType t) {
    if (t.isFloat()) return f.constant(t, Double.NEGATIVE_INFINITY);
    if (t == DType.BOOL || !t.isSigned()) return f.constantLong(t, 0);
    return f.constantLong(t, -(1L << (t.byteSize() * 8 - 1)));
  }

  /** The largest value of an integer or float compute type (the identity of min). */
  static Expr highest(ExprFactory f, DType t) {
    if (t.isFloat()) return f.constant(t, Double.POSITIVE_INFINITY);
    if (t == DType.BOOL) return f.constantLong(t, 1);
    if (t == DType.U64) return f.constantLong(t, -1L);
    int bits = t.byteSize() * 8;
    return f.constantLong(t, t.isSigned() ? (1L << (bits - 1)) - 1 : (1L << bits) - 1);
  }

  static Expr eq(ExprFactory f, Expr a, Expr b) { return f.binary(BinaryOp.EQ, a, b); }
}
