package dev.weft.codegen.lower.ops;

import dev.weft.bundle.DType;
import dev.weft.codegen.kir.BinaryOp;
import dev.weft.codegen.kir.Expr;
import dev.weft.codegen.kir.ExprFactory;
import dev.weft.codegen.kir.ReduceOp;
import dev.weft.codegen.lower.LowerContext;
import dev.weft.codegen.lower.LoweringTable;
import java.util.Arrays;
import java.util.function.Function;

/**
 * The {@code attention} composite as one rule, matching the interpreter's AttentionComposite:
 * scores (q * scale) . k over the head dim (scale defaults to 1/sqrt(D)), then softcap
 * (softcap * tanh(s / softcap)), then the mask (bool: false hides the key; float: added,
 * broadcast to [B, H, S, L]) and is_causal (key j hidden from query i when j > i + causal_offset),
 * then a max-subtracted softmax over the keys, times v. Grouped-query heads read kv head
 * h / (H / Hkv). A row whose keys are all hidden gives zeros. qk_output_mode 0..3 adds the
 * second result: the scores after the scale, the softcap, the mask, or the probabilities.
 *
 * <p>Cost: three kernels around two [B, H, S, L] temporaries. Kernel 1 writes the masked scores
 * (one D-long dot product per query and key), kernel 2 the probabilities (the key dim is its
 * serial loop, so the row max and the softmax denominator are computed once per query row),
 * kernel 3 the weighted sum P . V: B*H*S*L*(D + Dv) multiply-adds in all. Where temporaries are
 * not available (a group whose leading dim stays symbolic) the rule inlines everything and the
 * weighted sum recomputes each key's score per value column: B*H*S*L*D*(Dv + 2).
 */
final class AttentionLowering {
  private AttentionLowering() {}

  static void register(LoweringTable t) {
    t.add("attention", AttentionLowering::at);
  }

  private static Expr at(LowerContext c, int output, Expr[] idx) {
    ExprFactory f = c.f();
    long[] qs = c.inShape(0);
    long[] ks = c.inShape(1);
    long[] vs = c.inShape(2);
    if (qs.length != 4 || ks.length != 4 || vs.length != 4) throw c.fail("q, k, v must be 4-D");
    long heads = qs[1];
    long kvHeads = ks[1];
    long d = qs[3];
    long l = ks[2];
    if (kvHeads == 0 || heads % kvHeads != 0 || vs[1] != kvHeads || ks[3] != d || vs[2] != l || ks[0] != qs[0] || vs[0] != qs[0]) {
      throw c.fail("q " + Arrays.toString(qs) + ", k " + Arrays.toString(ks) + ", v " + Arrays.toString(vs) + " do not fit");
    }
    long reps = heads / kvHeads;
    DType t = ExprFactory.computeType(c.inDType(0));
    double scale = c.attrs().hasValue("scale") ? c.attrs().getFloat("scale") : 1.0 / Math.sqrt(d);
    double softcap = c.attrs().getFloat("softcap");
    boolean causal = c.attrs().getBool("is_causal");
    long offset = c.attrs().getInt("causal_offset");
    long mode = c.attrs().getIntOr("qk_output_mode", -1);
    boolean mask = c.inputCount() > 3 && c.has(3);
    Expr ninf = f.constant(t, Double.NEGATIVE_INFINITY);
    Expr zero = f.constant(t, 0);

    // The score of key j for query (b, h, i) at each stage: 0 scaled, 1 softcapped, 2 masked.
    Score stage = (s, b, h, i, j) -> {
      Expr kvh = reps == 1 ? h : f.div(h, f.index(reps));
      Expr dv = c.newVar("d");
      Expr qv = f.mul(c.in(0, b, h, i, dv), f.constant(t, scale));
      Expr x = f.reduce(ReduceOp.SUM, dv, d, f.mul(qv, c.in(1, b, kvh, j, dv)));
      if (s == 0) return x;
      if (softcap > 0) x = f.mul(f.constant(t, softcap), c.math().tanh(f.div(x, f.constant(t, softcap))));
      if (s == 1) return x;
      if (mask) {
        Expr m = c.inBroadcast(3, new Expr[] {b, h, i, j});
        x = m.type() == DType.BOOL ? f.select(m, x, ninf) : f.add(x, m);
      }
      if (causal) x = f.select(f.binary(BinaryOp.GT, j, f.add(i, f.index(offset))), ninf, x);
      return x;
    };
    if (output == 1 && mode >= 0 && mode <= 2) return stage.at((int) mode, idx[0], idx[1], idx[2], idx[3]);
    if (output == 1 && mode != 3) throw c.fail("qk_output_mode must be 0..3, got " + mode);
    Expr b = idx[0];
    Expr h = idx[1];
    Expr i = idx[2];
    Expr kvh = reps == 1 ? h : f.div(h, f.index(reps));

    if (c.temporariesAllowed()) {
      // scores once per (query, key); probabilities once per (query, key) with the row max and
      // sum hoisted (the key dim is the probability kernel's serial loop); then P . V
      long[] pshape = {qs[0], heads, qs[2], l};
      Function<Expr[], Expr> scores = p -> stage.at(2, p[0], p[1], p[2], p[3]);
      Function<Expr[], Expr> probs = p -> {
        Function<Expr, Expr> sc = j -> c.temporary("scores", t, pshape, scores, p[0], p[1], p[2], j);
        Expr jm = c.newVar("j");
        Expr max = f.reduce(ReduceOp.MAX, jm, l, sc.apply(jm));
        Expr js = c.newVar("j");
        Expr den = f.reduce(ReduceOp.SUM, js, l, c.math().exp(f.sub(sc.apply(js), max)));
        return f.select(f.binary(BinaryOp.EQ, max, ninf), zero, f.div(c.math().exp(f.sub(sc.apply(p[3]), max)), den));
      };
      if (output == 1) return c.temporary("probs", t, pshape, probs, idx);
      Expr jo = c.newVar("j");
      return f.reduce(ReduceOp.SUM, jo, l, f.mul(c.temporary("probs", t, pshape, probs, b, h, i, jo), c.in(2, b, kvh, jo, idx[3])));
    }

    // Inline: the score is recomputed in the max, the sum and the weighted sum per value column.
    Function<Expr, Expr> score = j -> stage.at(2, b, h, i, j);
    Expr jm = c.newVar("j");
    Expr max = f.reduce(ReduceOp.MAX, jm, l, score.apply(jm));
    Expr js = c.newVar("j");
    Expr den = f.reduce(ReduceOp.SUM, js, l, c.math().exp(f.sub(score.apply(js), max)));
    Expr hidden = f.binary(BinaryOp.EQ, max, ninf);
    if (output == 1) return f.select(hidden, zero, f.div(c.math().exp(f.sub(score.apply(idx[3]), max)), den));
    Expr jo = c.newVar("j");
    Expr weight = c.math().exp(f.sub(score.apply(jo), max));
    Expr num = f.reduce(ReduceOp.SUM, jo, l, f.mul(weight, c.in(2, b, kvh, jo, idx[3])));
    return f.select(hidden, zero, f.div(num, den));
  }

  /** An attention score at a stage, for query (b, h, i) and key j. */
  @FunctionalInterface
  private interface Score {
    Expr at(int stage, Expr b, Expr h, Expr i, Expr j);
  }
}
