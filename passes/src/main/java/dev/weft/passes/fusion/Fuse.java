package dev.weft.passes.fusion;

import dev.weft.bundle.Tensor;
import dev.weft.ir.Attribute;
import dev.weft.ir.Constants;
import dev.weft.ir.Graph;
import dev.weft.ir.Module;
import dev.weft.ir.Node;
import dev.weft.ir.OpDef;
import dev.weft.ir.TopologicalSort;
import dev.weft.ir.Use;
import dev.weft.ir.Value;
import dev.weft.ir.ops.FusedOp;
import dev.weft.passes.Pass;
import dev.weft.passes.PassContext;
import dev.weft.passes.PassOptions;
import dev.weft.passes.Rewrite;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code fuse}: groups the nodes of the main graph, and of every {@code if} branch and
 * {@code loop} body in it, into {@code fused} kernels ({@link Planner} decides,
 * this class rewrites). Each group of two or more nodes becomes one {@code fused} node whose
 * body holds copies of the members; its operands are the values the members read from
 * outside (scalar constants are copied in instead), its results the members' results read
 * outside. The decisions, with bytes saved and every refused merge, go to the context as a
 * {@link FusionReport} ({@code weft optimize --explain-fusion} prints it).
 *
 * <p>Runs last in the graph pipeline: after simplification (so folded shapes and constants do
 * not split groups) and, in {@code weft compile}, after partitioning, once per rank.
 */
public final class Fuse implements Pass {
  public static final String NAME = "fuse";
  public static final long DEFAULT_DUP_MAX_BYTES = 4096;
  public static final int DEFAULT_MAX_GROUP_SIZE = 256;
  public static final long DEFAULT_SYMBOL_SIZE = 64;
  /** Constants with at most this many elements are copied into a body rather than passed in. */
  static final long INLINE_CONSTANT_ELEMENTS = 1;

  private final long dupMaxBytes;
  private final int maxGroupSize;
  private final long symbolSize;

  public Fuse(PassOptions o) {
    this.dupMaxBytes = o.getLong("dup-max-bytes", DEFAULT_DUP_MAX_BYTES);
    this.maxGroupSize = (int) o.getLong("max-group-size", DEFAULT_MAX_GROUP_SIZE);
    this.symbolSize = o.getLong("symbol-size", DEFAULT_SYMBOL_SIZE);
  }

  @Override
  public String name() { return NAME; }

  @Override
  public boolean run(Module module, PassContext ctx) {
    Sizes sizes = new Sizes(symbolSize);
    FusionReport report = new FusionReport(symbolSize, dupMaxBytes);
    Totals totals = new Totals();
    // Targets are taken up front: fusing one graph only moves its own nodes into new bodies
    // (members never hold subgraphs), so the other targets stay as listed.
    for (Graph g : targets(module.main())) fuseGraph(g, sizes, report, totals, ctx);
    ctx.count("groups", totals.groups);
    ctx.count("fused-nodes", totals.fusedNodes);
    ctx.putResult(NAME, report);
    return totals.groups > 0;
  }

  /** Group numbering and counts shared by every graph of one run, so ids stay unique in the module. */
  private static final class Totals {
    int groups;
    int fusedNodes;
  }

  /**
   * The graphs whose nodes become kernels: the main graph and, recursively, the branches of
   * {@code if} and bodies of {@code loop} (each lowered into its own step list, where every
   * node is otherwise a kernel of its own). Not the bodies of {@code fused} nodes, which are
   * one kernel already.
   */
  static List<Graph> targets(Graph main) {
    List<Graph> out = new ArrayList<>();
    for (Graph g : Rewrite.allGraphs(main)) if (!insideFused(g)) out.add(g);
    return out;
  }

  private static boolean insideFused(Graph g) {
    for (Node p = g.parent(); p != null; p = p.graph() == null ? null : p.graph().parent()) {
      if (p.opName().equals(FusedOp.OP)) return true;
    }
    return false;
  }

  /**
   * Fuses one graph. In a branch or loop body, values captured from enclosing graphs are read
   * like any value from outside a group: they become operands of the fused node (which lives in
   * the branch, where outer values are visible), so the fused body stays closed.
   */
  private void fuseGraph(Graph graph, Sizes sizes, FusionReport report, Totals totals, PassContext ctx) {
    Planner planner = new Planner(graph, sizes, dupMaxBytes, maxGroupSize);
    List<Group> groups = planner.plan();
    Map<Node, Group> groupOf = planner.assignment();
    List<String> ids = new ArrayList<>();
    List<Runnable> rewrites = new ArrayList<>();
    for (Group g : groups) {
      if (g.members.size() < 2) continue;
      String gid = "fusion." + totals.groups++;
      ids.add(gid);
      List<Value> escaping = Planner.escaping(g, groupOf, graph);
      long saved = bytesSaved(g, groupOf, sizes);
      String reason = reason(g, saved);
      List<Planner.Label> labels = new ArrayList<>(g.members.size());
      for (Node m : g.members) labels.add(Planner.labelOf(m));
      report.add(new FusionReport.Entry(gid, g.kind.text, FusionReport.spelled(labels), saved, reason, FusionReport.spelled(List.copyOf(g.joins))));
      rewrites.add(() -> materialize(graph, g, escaping, gid, reason, ctx));
      totals.fusedNodes += g.members.size();
    }
    for (Decision d : planner.refused) report.refuse(d);
    // Refusals name groups by id: resolve membership before the rewrite moves nodes into bodies.
    report.resolve(groupOf, groups, ids);
    boolean inOrder = placementsInOrder(planner, groups, groupOf);
    for (Runnable r : rewrites) r.run();
    if (!rewrites.isEmpty() && !inOrder) TopologicalSort.run(graph);
  }

  /**
   * Whether the schedule stays valid with each fused node where its last member was: every
   * value a group's members hand outside is read only after that place (by an unfused node
   * later in the schedule, or by a group placed later). Usually true, and then the whole-graph
   * topological sort after the rewrite is skipped.
   */
  static boolean placementsInOrder(Planner planner, List<Group> groups, Map<Node, Group> groupOf) {
    for (Group g : groups) {
      if (g.members.size() < 2) continue;   // an unfused node stays where it is
      int at = g.maxPos;
      for (Node m : g.members) {
        for (Value o : m.outputs()) {
          for (Use u : o.uses()) {
            Node user = planner.topLevel(u.user());
            if (user == null || groupOf.get(user) == g) continue;
            if (placement(planner, user, groupOf) <= at) return false;
          }
        }
      }
    }
    return true;
  }

  /** Where {@code n} ends up: its group's last member's position, or its own. */
  private static int placement(Planner planner, Node n, Map<Node, Group> groupOf) {
    Group g = groupOf.get(n);
    if (g != null && g.members.size() >= 2) return g.maxPos;
    Integer p = planner.position(n);
    return p == null ? Integer.MAX_VALUE : p;
  }

  /** Bytes that no longer round-trip memory: each internal result's write (unless it escapes) and its internal reads. */
  static long bytesSaved(Group g, Map<Node, Group> groupOf, Sizes sizes) {
    long saved = 0;
    for (Node m : g.members) {
      for (Value o : m.outputs()) {
        int inside = 0;
        boolean escapes = false;
        for (Use u : o.uses()) {
          if (u.user() != null && groupOf.get(u.user()) == g) inside++;
          else escapes = true;
        }
        if (inside == 0) continue;
        long b = sizes.bytes(o);
        saved += b * inside + (escapes ? 0 : b);
      }
    }
    return saved;
  }

  private static String reason(Group g, long saved) {
    String what = switch (g.kind) {
      case ELEMENTWISE -> "elementwise/layout chain";
      case REDUCTION -> "reduction with its elementwise producers and consumers";
      case MATMUL_EPILOGUE -> g.anchor.opName() + " with its epilogue";
      case CONV_EPILOGUE -> g.anchor.opName() + " with its epilogue";
      case ATTENTION -> "attention (scores, softmax and weighted sum in one kernel)";
    };
    return what + "; " + g.members.size() + " nodes; saves ~" + saved + " bytes of memory traffic";
  }

  /**
   * Replaces the group by one {@code fused} node at its last member's place. The members move
   * into the body (no copies: on a large graph copying every fused node was most of this pass's
   * allocation); what they read from outside becomes body inputs, one per value in first-read
   * order, except scalar constants, which are copied in; results read outside become body
   * outputs and the fused node's results, which take their names.
   */
  /** Whether {@code n} is a member or nested in one's subgraph. */
  private static boolean insideGroup(Node n, java.util.Set<Node> members) {
    for (Node x = n; x != null; x = x.graph() == null ? null : x.graph().parent()) if (members.contains(x)) return true;
    return false;
  }

  private static void materialize(Graph graph, Group g, List<Value> escaping, String gid, String reason, PassContext ctx) {
    Graph body = new Graph(gid.replace('.', '_'));
    java.util.Set<Node> members = java.util.Collections.newSetFromMap(new IdentityHashMap<>());
    members.addAll(g.members);
    Node last = g.members.get(g.members.size() - 1);
    Node fused = graph.insertBefore(last, ctx.registry().get(FusedOp.OP), (g.anchor != null ? g.anchor : g.members.get(0)).location());
    LinkedHashMap<Value, Value> operands = new LinkedHashMap<>();   // outer value -> body input
    Map<Value, Value> inlinedCopy = new IdentityHashMap<>();
    OpDef constant = ctx.registry().get(Constants.OP);
    for (Node m : g.members) {
      body.moveIn(m);
      for (int i = 0; i < m.inputCount(); i++) {
        Value v = m.input(i);
        if (v == null || members.contains(v.producer())) continue;
        Value in = inlinedCopy.get(v);
        if (in == null) in = operands.get(v);
        if (in == null) {
          Tensor t = Constants.valueOf(v);
          if (t != null && t.size() <= INLINE_CONSTANT_ELEMENTS) {
            Node k = body.insertBefore(body.nodes().get(0), constant, v.producer().location());
            k.setAttribute("value", Attribute.of(t));
            in = k.addOutput(body.claim(v.name()), v.type());
            inlinedCopy.put(v, in);
          } else {
            in = body.addInput(v.name(), v.type());
            operands.put(v, in);
          }
        }
        m.setInput(i, in);
      }
    }
    for (Value outer : operands.keySet()) fused.addInput(outer);
    fused.setAttribute("body", Attribute.of(body));
    fused.setAttribute("kind", Attribute.of(g.kind.text));
    fused.setAttribute("reason", Attribute.of(gid + ": " + reason));
    for (Value e : escaping) {
      String name = e.name();
      Value r = fused.addOutput(graph.claim(name + ".fused"), e.type());
      // Readers outside the group (nodes of the graph, nodes in their subgraphs, the graph's outputs) read r.
      for (Use u : List.copyOf(e.uses())) {
        if (u.isGraphOutput()) {
          if (u.outputOf() != body) u.outputOf().setOutput(u.index(), r);
        } else if (!insideGroup(u.user(), members)) {
          u.user().setInput(u.index(), r);
        }
      }
      body.addOutput(e);
      r.setName(name);       // the model-facing name stays on the graph's side
    }
    List<Value> outers = new ArrayList<>(operands.keySet());
    outers.addAll(inlinedCopy.keySet());
    for (Value outer : outers) {
      Node p = outer.producer();
      if (p != null && p.graph() == graph && !outer.hasUses() && p.opName().equals(Constants.OP)) graph.remove(p);
    }
  }
}
