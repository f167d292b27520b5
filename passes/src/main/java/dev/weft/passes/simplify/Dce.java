package dev.weft.passes.simplify;

import dev.weft.ir.Graph;
import dev.weft.ir.Module;
import dev.weft.ir.Node;
import dev.weft.passes.Pass;
import dev.weft.passes.PassContext;
import dev.weft.passes.Rewrite;
import java.util.ArrayList;
import java.util.List;

/**
 * Dead code elimination: removes every node none of whose results is used (unused constants
 * included), in subgraphs too, keeping graph outputs and ops with side effects. One sweep
 * suffices: the schedule is walked backwards, so a node's users are gone before it is
 * looked at, and a live node's subgraphs are swept before the values they capture.
 */
public final class Dce implements Pass {
  @Override
  public String name() { return "dce"; }

  @Override
  public boolean run(Module module, PassContext ctx) {
    int removed = sweep(module.main());
    ctx.count("removed", removed);
    return removed > 0;
  }

  private static int sweep(Graph g) {
    int removed = 0;
    // A copy: reading the live schedule by index after each removal rebuilt its snapshot,
    // O(nodes) per removed node.
    List<Node> nodes = new ArrayList<>(g.nodes());
    for (int i = nodes.size() - 1; i >= 0; i--) {
      Node n = nodes.get(i);
      if (Rewrite.eraseIfDead(n)) {
        removed++;
      } else {
        for (Graph sub : n.subgraphs()) removed += sweep(sub);
      }
    }
    return removed;
  }
}
