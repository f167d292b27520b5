package dev.weft.passes;

import dev.weft.bundle.DType;
import dev.weft.bundle.Tensor;
import dev.weft.ir.Constants;
import dev.weft.ir.Graph;
import dev.weft.ir.GraphBuilder;
import dev.weft.ir.Node;
import dev.weft.ir.Use;
import dev.weft.ir.Value;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/** Small helpers every rewriting pass shares: graph walks, replacement that keeps model output names, purity. */
public final class Rewrite {
  private Rewrite() {}

  /**
   * Ops whose result is not a function of their operands and attributes alone: never folded,
   * merged or duplicated (a seed attribute makes them repeatable, but not equal to each other).
   */
  public static final Set<String> RANDOM_OPS = Set.of("random_uniform", "random_normal", "bernoulli", "multinomial");

  /** Ops with effects beyond their results; removing or merging them changes behaviour. None exist yet. */
  public static final Set<String> SIDE_EFFECT_OPS = Set.of();

  public static boolean isRandom(Node n) { return RANDOM_OPS.contains(n.opName()); }

  public static boolean hasSideEffects(Node n) { return SIDE_EFFECT_OPS.contains(n.opName()); }

  /** The main graph and every graph nested in it, each before the graphs it holds. */
  public static List<Graph> allGraphs(Graph main) {
    List<Graph> out = new ArrayList<>();
    ArrayDeque<Graph> work = new ArrayDeque<>();
    work.push(main);
    while (!work.isEmpty()) {
      Graph g = work.pop();
      out.add(g);
      if (!g.hasSubgraphs()) continue;
      List<Graph> subs = new ArrayList<>();
      for (Node n : g.nodes()) subs.addAll(n.subgraphs());
      for (int i = subs.size() - 1; i >= 0; i--) work.push(subs.get(i));
    }
    return out;
  }

  /**
   * Whether every use of {@code old} may read {@code with} instead. The main graph's outputs
   * are the model's interface: their names must survive, so such an output may only move to
   * a value defined by a node of the main graph that is not an output already (it takes the
   * name); a graph input or a second output would rename or alias it. Subgraph outputs are
   * positional and take anything visible.
   */
  public static boolean canReplace(Value old, Value with) {
    if (old == with) return false;
    if (!old.type().getClass().equals(with.type().getClass())) return false;
    Graph main = null;
    for (Use u : old.uses()) {
      if (u.isGraphOutput() && u.outputOf().parent() == null) main = u.outputOf();
    }
    if (main == null) return true;
    if (with.producer() == null || with.producer().graph() != main) return false;
    for (Use u : with.uses()) if (u.isGraphOutput()) return false;
    return true;
  }

  /** Redirects every use of {@code old} to {@code with}; false (nothing done) when {@link #canReplace} says no. */
  public static boolean replace(Value old, Value with) {
    if (!canReplace(old, with)) return false;
    boolean mainOutput = false;
    for (Use u : old.uses()) if (u.isGraphOutput() && u.outputOf().parent() == null) mainOutput = true;
    old.replaceAllUsesWith(with);
    if (mainOutput) {
      String name = old.name();
      old.setName(name + ".replaced");
      with.setName(name);
    }
    return true;
  }

  /** Removes {@code n} when none of its results is used and it has no effects; true when removed. */
  public static boolean eraseIfDead(Node n) {
    if (n.graph() == null || hasSideEffects(n)) return false;
    for (Value v : n.outputs()) if (v.hasUses()) return false;
    n.graph().remove(n);
    return true;
  }

  /** The constant tensor behind {@code v}, or null. */
  public static Tensor constant(Value v) { return v == null ? null : Constants.valueOf(v); }

  /** True when {@code v} is a constant whose every element equals {@code x} (a splat); empty tensors are not. */
  public static boolean isSplat(Value v, double x) {
    Tensor t = constant(v);
    if (t == null || t.size() == 0 || t.size() > 1 << 20) return false;
    DType d = t.dtype();
    if (d == DType.STRING || d.kind() == DType.Kind.COMPLEX) return false;
    for (long i = 0; i < t.size(); i++) if (t.getDouble(i) != x) return false;
    return true;
  }

  /** A builder that inserts just before {@code anchor}, stamped with its location. */
  public static GraphBuilder before(Node anchor, PassContext ctx) {
    return new GraphBuilder(anchor.graph(), ctx.registry()).insertBefore(anchor).at(anchor.location());
  }
}
