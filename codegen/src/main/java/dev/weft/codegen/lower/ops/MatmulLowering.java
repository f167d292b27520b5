package dev.weft.codegen.lower.ops;

import dev.weft.bundle.DType;
import dev.weft.codegen.kir.Expr;
import dev.weft.codegen.kir.ExprFactory;
import dev.weft.codegen.kir.ReduceOp;
import dev.weft.codegen.lower.LowerContext;
import dev.weft.codegen.lower.LoweringTable;

/**
 * {@code matmul} as a sum over the contracting dim, matching the interpreter's MatmulOps: 1-D
 * operands promoted ([K] as [1, K] on the left, [K, 1] on the right) and squeezed from the result,
 * batch dims broadcast, K = 0 giving zeros. Floats accumulate in their compute type. Integer
 * operands are widened to the result type, their zero points (operand 2: a scalar or one per row
 * of A, counted over A's flattened rows; operand 3: a scalar or one per column of B) subtracted,
 * and accumulated wrapping at the result width, which is congruent to the interpreter's
 * 64/32-bit accumulation truncated to that width.
 *
 * <p>One difference: the interpreter skips a zero element of A, so 0 x inf or 0 x NaN gives 0
 * there and NaN here (IEEE).
 */
final class MatmulLowering {
  private MatmulLowering() {}

  static void register(LoweringTable t) {
    t.add("matmul", MatmulLowering::at);
  }

  static Expr at(LowerContext c, int output, Expr[] idx) {
    ExprFactory f = c.f();
    boolean ta = c.attrs().getIntOr("transpose_a", 0) != 0;
    boolean tb = c.attrs().getIntOr("transpose_b", 0) != 0;
    long[] sa = logical(c.inShape(0), ta);
    long[] sb = logical(c.inShape(1), tb);
    boolean va = sa.length == 1;
    boolean vb = sb.length == 1;
    long[] a = va ? new long[] {1, sa[0]} : sa;
    long[] b = vb ? new long[] {sb[0], 1} : sb;
    long k = a[a.length - 1];
    if (b[b.length - 2] != k) throw c.fail("contracting dims differ: " + k + " vs " + b[b.length - 2]);
    int batchRank = Math.max(a.length, b.length) - 2;
    if (idx.length != batchRank + (va ? 0 : 1) + (vb ? 0 : 1)) throw c.fail("result rank " + idx.length + " does not fit the operands");
    Expr m = va ? f.index(0) : idx[batchRank];
    Expr n = vb ? f.index(0) : idx[idx.length - 1];
    Expr kv = c.newVar("k");
    Expr[] ai = operandIndex(f, a, va, idx, batchRank, m, kv, true);
    Expr[] bi = operandIndex(f, b, vb, idx, batchRank, kv, n, false);
    Expr x = c.in(0, stored(ai, ta));
    // A constant right operand (a weight) is read from a transposed copy on hosts: the dot
    // product then walks two contiguous rows instead of a column N elements apart per step.
    Expr y = !tb && !vb ? c.inTransposedConstant(1, stored(bi, true)) : null;
    if (y == null) y = c.in(1, stored(bi, tb));
    if (c.inDType(0).isFloat()) return f.reduce(ReduceOp.SUM, kv, k, f.mul(x, y));
    DType acc = ExprFactory.computeType(c.outDType(0));
    x = f.cast(acc, x);
    y = f.cast(acc, y);
    if (c.inputCount() > 2 && c.has(2)) x = f.sub(x, f.cast(acc, zeroPointA(c, a, va, ai, m)));
    if (c.inputCount() > 3 && c.has(3)) y = f.sub(y, f.cast(acc, zeroPointB(c, n)));
    return f.reduce(ReduceOp.SUM, kv, k, f.mul(x, y));
  }

  /** The operand as the product sees it: with transpose_a/_b its stored last two dims are swapped. */
  private static long[] logical(long[] shape, boolean transposed) {
    if (!transposed || shape.length < 2) return shape;
    long[] s = shape.clone();
    s[s.length - 2] = shape[shape.length - 1];
    s[s.length - 1] = shape[shape.length - 2];
    return s;
  }

  /** A logical index turned into the stored operand's (the last two entries swapped back). */
  private static Expr[] stored(Expr[] logicalIndex, boolean transposed) {
    if (!transposed || logicalIndex.length < 2) return logicalIndex;
    Expr[] s = logicalIndex.clone();
    s[s.length - 2] = logicalIndex[logicalIndex.length - 1];
    s[s.length - 1] = logicalIndex[logicalIndex.length - 2];
    return s;
  }

  /** The operand's index: its batch dims right-aligned to the result's (size 1 broadcast), then the two matrix dims. */
  private static Expr[] operandIndex(ExprFactory f, long[] shape, boolean vector, Expr[] idx, int batchRank, Expr row, Expr col,
                                     boolean left) {
    if (vector) return new Expr[] {left ? col : row};
    int own = shape.length - 2;
    Expr[] out = new Expr[shape.length];
    for (int d = 0; d < own; d++) out[d] = shape[d] == 1 ? f.index(0) : idx[batchRank - own + d];
    out[own] = row;
    out[own + 1] = col;
    return out;
  }

  /** A's zero point: one element, or the one for A's flattened row (batch rows of A itself, then m) modulo its size. */
  private static Expr zeroPointA(LowerContext c, long[] a, boolean va, Expr[] ai, Expr m) {
    ExprFactory f = c.f();
    long[] zs = c.inShape(2);
    long size = dev.weft.bundle.Tensor.elementCount(zs);
    if (size == 1) return c.in(2, zeros(f, zs.length));
    long rows = 1;
    for (int d = 0; d < a.length - 1; d++) rows *= a[d];
    if (size != rows && (size == 0 || rows % size != 0)) throw c.fail("a_zero_point has " + size + " elements for " + rows + " rows of A");
    Expr row = m;
    if (!va) {
      long[] batch = java.util.Arrays.copyOf(a, a.length - 2);
      Expr[] bidx = java.util.Arrays.copyOf(ai, a.length - 2);
      row = f.add(f.mul(f.linear(bidx, batch), f.index(a[a.length - 2])), m);
    }
    if (size != rows) row = f.rem(row, f.index(size));
    return c.in(2, f.delinear(row, zs));
  }

  /** B's zero point: one element, or the one for column n. */
  private static Expr zeroPointB(LowerContext c, Expr n) {
    ExprFactory f = c.f();
    long[] zs = c.inShape(3);
    long size = dev.weft.bundle.Tensor.elementCount(zs);
    if (size == 1) return c.in(3, zeros(f, zs.length));
    long cols = c.inShape(1).length == 1 ? 1 : c.inShape(1)[c.inShape(1).length - 1];
    if (size == 0 || size % cols != 0) throw c.fail("b_zero_point has " + size + " elements for " + cols + " columns of B");
    return c.in(3, f.delinear(n, zs));
  }

  private static Expr[] zeros(ExprFactory f, int rank) {
    Expr[] z = new Expr[rank];
    java.util.Arrays.fill(z, f.index(0));
    return z;
  }
}
