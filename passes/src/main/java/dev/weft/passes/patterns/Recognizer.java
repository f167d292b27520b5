package dev.weft.passes.patterns;

import dev.weft.ir.Graph;
import dev.weft.ir.Module;
import dev.weft.ir.Node;
import dev.weft.ir.Use;
import dev.weft.ir.Value;
import dev.weft.passes.Pass;
import dev.weft.passes.PassContext;
import dev.weft.passes.Rewrite;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A pass that raises decomposed forms into composites, one {@link Pattern} list per pass. It
 * visits every graph's nodes from last to first, so the largest form is seen at its root before
 * a part of it could match on its own (layer_norm's {@code + beta} before its {@code div}). A
 * match is taken only when
 * <ul>
 *   <li>every node it consumes other than the root is used only inside the match (a shared
 *       intermediate, such as an {@code exp} read elsewhere, would have to stay anyway),
 *   <li>the builder accepts it (axes, ranks, dims), and
 *   <li>the composite's result type is exactly the root's.
 * </ul>
 * The composite takes the root's location; the consumed nodes are removed, and so are operand
 * producers left dead (a transpose the composite folded in).
 */
public final class Recognizer implements Pass {
  private final String name;
  private final Map<String, List<Pattern>> byRootOp = new HashMap<>();

  public Recognizer(String name, List<Pattern> patterns) {
    this.name = name;
    for (Pattern p : patterns) {
      Set<String> ops = Pat.rootOps(p.pat());
      if (ops.isEmpty()) throw new IllegalArgumentException("pattern " + p.name() + " has no root op");
      for (String op : ops) byRootOp.computeIfAbsent(op, k -> new ArrayList<>()).add(p);
    }
  }

  @Override
  public String name() { return name; }

  @Override
  public boolean run(Module module, PassContext ctx) {
    boolean any = false;
    for (Graph g : Rewrite.allGraphs(module.main())) {
      List<Node> nodes = new ArrayList<>(g.nodes());
      for (int i = nodes.size() - 1; i >= 0; i--) {
        Node n = nodes.get(i);
        if (n.graph() != null && apply(n, ctx)) any = true;
      }
    }
    return any;
  }

  private boolean apply(Node root, PassContext ctx) {
    List<Pattern> candidates = byRootOp.get(root.opName());
    if (candidates == null || root.outputCount() != 1) return false;
    for (Pattern p : candidates) {
      for (Match m : Pat.match(p.pat(), root.output(0), Match.empty())) {
        if (!selfContained(m, root)) continue;
        Value with = p.builder().build(m, root, Rewrite.before(root, ctx));
        if (with == null) continue;
        if (!with.type().equals(root.output(0).type()) || !Rewrite.replace(root.output(0), with)) {
          discard(with);
          continue;
        }
        ctx.count(p.name());
        List<Node> dead = new ArrayList<>(m.interior());
        for (Value v : m.values().values()) if (v.producer() != null && !v.producer().opName().equals("constant")) dead.add(v.producer());
        dead.add(root);
        eraseDeadFrom(dead);
        return true;
      }
    }
    return false;
  }

  /** Removes what a builder built for a match that was not taken: the composite and the new nodes feeding it. */
  private static void discard(Value built) {
    Node n = built.producer();
    if (n == null) return;
    List<Node> made = new ArrayList<>();
    made.add(n);
    for (Value in : n.inputs()) if (in != null && in.producer() != null && in.uses().size() == 1) made.add(in.producer());
    eraseDeadFrom(made);
  }

  /** Every consumed node except the root is read only by consumed nodes (and is no graph output). */
  static boolean selfContained(Match m, Node root) {
    Set<Node> interior = m.interior();
    for (Node n : interior) {
      if (n == root) continue;
      for (Value out : n.outputs()) {
        for (Use u : out.uses()) {
          if (u.isGraphOutput() || !interior.contains(u.user())) return false;
        }
      }
    }
    return true;
  }

  /** Removes the dead nodes among {@code nodes} until none is left to remove (users before producers). */
  static void eraseDeadFrom(List<Node> nodes) {
    boolean progress = true;
    while (progress) {
      progress = false;
      for (Node n : nodes) if (n.graph() != null && Rewrite.eraseIfDead(n)) progress = true;
    }
  }
}
