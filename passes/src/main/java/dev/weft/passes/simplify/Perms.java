package dev.weft.passes.simplify;

import dev.weft.bundle.Tensor;
import dev.weft.ir.Attribute;
import dev.weft.ir.Graph;
import dev.weft.ir.GraphBuilder;
import dev.weft.ir.OpRegistry;
import dev.weft.ir.TensorType;
import dev.weft.ir.Value;
import dev.weft.ir.interp.Interpreter;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Permutation arithmetic for {@link NormalizeLayout}. Convention (ONNX Transpose):
 * {@code transpose(x, p)} has dim {@code i} = x's dim {@code p[i]}.
 */
final class Perms {
  private Perms() {}

  /** {@code transpose(transpose(x, p), q) == transpose(x, compose(p, q))}: out[i] = p[q[i]]. */
  static long[] compose(long[] p, long[] q) {
    long[] r = new long[q.length];
    for (int i = 0; i < q.length; i++) r[i] = p[(int) q[i]];
    return r;
  }

  /** {@code transpose(transpose(x, p), inverse(p)) == x}. */
  static long[] inverse(long[] p) {
    long[] r = new long[p.length];
    for (int i = 0; i < p.length; i++) r[(int) p[i]] = i;
    return r;
  }

  static boolean isIdentity(long[] p) { return CanonicalRules.isIdentity(p) || p.length == 0; }

  /** A valid permutation of {@code 0..rank-1}. */
  static boolean valid(long[] p, int rank) {
    if (p == null || p.length != rank) return false;
    boolean[] seen = new boolean[rank];
    for (long a : p) {
      if (a < 0 || a >= rank || seen[(int) a]) return false;
      seen[(int) a] = true;
    }
    return true;
  }

  /**
   * With {@code v = transpose(w, p)}, removing the v-axes {@code reduced} from v (a reduction
   * without keepdims) leaves {@code transpose(w', p')} where w' is w without the axes
   * {@code p[reduced]}. Returns p'.
   */
  static long[] dropAxes(long[] p, boolean[] reduced) {
    int r = p.length;
    boolean[] wReduced = new boolean[r];
    for (int i = 0; i < r; i++) if (reduced[i]) wReduced[(int) p[i]] = true;
    int[] newIndex = new int[r];   // w-axis -> its index among the kept w-axes
    int k = 0;
    for (int a = 0; a < r; a++) newIndex[a] = wReduced[a] ? -1 : k++;
    long[] out = new long[k];
    int j = 0;
    for (int i = 0; i < r; i++) if (!reduced[i]) out[j++] = newIndex[(int) p[i]];
    return out;
  }

  /**
   * The constant {@code c'} with {@code transpose(c', p) == c} once c is broadcast to rank
   * {@code p.length} (leading 1s, as numpy aligns trailing dims): the operand to use when the
   * consumer is rebuilt in the untransposed layout.
   */
  static Tensor untranspose(Tensor c, long[] p) {
    int r = p.length;
    long[] shape = new long[r];
    Arrays.fill(shape, 1L);
    long[] s = c.shape();
    System.arraycopy(s, 0, shape, r - s.length, s.length);
    return transpose(c.reshape(shape), inverse(p));
  }

  /** {@code transpose(c, p)} computed by the interpreter's kernel (every dtype, strings included). */
  static Tensor transpose(Tensor c, long[] p) {
    Graph g = new Graph("permute");
    Value x = g.addInput("x", new TensorType(c.dtype(), dev.weft.ir.Shape.of(c.shape())));
    g.addOutput(new GraphBuilder(g, OpRegistry.global()).op1("transpose", Map.of("perm", Attribute.of(p)), x));
    return (Tensor) new Interpreter().run(g, List.of(c)).get(0);
  }
}
