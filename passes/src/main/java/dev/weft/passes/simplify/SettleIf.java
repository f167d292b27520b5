package dev.weft.passes.simplify;

import dev.weft.ir.Graph;
import dev.weft.ir.Node;
import dev.weft.ir.TensorType;
import dev.weft.ir.Type;
import dev.weft.ir.Value;
import dev.weft.passes.PassContext;
import dev.weft.passes.Rewrite;
import java.util.List;
import java.util.Set;

/**
 * An {@code if} with one branch typed static at the bound shapes and the other not gets the
 * static branch's result types. Exporters write branches for input cases that cannot all hold
 * at one shape: silero-vad's 8 kHz branch hands its LSTM a rank-5 x at the 16 kHz chunk size,
 * so it does not type there, and inference merges the two into an unranked result that makes
 * everything downstream dynamic. At run time that branch could only fail (ONNX Runtime fails
 * there too), so the if's results are what the other branch computes; the compiler
 * (ProgramLowering) then compiles the untyped branch as a {@code fail} step that reports the
 * node at run time. The refinement lives here, in fold-shapes, rather than in the lowering,
 * because the if's consumers need the static types too: the next fold-shapes round re-infers
 * them. Only result types are set; the branches are left as they are, and no other pass
 * loses the refinement (the type refiner never replaces a ranked type by an unranked one).
 */
final class SettleIf {
  private SettleIf() {}

  /** Settles every such if in {@code main} and its subgraphs; returns how many. */
  static int run(Graph main, PassContext ctx, Set<Value> changed) {
    int settled = 0;
    for (Graph g : Rewrite.allGraphs(main)) {
      for (Node n : g.nodes()) {
        if (!n.opName().equals("if") || allStatic(n.outputs())) continue;
        List<Value> then = n.attrs().getGraph("then_branch").outputs();
        List<Value> otherwise = n.attrs().getGraph("else_branch").outputs();
        boolean thenStatic = allStatic(then);
        boolean elseStatic = allStatic(otherwise);
        if (thenStatic == elseStatic) continue;   // both typed (they disagree) or neither: nothing to choose
        List<Value> good = thenStatic ? then : otherwise;
        if (!compatible(n.outputs(), good)) continue;
        for (int i = 0; i < good.size(); i++) {
          n.output(i).setType(good.get(i).type());
          changed.add(n.output(i));
        }
        settled++;
      }
    }
    ctx.count("ifs-settled-on-one-branch", settled);
    return settled;
  }

  /** Whether every value is a tensor of static shape. */
  static boolean allStatic(List<Value> values) {
    for (Value v : values) if (!(v.type() instanceof TensorType t) || !t.shape().isStatic()) return false;
    return true;
  }

  /** Whether {@code good}'s types refine the if's recorded result types (same count and dtypes, no rank clash). */
  private static boolean compatible(List<Value> results, List<Value> good) {
    if (results.size() != good.size()) return false;
    for (int i = 0; i < good.size(); i++) {
      Type r = results.get(i).type();
      TensorType g = (TensorType) good.get(i).type();
      if (!(r instanceof TensorType rt) || rt.dtype() != g.dtype()) return false;
      if (rt.shape().isRanked() && rt.shape().rank() != g.shape().rank()) return false;
      for (int d = 0; rt.shape().isRanked() && d < rt.shape().rank(); d++) {
        if (rt.shape().dim(d).isStatic() && rt.shape().dim(d).size() != g.shape().dim(d).size()) return false;
      }
    }
    return true;
  }
}
