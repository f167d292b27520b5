package dev.weft.codegen.lower.ops;

import dev.weft.codegen.kir.Expr;
import dev.weft.codegen.kir.ExprFactory;
import dev.weft.codegen.lower.LowerContext;
import dev.weft.codegen.lower.LoweringTable;

/**
 * Ops whose result element is one operand element at a statically computed position:
 * reshape and its named forms, transpose, broadcast (ONNX Expand), tile, depth_to_space and
 * space_to_depth. Result shapes are static at lowering time, so reshape targets (0 and -1
 * entries, allowzero) and squeeze/unsqueeze axes are already resolved in the result type and
 * the rules never read those operands.
 */
final class ReshapeLowerings {
  private ReshapeLowerings() {}

  static void register(LoweringTable t) {
    for (String op : new String[] {"reshape", "flatten", "squeeze", "unsqueeze"}) t.add(op, ReshapeLowerings::reshape);
    t.add("transpose", ReshapeLowerings::transpose);
    t.add("broadcast", (c, k, idx) -> c.inBroadcast(0, idx));
    t.add("tile", ReshapeLowerings::tile);
    t.add("depth_to_space", (c, k, idx) -> space(c, idx, true));
    t.add("space_to_depth", (c, k, idx) -> space(c, idx, false));
  }

  private static Expr reshape(LowerContext c, int output, Expr[] idx) {
    long[] in = c.inShape(0);
    long[] out = c.outShape(0);
    if (IndexMath.empty(out)) return IndexMath.zero(c, 0);
    return c.in(0, IndexMath.reshape(c.f(), idx, out, in));
  }

  private static Expr transpose(LowerContext c, int output, Expr[] idx) {
    int rank = c.inShape(0).length;
    long[] perm = c.attrs().getIntsOr("perm", null);
    if (perm != null && perm.length != rank) throw c.fail("perm has " + perm.length + " entries for rank " + rank);
    int[] p = new int[rank];
    boolean[] seen = new boolean[rank];
    for (int i = 0; i < rank; i++) {
      long v = perm == null ? rank - 1 - i : perm[i];
      if (v < 0 || v >= rank || seen[(int) v]) {
        throw c.fail("perm " + java.util.Arrays.toString(perm) + " is not a permutation of rank " + rank);
      }
      p[i] = (int) v;
      seen[p[i]] = true;
    }
    Expr[] src = new Expr[rank];
    for (int i = 0; i < rank; i++) src[p[i]] = idx[i];
    return c.in(0, src);
  }

  private static Expr tile(LowerContext c, int output, Expr[] idx) {
    long[] in = c.inShape(0);
    if (IndexMath.empty(c.outShape(0))) return IndexMath.zero(c, 0);
    ExprFactory f = c.f();
    long[] out = c.outShape(0);
    Expr[] src = new Expr[in.length];
    // A dim repeated once keeps its index; otherwise the index wraps around the operand's dim.
    for (int d = 0; d < in.length; d++) src[d] = out[d] == in[d] ? idx[d] : f.rem(idx[d], f.index(in[d]));
    return c.in(0, src);
  }

  /**
   * depth_to_space (DCR: depth channel = (i*b + j)*C + c; CRD: c*b*b + i*b + j) and
   * space_to_depth (the inverse of DCR), indexed on the space side [n, c, h*b + i, w*b + j].
   */
  private static Expr space(LowerContext c, Expr[] idx, boolean toSpace) {
    long[] s = c.inShape(0);
    if (s.length != 4) throw c.fail("expected an NCHW operand, got rank " + s.length);
    long b = c.attrs().getInt("blocksize");
    if (b < 1) throw c.fail("blocksize must be positive, got " + b);
    if (IndexMath.empty(c.outShape(0))) return IndexMath.zero(c, 0);
    ExprFactory f = c.f();
    Expr bb = f.index(b);
    if (toSpace) {
      boolean crd = c.attrs().getString("mode").equals("CRD");
      long cs = c.outShape(0)[1];
      Expr i = f.rem(idx[2], bb);
      Expr j = f.rem(idx[3], bb);
      Expr ij = f.add(f.mul(i, bb), j);
      Expr ch = crd ? f.add(f.mul(idx[1], f.index(b * b)), ij) : f.add(f.mul(ij, f.index(cs)), idx[1]);
      return c.in(0, idx[0], ch, f.div(idx[2], bb), f.div(idx[3], bb));
    }
    long cs = s[1];
    Expr ch = f.rem(idx[1], f.index(cs));
    Expr ij = f.div(idx[1], f.index(cs));
    Expr h = f.add(f.mul(idx[2], bb), f.div(ij, bb));
    Expr w = f.add(f.mul(idx[3], bb), f.rem(ij, bb));
    return c.in(0, idx[0], ch, h, w);
  }
}
