package dev.weft.passes.simplify;

import dev.weft.ir.Graph;
import dev.weft.ir.Module;
import dev.weft.ir.Node;
import dev.weft.ir.Value;
import dev.weft.passes.Pass;
import dev.weft.passes.PassContext;
import dev.weft.passes.Rewrite;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Applies {@link CanonicalRules} until none matches (at most {@value #MAX_ROUNDS} sweeps):
 * each sweep visits every node in schedule order, subgraphs included, and replaces it by what
 * the first matching rule returns. A replaced node, and any operand producer that became dead
 * with it, is removed at once, so later rules see the simplified graph.
 */
public final class Canonicalize implements Pass {
  static final int MAX_ROUNDS = 32;

  private final Map<String, List<Rule>> byOp = new HashMap<>();

  public Canonicalize() { this(CanonicalRules.RULES); }

  public Canonicalize(List<Rule> rules) {
    for (Rule r : rules) for (String op : r.ops()) byOp.computeIfAbsent(op, k -> new ArrayList<>()).add(r);
  }

  @Override
  public String name() { return "canonicalize"; }

  @Override
  public boolean run(Module module, PassContext ctx) {
    boolean any = false;
    for (int round = 0; round < MAX_ROUNDS; round++) {
      int applied = 0;
      for (Graph g : Rewrite.allGraphs(module.main())) {
        for (Node n : new ArrayList<>(g.nodes())) {
          if (n.graph() != null && apply(n, ctx)) applied++;
        }
      }
      if (applied == 0) break;
      any = true;
    }
    return any;
  }

  private boolean apply(Node n, PassContext ctx) {
    List<Rule> rules = byOp.get(n.opName());
    if (rules == null || n.outputCount() != 1) return false;
    for (Rule r : rules) {
      Value with = r.rewrite().apply(n, ctx);
      if (with == null) continue;
      if (!Rewrite.replace(n.output(0), with)) {
        if (with.producer() != null) Rewrite.eraseIfDead(with.producer());   // a node the rule built for nothing
        continue;
      }
      ctx.count(r.name());
      List<Value> operands = new ArrayList<>(n.inputs());
      Rewrite.eraseIfDead(n);
      for (Value v : operands) {
        if (v != null && v.producer() != null && !v.producer().opName().equals("constant")) Rewrite.eraseIfDead(v.producer());
      }
      return true;
    }
    return false;
  }
}
