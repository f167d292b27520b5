package dev.weft.passes.simplify;

import dev.weft.bundle.Tensor;
import dev.weft.ir.Graph;
import dev.weft.ir.Node;
import dev.weft.ir.Value;
import dev.weft.passes.PassContext;
import dev.weft.passes.Rewrite;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * An {@code if} whose condition is a constant is replaced by its taken branch: the branch's
 * nodes move into the enclosing graph just before the {@code if} (a branch reads only values
 * visible there) and the {@code if}'s results become the branch's results. Exporters guard
 * shape cases with ifs (silero-vad checks a rank with Size/Equal); once shapes are bound and
 * folded, the conditions are constants and the branches ordinary code. Part of fold-shapes,
 * whose next round then types and folds what the branch computes.
 */
final class FoldIf {
  private FoldIf() {}

  /** Inlines every {@code if} with a constant condition, outermost first; returns how many. */
  static int run(Graph main, PassContext ctx, Set<Value> changed) {
    int inlined = 0;
    // Graphs are walked afresh after each inline: it empties one branch and disposes the other.
    for (Node n = next(main); n != null; n = next(main)) {
      boolean taken = Rewrite.constant(n.input(0)).getBool(0);
      inline(n, n.attrs().getGraph(taken ? "then_branch" : "else_branch"), ctx, changed);
      inlined++;
    }
    return inlined;
  }

  private static Node next(Graph main) {
    for (Graph g : Rewrite.allGraphs(main)) {
      for (Node n : g.nodes()) {
        if (!n.opName().equals("if")) continue;
        Tensor cond = Rewrite.constant(n.input(0));
        if (cond != null && cond.size() == 1) return n;
      }
    }
    return null;
  }

  private static void inline(Node n, Graph branch, PassContext ctx, Set<Value> changed) {
    Graph g = n.graph();
    List<Value> results = new ArrayList<>(branch.outputs());
    branch.clearOutputs();
    List<Node> moved = new ArrayList<>(branch.nodes());
    for (Node m : moved) {
      for (Value v : m.outputs()) {
        String name = g.claim(v.name());   // branch names are unique only within the branch
        if (!name.equals(v.name())) v.setName(name);
      }
      g.moveIn(m);
    }
    Set<Node> movedSet = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
    movedSet.addAll(moved);
    List<Node> order = new ArrayList<>();
    for (Node m : g.nodes()) {
      if (m == n) order.addAll(moved);
      if (!movedSet.contains(m)) order.add(m);
    }
    g.reorder(order);
    for (int i = 0; i < n.outputCount(); i++) {
      Value old = n.output(i), with = results.get(i);
      if (!Rewrite.canReplace(old, with)) with = Rewrite.before(n, ctx).op1("identity", with);
      if (!Rewrite.replace(old, with)) throw new IllegalStateException("cannot replace result " + i + " of if node " + old.name());
      changed.add(with);
    }
    g.remove(n);
    ctx.count("if-inlined");
  }
}
