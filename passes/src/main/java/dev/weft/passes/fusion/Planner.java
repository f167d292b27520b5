package dev.weft.passes.fusion;

import dev.weft.ir.Graph;
import dev.weft.ir.Location;
import dev.weft.ir.Node;
import dev.weft.ir.Use;
import dev.weft.ir.Value;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.IdentityHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Decides the groups: one sweep over the schedule, each node joining the groups of its
 * producers when the rules allow (latest producer first, so a residual add joins the matmul
 * it follows rather than the older residual stream). The rules, each with the reason the
 * report prints when it refuses:
 * <ul>
 * <li>kinds: elementwise and layout ops chain freely; a reduction takes elementwise producers
 *     (prologue) and consumers no larger than its input (epilogue), and other reductions with
 *     the same shape and axes; a matmul or conv takes an epilogue no larger than its result
 *     (bias, activation, residual add, layout of the result) and, for a matmul, layout-only
 *     producers of its operands (transposes become index maps); one matmul/conv per group,
 *     except an attention chain (matmul, scale/mask, softmax, matmul) seeded up front;
 * <li>recompute: a producer read through a broadcast or a gather would be recomputed per
 *     copy; only one whose result is at most {@code dupMaxBytes} is (never a large one);
 * <li>convexity: no path may leave the merged group and re-enter it (that would be a cycle
 *     between kernels);
 * <li>shapes: a layout op whose target shape is computed from tensor data (not from shapes)
 *     is never fused: the group's iteration space would depend on a value it computes.
 * </ul>
 * Deterministic: the sweep follows the schedule and candidates are ordered by position.
 */
final class Planner {
  private final Graph graph;
  private final Sizes sizes;
  private final long dupMaxBytes;
  private final int maxGroupSize;
  private final Map<Node, Integer> pos;
  private final Map<Node, Group> groupOf = new IdentityHashMap<>();
  private final Map<Node, Node> seedOf = new IdentityHashMap<>();   // attention chain member -> its first matmul
  private final Set<Node> host;
  final List<Decision> refused = new ArrayList<>();
  private final ArrayDeque<Node> work = new ArrayDeque<>();
  private final int[] seen;   // per schedule position: the search that last reached it
  private int stamp;

  Planner(Graph graph, Sizes sizes, long dupMaxBytes, int maxGroupSize) {
    this.graph = graph;
    this.sizes = sizes;
    this.dupMaxBytes = dupMaxBytes;
    this.maxGroupSize = maxGroupSize;
    List<Node> nodes = graph.nodes();
    this.pos = new IdentityHashMap<>(nodes.size());
    for (int i = 0; i < nodes.size(); i++) pos.put(nodes.get(i), i);
    this.seen = new int[nodes.size()];
    this.host = HostShapes.of(graph);
  }

  Set<Node> hostShapeOps() { return host; }

  /** The groups, each with its members in schedule order, ordered by first member. */
  List<Group> plan() {
    seedAttention();
    for (Node n : graph.nodes()) visit(n);
    Set<Group> distinct = Collections.newSetFromMap(new IdentityHashMap<>());
    List<Group> out = new ArrayList<>();
    for (Node n : graph.nodes()) {
      Group g = groupOf.get(n);
      if (g != null && distinct.add(g)) out.add(g);
    }
    for (Group g : out) g.members.sort(Comparator.comparingInt(pos::get));
    return out;
  }

  Group groupOf(Node n) { return groupOf.get(n); }

  // ---- attention chains ----

  /** matmul -> (single-use elementwise)* -> softmax(last axis) -> matmul as operand 0: one group. */
  private void seedAttention() {
    for (Node s : graph.nodes()) {
      if (!s.opName().equals("softmax") || !lastAxis(s) || s.outputCount() != 1) continue;
      Node m2 = soleUser(s.output(0));
      if (m2 == null || !m2.opName().equals("matmul") || m2.input(0) != s.output(0)) continue;
      List<Node> chain = new ArrayList<>();
      Node cur = s;
      Node m1 = null;
      for (int depth = 0; depth < 8; depth++) {
        Value in = chainInput(cur);
        if (in == null || soleUser(in) != cur || in.producer() == null) break;
        Node p = in.producer();
        if (p.opName().equals("matmul")) {
          m1 = p;
          break;
        }
        if (OpClass.of(p) != OpClass.ELEMENTWISE || p.outputCount() != 1) break;
        chain.add(p);
        cur = p;
      }
      if (m1 == null || seedOf.containsKey(m1) || seedOf.containsKey(m2)) continue;
      seedOf.put(m1, m1);
      for (Node c : chain) seedOf.put(c, m1);
      seedOf.put(s, m1);
      seedOf.put(m2, m1);
    }
  }

  /** The operand of a chain node that carries the scores (the one as large as its result). */
  private Value chainInput(Node n) {
    Sizes.Count out = sizes.count(n.output(0));
    for (Value v : n.inputs()) {
      if (v != null && v.producer() != null && !host.contains(v.producer()) && Sizes.same(sizes.count(v), out)) return v;
    }
    return null;
  }

  private static boolean lastAxis(Node s) {
    long axis = s.attrs().getIntOr("axis", -1);
    var t = s.input(0).tensorType();
    return axis == -1 || t.shape().isRanked() && axis == t.rank() - 1;
  }

  private static Node soleUser(Value v) {
    if (v.uses().size() != 1) return null;
    Use u = v.uses().get(0);
    return u.user();
  }

  // ---- the sweep ----

  private void visit(Node n) {
    OpClass c = OpClass.of(n);
    if (c == OpClass.CONSTANT || c == OpClass.SHAPE || host.contains(n)) return;
    if (c == OpClass.OPAQUE) {
      for (Value v : n.inputs()) {
        if (v != null && v.producer() != null && groupOf.containsKey(v.producer())) {
          refused.add(new Decision(v.producer(), n, v, "op " + n.opName() + " is opaque to fusion (runs as its own kernel)"));
        }
      }
      return;
    }
    String dynamic = c == OpClass.LAYOUT ? dataDependentShape(n) : null;
    if (dynamic != null) {
      for (Value v : n.inputs()) {
        if (v != null && v.producer() != null && groupOf.containsKey(v.producer())) refused.add(new Decision(v.producer(), n, v, dynamic));
      }
      return;
    }
    Group g = singleton(n, c);
    Node seed = seedOf.get(n);
    if (seed != null && seed != n) {
      Group s = groupOf.get(seed);
      if (s != null && s.kind == Group.Kind.ATTENTION) g = merge(s, g, new Join("attention chain:", labelOf(n), null));
    }
    // Producers' groups, latest producer first.
    List<Value> edges = new ArrayList<>();
    for (int i = 0; i < n.inputCount(); i++) {
      Value v = n.input(i);
      if (v == null || v.producer() == null || !OpClass.isDataOperand(n, i)) continue;
      if (groupOf.containsKey(v.producer()) && !edges.contains(v)) edges.add(v);
    }
    edges.sort(Comparator.comparingInt((Value v) -> pos.get(v.producer())).reversed());
    for (Value v : edges) {
      Node p = v.producer();
      Group pg = groupOf.get(p);
      if (pg == g) continue;
      String why = refuse(pg, g, p, n, v);
      if (why == null) g = merge(pg, g, new Join(role(pg, g, n), labelOf(n), v.name()));
      else refused.add(new Decision(p, n, v, why));
    }
  }

  private Group singleton(Node n, OpClass c) {
    Group g;
    switch (c) {
      case REDUCTION -> {
        g = new Group(Group.Kind.REDUCTION);
        g.reduction = OpClass.reductionSignature(n);
        g.domain = sizes.count(n.input(0));
      }
      case MATMUL, CONV, ATTENTION -> {
        Node seed = seedOf.get(n);
        boolean attention = c == OpClass.ATTENTION || seed == n;
        g = new Group(attention ? Group.Kind.ATTENTION : c == OpClass.CONV ? Group.Kind.CONV_EPILOGUE : Group.Kind.MATMUL_EPILOGUE);
        g.anchor = n;
        Node result = n;
        if (seed == n) {
          for (Map.Entry<Node, Node> e : seedOf.entrySet()) {
            if (e.getValue() == n && e.getKey() != n && e.getKey().opName().equals("matmul")) result = e.getKey();
          }
        }
        g.domain = sizes.count(result.output(0));
      }
      default -> g = new Group(Group.Kind.ELEMENTWISE);
    }
    g.layoutOnly = c == OpClass.LAYOUT;
    add(g, n);
    return g;
  }

  private void add(Group g, Node n) {
    g.members.add(n);
    groupOf.put(n, g);
    int p = pos.get(n);
    g.minPos = Math.min(g.minPos, p);
    g.maxPos = Math.max(g.maxPos, p);
  }

  /** Moves {@code b} into {@code a} (a is the producer side); the merged kind follows the rules of {@link #refuse}. */
  private Group merge(Group a, Group b, Join why) {
    Group.Kind kind = combined(a, b);
    if (b.kind.anchored() && !a.kind.anchored()) {
      a.anchor = b.anchor;
      a.domain = b.domain;
    } else if (b.kind == Group.Kind.REDUCTION && a.kind != Group.Kind.REDUCTION && !a.kind.anchored()) {
      a.domain = b.domain;
      a.reduction = b.reduction;
    }
    a.kind = kind;
    a.layoutOnly &= b.layoutOnly;
    a.joins.addAll(b.joins);
    a.joins.add(why);
    for (Node m : b.members) add(a, m);
    return a;
  }

  private static Group.Kind combined(Group a, Group b) {
    if (a.kind == Group.Kind.ATTENTION || b.kind == Group.Kind.ATTENTION) return Group.Kind.ATTENTION;
    if (a.kind.anchored()) return a.kind;
    if (b.kind.anchored()) return b.kind;
    if (a.kind == Group.Kind.REDUCTION || b.kind == Group.Kind.REDUCTION) return Group.Kind.REDUCTION;
    return Group.Kind.ELEMENTWISE;
  }

  private static String role(Group producer, Group consumer, Node n) {
    if (consumer.anchor == n) return "operand layout of";
    if (producer.kind.anchored() || producer.kind == Group.Kind.REDUCTION) return "epilogue";
    if (consumer.kind == Group.Kind.REDUCTION && !producer.kind.anchored()) return "prologue of";
    return "chain";
  }

  /** Null when {@code p}'s group may absorb {@code n}'s group across value {@code v}; else why not. */
  private String refuse(Group pg, Group g, Node p, Node n, Value v) {
    if (pg.members.size() + g.members.size() > maxGroupSize) return "the group would exceed " + maxGroupSize + " nodes";
    String kinds = kindRule(pg, g, n, v);
    if (kinds != null) return kinds;
    String dup = recomputeRule(pg, n, v);
    if (dup != null) return dup;
    if (reaches(pg, g) || reaches(g, pg)) return "merging would create a cycle (a path leaves the group and re-enters it)";
    return null;
  }

  private String kindRule(Group pg, Group g, Node n, Value v) {
    Group.Kind pk = pg.kind;
    Group.Kind gk = g.kind;
    if (pk.anchored() && gk.anchored()) return "both hold a matmul/conv/attention; one per kernel";
    if (pk == Group.Kind.REDUCTION && gk.anchored() || pk.anchored() && gk == Group.Kind.REDUCTION) {
      return "a reduction and a " + (pk.anchored() ? pk.text : gk.text) + " need different schedules";
    }
    if (pk.anchored() || pk == Group.Kind.REDUCTION) {
      // g is an epilogue: nothing in it may be larger than the anchor's result / the reduced rows.
      for (Node m : g.members) {
        for (Value o : m.outputs()) {
          if (!Sizes.atMost(sizes.count(o), pg.domain)) {
            return "%" + o.name() + " (" + sizes.count(o) + " elements) is larger than the " + pk.text + " domain (" + pg.domain + ")";
          }
        }
      }
      if (pk == Group.Kind.REDUCTION && gk == Group.Kind.REDUCTION && !pg.reduction.equals(g.reduction)) {
        return "different reductions (" + pg.reduction + " vs " + g.reduction + ")";
      }
      return null;
    }
    // pg is elementwise (maybe layout only).
    if (gk.anchored() && feedsAnchor(pg, g)) {
      if (gk == Group.Kind.CONV_EPILOGUE) return "a conv reads its operands in windows; producers stay separate kernels";
      if (!pg.layoutOnly) return "only layout ops fold into a matmul's operand reads; elementwise producers would be recomputed per output tile";
      return null;
    }
    if (gk == Group.Kind.REDUCTION && pg.domain == null) {
      for (Node m : pg.members) {
        for (Value o : m.outputs()) {
          if (!Sizes.atMost(sizes.count(o), g.domain)) return "%" + o.name() + " is larger than the reduction's input";
        }
      }
    }
    return null;
  }

  /** Whether a member of {@code pg} is an operand of a matmul/conv/attention node of {@code g}. */
  private static boolean feedsAnchor(Group pg, Group g) {
    for (Node m : g.members) {
      OpClass c = OpClass.of(m);
      if (c != OpClass.MATMUL && c != OpClass.CONV && c != OpClass.ATTENTION) continue;
      for (Value v : m.inputs()) if (v != null && pg.members.contains(v.producer())) return true;
    }
    return false;
  }

  /** A producer read through a broadcast or gather is recomputed per copy: only small ones. */
  private String recomputeRule(Group pg, Node n, Value v) {
    if (pg.kind == Group.Kind.REDUCTION) return null;   // row statistics are computed once per row
    boolean replicated = OpClass.replicating(n) || n.outputs().stream().anyMatch(o -> Sizes.lessThan(sizes.count(v), sizes.count(o)));
    if (!replicated) return null;
    if (pg.kind.anchored()) return "%" + v.name() + " would be recomputed per broadcast copy (a " + pg.kind.text + ")";
    long bytes = sizes.bytes(v);
    if (bytes > dupMaxBytes) {
      return "%" + v.name() + " (" + bytes + " bytes) would be recomputed per " + (OpClass.replicating(n) ? n.opName() : "broadcast")
          + " copy; only producers up to " + dupMaxBytes + " bytes are";
    }
    return null;
  }

  /** Whether some path from {@code a}'s results leaves {@code a} and {@code b} and then reaches {@code b}. */
  private boolean reaches(Group a, Group b) {
    // One work list and one stamp array for all searches (a merge attempt per edge): a fresh
    // deque and identity set per search was most of this pass's allocation.
    work.clear();
    stamp++;
    for (Node m : a.members) pushUsers(m, a, b, false);
    while (!work.isEmpty()) {
      Node u = work.pop();
      if (groupOf.get(u) == b) return true;
      pushUsers(u, a, b, true);
    }
    return false;
  }

  private void pushUsers(Node m, Group a, Group b, boolean outside) {
    for (int i = 0; i < m.outputCount(); i++) {
      List<Use> uses = m.output(i).uses();
      for (int j = 0; j < uses.size(); j++) {
        Use u = uses.get(j);
        Node user = topLevel(u.user());
        if (user == null) continue;
        Group ug = groupOf.get(user);
        if (!outside && (ug == a || ug == b)) continue;   // direct edges inside the merged group are fine
        if (ug == a) continue;
        Integer p = pos.get(user);
        if (p == null || p > b.maxPos) continue;
        if (seen[p] != stamp) {
          seen[p] = stamp;
          work.push(user);
        }
      }
    }
  }

  /** The schedule position of a main-graph node when planning began, or null. */
  Integer position(Node n) { return pos.get(n); }

  /** The main-graph node that is {@code u} or holds the subgraph {@code u} is in; null for a graph output. */
  Node topLevel(Node u) {
    while (u != null && u.graph() != graph) u = u.graph() == null ? null : u.graph().parent();
    return u;
  }

  /** Why a layout op's shape depends on tensor data, or null when its shape operands are constants or shape computations. */
  private String dataDependentShape(Node n) {
    for (int i = 0; i < n.inputCount(); i++) {
      Value v = n.input(i);
      if (v == null || OpClass.isDataOperand(n, i)) continue;
      Node p = v.producer();
      if (p == null && v.isGraphInput()) return n.opName() + "'s shape operand %" + v.name() + " is a model input (data-dependent shape)";
      if (p != null && OpClass.of(p) != OpClass.CONSTANT && !host.contains(p)) {
        return n.opName() + "'s shape operand %" + v.name() + " is computed from tensor data (data-dependent shape)";
      }
    }
    return null;
  }

  static String label(Node n) { return labelOf(n).toString(); }

  /** A node as the report names it, captured now and spelled only when printed (most reports never are). */
  static Label labelOf(Node n) { return new Label(n.opName(), n.location(), n.output(0).name()); }

  record Label(String op, Location location, String result) {
    @Override
    public String toString() { return op + (location.isKnown() ? " at " + location : " -> %" + result); }
  }

  /** Why a node joined a group ("epilogue add at ... reads %x"), spelled when printed. */
  record Join(String role, Label node, String value) {
    @Override
    public String toString() { return role + " " + node + (value == null ? "" : " reads %" + value); }
  }

  /** The results of members read outside the group (or model outputs), in member order. */
  static List<Value> escaping(Group g, Map<Node, Group> groupOf, Graph main) {
    LinkedHashSet<Value> out = new LinkedHashSet<>();
    for (Node m : g.members) {
      for (Value o : m.outputs()) {
        for (Use u : o.uses()) {
          if (u.user() == null) {
            out.add(o);
          } else {
            Node user = u.user();
            while (user != null && user.graph() != main) user = user.graph().parent();
            if (user == null || groupOf.get(user) != g) out.add(o);
          }
        }
      }
    }
    return new ArrayList<>(out);
  }

  Map<Node, Group> assignment() { return groupOf; }
}
