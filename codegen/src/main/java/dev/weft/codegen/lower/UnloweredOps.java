package dev.weft.codegen.lower;

import dev.weft.ir.Node;
import dev.weft.ir.TensorType;
import dev.weft.ir.Use;
import dev.weft.ir.Value;
import java.util.Set;

/** Why an op with no kernel rule reached lowering, where there is more to say than that. */
final class UnloweredOps {
  private UnloweredOps() {}

  /** lstm, gru and rnn only lower once the unroll-recurrent pass has written out their steps. */
  static final Set<String> RECURRENT = Set.of("lstm", "gru", "rnn");

  /**
   * The recurrent node behind a dynamic shape found at {@code v} ({@code n}, or for a group input a
   * node reading it), so the error names the actual cause rather than the first dynamic buffer.
   */
  static Node recurrentReader(Value v, Node n) {
    if (n != null) return RECURRENT.contains(n.opName()) ? n : null;
    for (Use u : v.uses()) if (u.user() != null && RECURRENT.contains(u.user().opName())) return u.user();
    return null;
  }

  static String message(Node n) {
    String m = "no kernel lowering for op '" + n.opName() + "'";
    if (!RECURRENT.contains(n.opName())) return m;
    int axis = n.attrs().getIntOr("layout", 0) == 1 ? 1 : 0;
    String seq = n.input(0).type() instanceof TensorType t && t.shape().isRanked() && t.rank() == 3
        ? "'" + t.shape().dim(axis) + "'" : "unknown (x is " + n.input(0).type() + ")";
    return m + ": a kernel keeps no state across time steps, so the unroll-recurrent pass writes the steps out as ops, "
        + "which needs a static sequence length; here it is " + seq + " (dim " + axis + " of x %" + n.input(0).name()
        + "); bind it with a static shape profile (weft compile --shapes)";
  }
}
