package dev.weft.ir;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.PriorityQueue;
import java.util.Set;

/**
 * A deterministic topological order of a graph's nodes, for importers of unsorted graphs
 * (ONNX does not require sorted node lists in practice). Stable: among the nodes that are
 * ready, the one earliest in the current schedule goes first, so an already sorted graph keeps
 * its order exactly. A node depends on the producers of its operands and of every value its
 * subgraphs read from this graph. Values from other graphs are not edges (the verifier reports
 * them). A cycle is a {@link CycleException} listing the nodes of one cycle.
 */
public final class TopologicalSort {
  private TopologicalSort() {}

  /** Sorts {@code g}'s schedule in place; returns whether the order changed. */
  public static boolean run(Graph g) {
    List<Node> order = order(g);
    if (order.equals(g.nodes())) return false;
    g.reorder(order);
    return true;
  }

  /** The sorted order, without changing the graph. */
  public static List<Node> order(Graph g) {
    Deps d = deps(g, true);
    int n = d.nodes.size();
    int[] indeg = new int[n];
    for (int i = 0; i < n; i++) for (int s : d.succ.get(i)) indeg[s]++;
    // Kahn's algorithm with the smallest original index first: deterministic and stable.
    PriorityQueue<Integer> ready = new PriorityQueue<>();
    for (int i = 0; i < n; i++) if (indeg[i] == 0) ready.add(i);
    List<Node> out = new ArrayList<>(n);
    while (!ready.isEmpty()) {
      int i = ready.poll();
      out.add(d.nodes.get(i));
      for (int s : d.succ.get(i)) if (--indeg[s] == 0) ready.add(s);
    }
    if (out.size() < n) throw new CycleException(cycleAmong(d, indeg));
    return out;
  }

  /** One dependency cycle of {@code g}, or an empty list when it has none. */
  public static List<Node> findCycle(Graph g) { return findCycle(g, true); }

  /** As {@link #findCycle(Graph)}; without self edges a node reading its own result is not a cycle. */
  static List<Node> findCycle(Graph g, boolean selfEdges) {
    Deps d = deps(g, selfEdges);
    int n = d.nodes.size();
    int[] indeg = new int[n];
    for (int i = 0; i < n; i++) for (int s : d.succ.get(i)) indeg[s]++;
    ArrayDeque<Integer> ready = new ArrayDeque<>();
    for (int i = 0; i < n; i++) if (indeg[i] == 0) ready.add(i);
    int done = 0;
    while (!ready.isEmpty()) {
      int i = ready.poll();
      done++;
      for (int s : d.succ.get(i)) if (--indeg[s] == 0) ready.add(s);
    }
    return done == n ? List.of() : cycleAmong(d, indeg);
  }

  /**
   * Every node left with a positive in-degree has a predecessor also left, so walking
   * predecessors from any of them must revisit a node: the walk from there is a cycle.
   */
  private static List<Node> cycleAmong(Deps d, int[] indeg) {
    int start = 0;
    while (indeg[start] == 0) start++;
    int[] seenAt = new int[d.nodes.size()];
    java.util.Arrays.fill(seenAt, -1);
    List<Integer> path = new ArrayList<>();
    int cur = start;
    while (seenAt[cur] < 0) {
      seenAt[cur] = path.size();
      path.add(cur);
      int next = -1;
      for (int p : d.pred.get(cur)) {
        if (indeg[p] > 0) {
          next = p;
          break;
        }
      }
      cur = next;
    }
    List<Node> cycle = new ArrayList<>();
    for (int k = path.size() - 1; k >= seenAt[cur]; k--) cycle.add(d.nodes.get(path.get(k)));
    // Start the report at the earliest node in the schedule, so it does not depend on where the walk began.
    int first = 0;
    for (int k = 1; k < cycle.size(); k++) if (d.index.get(cycle.get(k)) < d.index.get(cycle.get(first))) first = k;
    Collections.rotate(cycle, -first);
    return cycle;
  }

  private record Deps(List<Node> nodes, IdentityHashMap<Node, Integer> index, List<List<Integer>> succ,
      List<List<Integer>> pred) {}

  private static Deps deps(Graph g, boolean selfEdges) {
    List<Node> nodes = g.nodes();
    IdentityHashMap<Node, Integer> index = new IdentityHashMap<>();
    for (int i = 0; i < nodes.size(); i++) index.put(nodes.get(i), i);
    List<List<Integer>> succ = new ArrayList<>(nodes.size());
    List<List<Integer>> pred = new ArrayList<>(nodes.size());
    for (int i = 0; i < nodes.size(); i++) {
      succ.add(new ArrayList<>());
      pred.add(new ArrayList<>());
    }
    for (int i = 0; i < nodes.size(); i++) {
      for (Value v : reads(nodes.get(i))) {
        Node p = v.producer();
        Integer pi = p == null || p.graph() != g ? null : index.get(p);
        if (pi == null || (pi == i && !selfEdges)) continue;
        succ.get(pi).add(i);
        pred.get(i).add(pi);
      }
    }
    return new Deps(nodes, index, succ, pred);
  }

  /** Operands of {@code n} and every value read inside its subgraphs, walked without recursion. */
  static List<Value> reads(Node n) {
    List<Value> out = new ArrayList<>();
    for (Value v : n.inputs()) if (v != null) out.add(v);
    List<Graph> subs = n.subgraphs();
    if (subs.isEmpty()) return out;
    Set<Graph> seen = Collections.newSetFromMap(new IdentityHashMap<>());
    ArrayDeque<Graph> work = new ArrayDeque<>(subs);
    while (!work.isEmpty()) {
      Graph s = work.pop();
      if (!seen.add(s)) continue;   // a graph nested in itself must not loop forever
      for (Node m : s.nodes()) {
        for (Value v : m.inputs()) if (v != null) out.add(v);
        work.addAll(m.subgraphs());
      }
      for (Value v : s.outputs()) if (v != null) out.add(v);
    }
    return out;
  }
}
