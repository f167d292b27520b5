package dev.weft.passes.simplify;

import dev.weft.ir.Attribute;
import dev.weft.ir.Graph;
import dev.weft.ir.Module;
import dev.weft.ir.Node;
import dev.weft.ir.TensorType;
import dev.weft.ir.Use;
import dev.weft.ir.Value;
import dev.weft.passes.Pass;
import dev.weft.passes.PassContext;
import dev.weft.passes.Rewrite;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code fold-matmul-transpose}: transposes of the last two dims around a float matmul become
 * its {@code transpose_a} / {@code transpose_b} flags, so the product reads the operand in place
 * (BLAS transA/transB; a kernel indexes the other way) instead of a transposed copy:
 * <ul>
 *   <li>{@code matmul(transpose(a, [..., -1, -2]), b) -> matmul(a, b) {transpose_a = 1}}
 *       (and likewise for b; a flag already set is cleared, a double transpose);
 *   <li>{@code transpose(matmul(a, b), [..., -1, -2]) -> matmul(b, a) {transpose_a = 1,
 *       transpose_b = 1}}, as (AB)^T = B^T A^T per batch, when the transpose is the product's
 *       only reader.
 * </ul>
 * Only float matmuls without zero points (the quantized integer path keeps its layout), only
 * operands of rank >= 2 (a vector operand is promoted, not transposed), and only a permutation
 * that swaps exactly the last two dims: any other transpose would still need a copy.
 *
 * <p>Runs after recognize-attention, whose pattern reads the scores' {@code matmul(q,
 * transpose(k))} with an explicit transpose (it folds that one into the composite itself),
 * and before cse/dce, which drop the transposes left dead.
 */
public final class FoldMatmulTranspose implements Pass {
  static final String[] FLAGS = {"transpose_a", "transpose_b"};

  @Override
  public String name() { return "fold-matmul-transpose"; }

  @Override
  public boolean run(Module module, PassContext ctx) {
    int folded = 0;
    for (Graph g : Rewrite.allGraphs(module.main())) {
      for (Node n : new ArrayList<>(g.nodes())) {
        if (n.graph() == null) continue;
        if (n.opName().equals("transpose")) {
          Node made = foldResult(n, ctx);
          if (made != null) {
            folded++;
            ctx.count("result");
            n = made;
          }
        }
        if (n.opName().equals("matmul")) folded += foldOperands(n, ctx);
      }
    }
    return folded > 0;
  }

  /** Folds operand transposes into {@code m}'s flags; returns how many. */
  private static int foldOperands(Node m, PassContext ctx) {
    if (!plainFloat(m)) return 0;
    int folded = 0;
    for (int i = 0; i < 2; i++) {
      Value v = m.input(i);
      Node t = v.producer();
      if (t == null || !t.opName().equals("transpose") || !swapsLastTwo(t)) continue;
      m.setInput(i, t.input(0));
      flip(m, FLAGS[i]);
      if (t.graph() != null) Rewrite.eraseIfDead(t);
      ctx.count("operand");
      folded++;
    }
    return folded;
  }

  /** {@code transpose(matmul(a, b))} of the last two dims, read only there, becomes {@code matmul(b, a)} with both flags flipped. */
  private static Node foldResult(Node t, PassContext ctx) {
    if (!swapsLastTwo(t)) return null;
    Value product = t.input(0);
    Node m = product.producer();
    if (m == null || !m.opName().equals("matmul") || !plainFloat(m) || m.graph() != t.graph()) return null;
    if (product.uses().size() != 1) return null;
    for (Use u : product.uses()) if (u.isGraphOutput()) return null;
    Map<String, Attribute> attrs = new HashMap<>(m.attributes());
    // (A'B')^T = B'^T A'^T, where A' is a as the product reads it (its flag applied).
    attrs.put("transpose_a", Attribute.of(1 - m.attrs().getIntOr("transpose_b", 0)));
    attrs.put("transpose_b", Attribute.of(1 - m.attrs().getIntOr("transpose_a", 0)));
    dropUnset(attrs);
    Value swapped = Rewrite.before(t, ctx).op1("matmul", attrs, m.input(1), m.input(0));
    String name = t.output(0).name();   // before replace, which renames a model output it moves
    if (!swapped.type().equals(t.output(0).type()) || !Rewrite.replace(t.output(0), swapped)) {
      swapped.producer().graph().remove(swapped.producer());
      return null;
    }
    Rewrite.eraseIfDead(t);
    Rewrite.eraseIfDead(m);
    if (t.graph() == null && !swapped.name().equals(name)) swapped.setName(name);
    return swapped.producer();
  }

  /** A float matmul on two operands of rank >= 2, no zero points. */
  private static boolean plainFloat(Node m) {
    if (m.inputCount() > 2 && (m.input(2) != null || m.input(3) != null)) return false;
    for (int i = 0; i < 2; i++) {
      if (!(m.input(i).type() instanceof TensorType t) || !t.dtype().isFloat() || !t.shape().isRanked() || t.rank() < 2) return false;
    }
    return true;
  }

  /** A transpose of rank >= 2 whose permutation swaps the last two dims and keeps the others. */
  static boolean swapsLastTwo(Node t) {
    if (!(t.input(0).type() instanceof TensorType x) || !x.shape().isRanked() || x.rank() < 2) return false;
    int r = x.rank();
    long[] p = t.attrs().getIntsOr("perm", null);
    if (p == null) return r == 2;   // the default reverses the dims: for rank 2, the swap
    if (p.length != r) return false;
    for (int i = 0; i < r - 2; i++) if (p[i] != i) return false;
    return p[r - 2] == r - 1 && p[r - 1] == r - 2;
  }

  private static void flip(Node m, String flag) {
    long now = 1 - m.attrs().getIntOr(flag, 0);
    if (now == 0) m.removeAttribute(flag);
    else m.setAttribute(flag, Attribute.of(now));
  }

  /** Flags at 0 are left out, so an unflagged matmul prints as it always did. */
  private static void dropUnset(Map<String, Attribute> attrs) {
    for (String f : FLAGS) if (attrs.get(f) instanceof Attribute.Int i && i.value() == 0) attrs.remove(f);
  }
}
