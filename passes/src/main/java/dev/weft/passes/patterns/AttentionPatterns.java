package dev.weft.passes.patterns;

import static dev.weft.passes.patterns.Pat.anyOf;
import static dev.weft.passes.patterns.Pat.k;
import static dev.weft.passes.patterns.Pat.kAny;
import static dev.weft.passes.patterns.Pat.op;
import static dev.weft.passes.patterns.Pat.var;

import dev.weft.bundle.DType;
import dev.weft.bundle.Tensor;
import dev.weft.ir.Attribute;
import dev.weft.ir.Dim;
import dev.weft.ir.GraphBuilder;
import dev.weft.ir.Node;
import dev.weft.ir.Shape;
import dev.weft.ir.TensorType;
import dev.weft.ir.Value;
import dev.weft.passes.Rewrite;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Scaled dot-product attention on heads already split to [B, H, S, D], as the corpus's GPT,
 * BERT and MiniLM exports have it: {@code matmul(softmax(mask(matmul(q, kT) * scale)), v)}. The
 * head split (reshape + transpose) before and the merge after stay; the transpose producing
 * kT is folded into the one the composite needs for k. The mask is
 * <ul>
 *   <li>absent;
 *   <li>additive ({@code + mask}, float): a constant that is 0 on and below the diagonal and
 *       very negative above it becomes {@code is_causal}, anything else the mask operand;
 *   <li>{@code where(cond, fill, scores)}: a constant triangular cond with a very negative fill
 *       becomes {@code is_causal}; any other cond with fill -inf becomes the bool mask
 *       {@code not(cond)}.
 * </ul>
 * "Very negative" is at most {@value #HIDDEN}: exp of it underflows to 0 in float32 and float64
 * alike, so the probabilities are those of -inf. Not raised: 3-D batched attention
 * (heads folded into the batch), scale applied to q and k separately, a causal and a padding
 * mask added in sequence, and a finite where-fill outside a causal mask (a fully hidden row
 * would become uniform there but zeros in the composite).
 */
final class AttentionPatterns {
  private AttentionPatterns() {}

  static final double HIDDEN = -1e4;

  private static final Pat QK = op("matmul", var("q"), var("kt"));
  /** matmul(q, kT), times a scale or divided by one. */
  private static final Pat SCORES = anyOf(QK, op("mul", QK, kAny("scale")),
      op("div", QK, k("div", "nonzero", (x, t) -> x != 0 && Double.isFinite(x))));

  static final List<Pattern> PATTERNS = List.of(
      // matmul(softmax(matmul(q, kT) * scale [+ mask | where(cond, fill, .)]), v)  ->  attention(q, k, v, mask)
      Pattern.of("attention", "matmul(softmax(matmul(q, transpose(k)) * scale + mask), v)",
          op("matmul", op("softmax", anyOf(SCORES, op("add", SCORES, var("mask")),
              op("select", var("cond"), k("fill", "<= " + HIDDEN, (x, t) -> x <= HIDDEN), SCORES))).as("p"), var("v")),
          AttentionPatterns::attention));

  private static TensorType rank4(Value v) {
    return v.type() instanceof TensorType t && t.shape().isRanked() && t.rank() == 4 && t.dtype().isFloat() ? t : null;
  }

  private static Value attention(Match m, Node root, GraphBuilder b) {
    // The pattern reads plain products: a flagged matmul reads an operand transposed.
    for (Node x : m.interior()) {
      if (x.opName().equals("matmul") && (x.attrs().getIntOr("transpose_a", 0) != 0 || x.attrs().getIntOr("transpose_b", 0) != 0)) return null;
    }
    Node p = m.node("p");
    long axis = p.attrs().getInt("axis");
    if (axis != -1 && axis != 3) return null;
    TensorType q = rank4(m.value("q")), kt = rank4(m.value("kt")), v = rank4(m.value("v"));
    if (q == null || kt == null || v == null || kt.dtype() != q.dtype() || v.dtype() != q.dtype()) return null;
    Shape qs = q.shape(), ks = kt.shape(), vs = v.shape();
    // Batch and heads provably equal (matmul would broadcast a 1 the composite does not), contracted dims agree.
    for (int i = 0; i < 2; i++) if (!qs.dim(i).equals(ks.dim(i)) || !qs.dim(i).equals(vs.dim(i))) return null;
    if (!qs.dim(3).equals(ks.dim(2)) || !ks.dim(3).equals(vs.dim(2))) return null;

    double scale = m.has("scale") ? m.constant("scale") : m.has("div") ? 1 / m.constant("div") : 1.0;
    Map<String, Attribute> attrs = new HashMap<>();
    attrs.put("scale", Attribute.of(scale));
    Value mask = null;
    Dim s = qs.dim(2), l = ks.dim(3);
    if (m.value("mask") != null) {
      mask = m.value("mask");
      if (!(mask.type() instanceof TensorType mt) || mt.dtype() != q.dtype()) return null;
      long off = causalOffset(Rewrite.constant(mask), s, l, false);
      if (off >= 0) {
        attrs.put("is_causal", Attribute.of(1L));
        attrs.put("causal_offset", Attribute.of(off));
        mask = null;
      }
    } else if (m.value("cond") != null) {
      Value cond = m.value("cond");
      if (!(cond.type() instanceof TensorType ct) || ct.dtype() != DType.BOOL) return null;
      Tensor c = Rewrite.constant(cond);
      long off = causalOffset(c, s, l, true);
      if (off >= 0) {
        attrs.put("is_causal", Attribute.of(1L));
        attrs.put("causal_offset", Attribute.of(off));
      } else if (m.constant("fill") == Double.NEGATIVE_INFINITY) {
        mask = c != null ? b.constant(not(c)) : b.op1("not", cond);
      } else {
        return null;
      }
    }
    List<Value> in = new ArrayList<>(List.of(m.value("q"), keys(m.value("kt"), b), m.value("v")));
    if (mask != null) in.add(mask);
    return b.op("attention", in, attrs, List.of("attention")).getFirst();
  }

  /**
   * k [B, H, L, D] from kT [B, H, D, L]: when kT is a transpose read only by the scores matmul,
   * one transpose of its source with the composed permutation (none when that is the identity);
   * otherwise a transpose of kT.
   */
  private static Value keys(Value kt, GraphBuilder b) {
    long[] swap = {0, 1, 3, 2};
    Node t = kt.producer();
    if (t != null && t.opName().equals("transpose") && t.attribute("perm") != null && kt.uses().size() == 1) {
      long[] p = t.attrs().getInts("perm");
      long[] composed = new long[4];
      for (int i = 0; i < 4; i++) composed[i] = p[(int) swap[i]];   // k[i] = kT[swap[i]] = src[p[swap[i]]]
      boolean identity = true;
      for (int i = 0; i < 4; i++) identity &= composed[i] == i;
      return identity ? t.input(0) : b.op1("transpose", Map.of("perm", Attribute.of(composed)), t.input(0));
    }
    return b.op1("transpose", Map.of("perm", Attribute.of(swap)), kt);
  }

  /**
   * The causal offset when {@code c} is a causal mask over static [S, L] (leading dims 1): bool,
   * true exactly where j > i + off; additive, 0 where j <= i + off and at most {@link #HIDDEN}
   * elsewhere. Only off >= 0, so no query row is fully hidden. -1 when it is not one.
   */
  static long causalOffset(Tensor c, Dim s, Dim l, boolean bool) {
    if (c == null || !s.isStatic() || !l.isStatic()) return -1;
    long[] sh = c.shape();
    if (sh.length < 2 || sh[sh.length - 2] != s.size() || sh[sh.length - 1] != l.size()) return -1;
    for (int i = 0; i < sh.length - 2; i++) if (sh[i] != 1) return -1;
    long rows = s.size(), cols = l.size();
    long visible = 0;
    while (visible < cols && !hidden(c, visible, bool)) visible++;
    long off = visible - 1;
    if (off < 0) return -1;
    for (long i = 0; i < rows; i++) {
      for (long j = 0; j < cols; j++) {
        long at = i * cols + j;
        boolean h = hidden(c, at, bool);
        if (h != (j > i + off)) return -1;
        if (!bool && !h && c.getDouble(at) != 0) return -1;
      }
    }
    return off;
  }

  private static boolean hidden(Tensor c, long at, boolean bool) {
    return bool ? c.getBool(at) : c.getDouble(at) <= HIDDEN;
  }

  private static Tensor not(Tensor c) {
    Tensor out = Tensor.zeros(DType.BOOL, c.shape());
    for (long i = 0; i < c.size(); i++) out.setBool(i, !c.getBool(i));
    return out;
  }
}
