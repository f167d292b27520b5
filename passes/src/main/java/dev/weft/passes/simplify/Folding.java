package dev.weft.passes.simplify;

import dev.weft.bundle.Tensor;
import dev.weft.ir.Constants;
import dev.weft.ir.Graph;
import dev.weft.ir.Node;
import dev.weft.ir.TensorType;
import dev.weft.ir.Value;
import dev.weft.ir.interp.Interpreter;
import dev.weft.passes.PassContext;
import dev.weft.passes.Rewrite;
import java.util.ArrayList;
import java.util.List;

/** Runs one node on constant operands with the interpreter's kernel and puts constants in its place. */
final class Folding {
  private Folding() {}

  /** Whether {@code n} may be folded at all: pure, no subgraphs, tensor results, every operand a constant. */
  static boolean foldable(Node n) {
    if (n.opName().equals(Constants.OP) || Rewrite.isRandom(n) || Rewrite.hasSideEffects(n)) return false;
    if (n.holdsSubgraphs() || n.outputCount() == 0) return false;
    if (n.op().kernel() == null && n.op().decomposition() == null) return false;
    // Indexed loops: asked of every node by constant-fold and fold-shapes.
    for (int i = 0; i < n.inputCount(); i++) if (n.input(i) != null && Constants.valueOf(n.input(i)) == null) return false;
    for (int i = 0; i < n.outputCount(); i++) if (!(n.output(i).type() instanceof TensorType)) return false;
    return true;
  }

  /** Declared result bytes when every result is static, else -1. */
  static long declaredBytes(Node n) {
    long total = 0;
    for (Value v : n.outputs()) {
      TensorType t = (TensorType) v.type();
      if (!t.shape().isStatic()) return -1;
      try {
        total = Math.addExact(total, Math.multiplyExact(t.shape().elementCount(), Math.max(1, t.dtype().byteSize())));
      } catch (ArithmeticException e) {
        return Long.MAX_VALUE;
      }
    }
    return total;
  }

  /** The node's results computed by the interpreter on its constant operands. */
  static List<Tensor> evaluate(Node n) {
    Graph g = new Graph("fold");
    Node clone = g.append(n.op(), n.location());
    List<Object> args = new ArrayList<>();
    for (int i = 0; i < n.inputCount(); i++) {
      Value v = n.input(i);
      if (v == null) {
        clone.addInput(null);
        continue;
      }
      clone.addInput(g.addInput("in" + i, v.type()));
      args.add(Constants.valueOf(v));
    }
    clone.setAttributes(n.attributes());
    for (Value v : n.outputs()) g.addOutput(clone.addOutput(g.claim(v.name()), v.type()));
    List<Tensor> out = new ArrayList<>();
    for (Object o : new Interpreter().run(g, args)) out.add((Tensor) o);
    return out;
  }

  /**
   * Replaces {@code n}'s results by constants holding {@code values} and removes it; false
   * (the graph unchanged) when a result may not be replaced (a model output that must keep its name).
   */
  static boolean replaceWithConstants(Node n, List<Tensor> values, PassContext ctx) {
    return replaceWithConstants(n, values, ctx, null);
  }

  /** As above; the constants made are added to {@code made} (when not null and the fold happened). */
  static boolean replaceWithConstants(Node n, List<Tensor> values, PassContext ctx, java.util.Set<Value> madeOut) {
    List<Value> made = new ArrayList<>();
    for (int i = 0; i < values.size(); i++) {
      made.add(Rewrite.before(n, ctx).constant(values.get(i), n.output(i).name()));
    }
    boolean ok = true;
    for (int i = 0; i < values.size(); i++) ok &= Rewrite.canReplace(n.output(i), made.get(i));
    if (!ok) {
      for (Value v : made) v.producer().graph().remove(v.producer());
      return false;
    }
    List<String> names = new ArrayList<>();
    for (Value v : n.outputs()) names.add(v.name());
    for (int i = 0; i < values.size(); i++) Rewrite.replace(n.output(i), made.get(i));
    // The constant takes the name of the value it replaces, so printed IR still reads like the source.
    if (Rewrite.eraseIfDead(n)) for (int i = 0; i < names.size(); i++) made.get(i).setName(names.get(i));
    if (madeOut != null) madeOut.addAll(made);
    return true;
  }
}
