package dev.weft.ir;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Checks the IR invariants every stage relies on, so a broken graph is caught at the importer
 * or pass that made it (passes run it between stages, as XLA's invariant checker does):
 * registered ops within their arity; attributes in the op schema with the right kind; SSA
 * (one definition per value, defined before use, visible from the using graph, unique names
 * per graph); acyclicity; use-lists matching operands; recorded types agreeing with each op's
 * shape function; graph outputs set; a subgraph nesting limit; and a byte budget per tensor
 * (RELIABILITY.md items 8, 10, 11). Graphs are walked with an explicit work list, so a
 * 10,000-deep nest is a depth error, not a {@link StackOverflowError}.
 *
 * <p>Verification does not change the graph: fresh symbols that shape functions draw are
 * given back, so verifying between passes cannot change later output. It does write scratch
 * marks into nodes and values (cheaper than identity maps on large graphs), so one graph must
 * not be verified from two threads at once.
 */
public final class Verifier {
  /** ONNX Runtime caps nesting at 32; twice that leaves room for our own control-flow lowering. */
  public static final int DEFAULT_MAX_DEPTH = 64;
  public static final long DEFAULT_MAX_TENSOR_BYTES = 16L << 30;

  private final OpRegistry registry;
  private final int maxDepth;
  private final long maxTensorBytes;
  private final boolean collectAll;

  public Verifier() { this(OpRegistry.global()); }

  public Verifier(OpRegistry registry) { this(registry, DEFAULT_MAX_DEPTH, DEFAULT_MAX_TENSOR_BYTES, false); }

  private Verifier(OpRegistry registry, int maxDepth, long maxTensorBytes, boolean collectAll) {
    if (maxDepth < 0) throw new IllegalArgumentException("negative depth limit " + maxDepth);
    if (maxTensorBytes < 0) throw new IllegalArgumentException("negative tensor budget " + maxTensorBytes);
    this.registry = registry;
    this.maxDepth = maxDepth;
    this.maxTensorBytes = maxTensorBytes;
    this.collectAll = collectAll;
  }

  /** Deepest allowed subgraph nesting; the main graph is depth 0. */
  public Verifier withMaxDepth(int depth) { return new Verifier(registry, depth, maxTensorBytes, collectAll); }

  /** Largest allowed static tensor, in bytes (as held in memory). */
  public Verifier withMaxTensorBytes(long bytes) { return new Verifier(registry, maxDepth, bytes, collectAll); }

  /** True: report every problem; false (default): stop at the first. */
  public Verifier collectingAll(boolean all) { return new Verifier(registry, maxDepth, maxTensorBytes, all); }

  public int maxDepth() { return maxDepth; }

  public long maxTensorBytes() { return maxTensorBytes; }

  /** Verifies the module's main graph and everything nested in it. */
  public void verify(Module m) { verify(m.main()); }

  /** Throws the first problem, or (collecting all) one exception listing every problem. */
  public void verify(Graph g) {
    List<VerifyException> problems = check(g);
    if (problems.size() == 1) throw problems.get(0);
    if (!problems.isEmpty()) throw new VerifyException(problems);
  }

  /** The problems found, in a deterministic order; empty when the graph is valid. */
  public List<VerifyException> check(Graph g) {
    Run run = new Run(g.nodes().size());
    try {
      run.all(g);
    } catch (VerifyException first) {
      if (collectAll) throw first;   // only the stop-at-first mode throws from inside
      return List.of(first);
    }
    return run.problems;
  }

  /** Where an enclosing graph stands while a subgraph is checked: its nodes before {@code cut} are visible. */
  private record Scope(Graph graph, int cut, Scope outer) {}

  private static final java.util.concurrent.atomic.AtomicLong MARKS = new java.util.concurrent.atomic.AtomicLong();

  private record Work(Graph graph, Scope outer, int depth) {}

  /** The state of one verification. */
  private final class Run {
    final List<VerifyException> problems = new ArrayList<>();
    /**
     * This run's mark: nodes of the verified tree and the values defined in it carry it
     * ({@link Node#verifyMark}, {@link Value#verifyMark}), nodes with their schedule position,
     * instead of identity maps that cost most of a large graph's check. Marks are scratch
     * space, not IR: each run draws a new one, so a mark left by an earlier run means nothing.
     */
    final long mark = MARKS.incrementAndGet();
    final IdentityHashMap<Node, Integer> outerIndex = new IdentityHashMap<>();   // enclosing nodes outside it
    final Set<Graph> graphs = Collections.newSetFromMap(new IdentityHashMap<>());
    final List<Graph> graphOrder = new ArrayList<>();   // graphs in the order they are checked
    final List<Value> defined;
    /**
     * Operand and output slots that read a value defined in the verified tree, and those that
     * read one defined outside it (verifying a subgraph alone). Every recorded use is checked
     * to be a real, distinct slot; then equal totals prove every slot is recorded, and only a
     * mismatch pays for the slot-by-slot comparison that names the missing one.
     */
    long slotsReadingDefined;
    final List<Value> readFromOutside = new ArrayList<>();

    /** Maps sized for the root graph's nodes up front: rehashing them dominated verifying large graphs. */
    Run(int nodes) { defined = new ArrayList<>(nodes + 16); }

    /** Whether {@code n} is scheduled in the verified tree. */
    boolean indexed(Node n) { return n.verifyMark == mark; }

    void report(VerifyException e) {
      if (!collectAll) throw e;
      problems.add(e);
    }

    void fail(Node n, String reason) { report(new VerifyException(n, reason)); }

    void fail(Graph g, String reason) { report(new VerifyException(g, reason)); }

    void all(Graph root) {
      Scope outer = enclosingScopes(root);
      if (outer == null && root.parent() != null) return;   // broken or too deep ancestry, reported
      int mark = root.symbolMark();
      try {
        ArrayDeque<Work> work = new ArrayDeque<>();
        work.add(new Work(root, outer, depthOf(outer)));
        graphs.add(root);
        graphOrder.add(root);
        while (!work.isEmpty()) graph(work.poll(), work);
        useLists();
      } finally {
        root.resetSymbols(mark);
      }
    }

    private int depthOf(Scope s) {
      int d = 0;
      for (; s != null; s = s.outer) d++;
      return d;
    }

    /** Scopes of the graphs enclosing {@code g} (verifying a subgraph alone), bounded by the depth limit. */
    private Scope enclosingScopes(Graph g) {
      List<Node> holders = new ArrayList<>();
      Set<Graph> seen = Collections.newSetFromMap(new IdentityHashMap<>());
      seen.add(g);
      for (Node p = g.parent(); p != null; p = p.graph() == null ? null : p.graph().parent()) {
        if (p.graph() == null) {
          fail(g, "its parent node " + p.describe() + " is no longer in a graph");
          return null;
        }
        if (!seen.add(p.graph())) {
          fail(p, "graph '" + p.graph().name() + "' is nested inside itself");
          return null;
        }
        if (holders.size() >= maxDepth) {
          fail(g.parent(), "subgraph nesting depth exceeds the limit of " + maxDepth);
          return null;
        }
        holders.add(p);
      }
      Scope s = null;
      for (int k = holders.size() - 1; k >= 0; k--) {
        Node p = holders.get(k);
        List<Node> nodes = p.graph().nodes();
        for (int i = 0; i < nodes.size(); i++) outerIndex.put(nodes.get(i), i);
        s = new Scope(p.graph(), nodes.indexOf(p), s);
      }
      return s;
    }

    private void graph(Work w, ArrayDeque<Work> work) {
      Graph g = w.graph;
      List<Node> nodes = g.nodes();
      for (int i = 0; i < nodes.size(); i++) {
        Node n = nodes.get(i);
        if (n.verifyMark == mark) {
          fail(n, "is scheduled twice");
        } else {
          n.verifyMark = mark;
          n.verifyIndex = i;
        }
        if (n.graph() != g) fail(n, "is scheduled in graph '" + g.name() + "' but belongs to " + graphName(n.graph()));
      }
      definitions(g);
      List<Node[]> forward = new ArrayList<>();   // {user, producer} pairs that read ahead in the schedule
      for (int i = 0; i < nodes.size(); i++) node(g, i, w, forward, work);
      for (int k = 0; k < g.outputs().size(); k++) {
        Value v = g.outputs().get(k);
        if (v == null) {
          fail(g, "output " + k + " is not set");
          continue;
        }
        expect(v);
        resolve(v, g, nodes.size(), null, w.outer, "output ", k);
      }
      if (!forward.isEmpty()) ordering(g, forward);
    }

    private String graphName(Graph g) { return g == null ? "no graph" : "graph '" + g.name() + "'"; }

    /** Each value defined once, where it claims to be, under a name unique in its graph. */
    private void definitions(Graph g) {
      Map<String, Object> names = new HashMap<>(Math.max(16, g.nodes().size() * 2));
      for (int k = 0; k < g.inputs().size(); k++) {
        Value v = g.inputs().get(k);
        if (v.inputOf() != g || v.index() != k) fail(g, "input %" + v.name() + " does not record itself as input " + k);
        define(v, null, g, names, k);
        budget(v.type(), null, g, "input %", v);
      }
      for (Node n : g.nodes()) {
        for (int k = 0; k < n.outputCount(); k++) {
          Value v = n.output(k);
          if (v.producer() != n || v.index() != k) fail(n, "result %" + v.name() + " does not record this node as its producer");
          define(v, n, g, names, n);
        }
      }
    }

    /** {@code where} is the defining node, or the input's index; described only when a name repeats. */
    private void define(Value v, Node n, Graph g, Map<String, Object> names, Object where) {
      if (v.verifyMark == mark) {
        if (n != null) fail(n, "value %" + v.name() + " is defined more than once");
        else fail(g, "value %" + v.name() + " is defined more than once");
        return;
      }
      v.verifyMark = mark;
      defined.add(v);
      Object prev = names.putIfAbsent(v.name(), where);
      if (prev != null) {
        String first = prev instanceof Node p ? p.describe() : "input " + prev;
        String reason = "duplicate value name %" + v.name() + " (also defined by " + first + ")";
        if (n != null) fail(n, reason);
        else fail(g, reason);
      }
    }

    private void node(Graph g, int i, Work w, List<Node[]> forward, ArrayDeque<Work> work) {
      Node n = g.nodes().get(i);
      OpDef op = n.op();
      boolean shapeOk = true;
      if (registry.find(op.name()) == null) {
        fail(n, "unknown op '" + op.name() + "' (not in the op registry)");
        shapeOk = false;
      }
      if (n.inputCount() < op.minInputs() || n.inputCount() > op.maxInputs()) {
        fail(n, "has " + n.inputCount() + " operands, op " + op.name() + " takes " + range(op.minInputs(), op.maxInputs()));
        shapeOk = false;
      }
      if (n.outputCount() < op.minOutputs() || n.outputCount() > op.maxOutputs()) {
        fail(n, "has " + n.outputCount() + " results, op " + op.name() + " gives " + range(op.minOutputs(), op.maxOutputs()));
        shapeOk = false;
      }
      for (int k = 0; k < Math.min(n.inputCount(), op.minInputs()); k++) {
        if (n.input(k) == null) {
          fail(n, "required operand " + k + " is missing");
          shapeOk = false;
        }
      }
      shapeOk &= attributes(n);
      for (int k = 0; k < n.inputCount(); k++) {
        Value v = n.input(k);
        if (v == null) continue;
        expect(v);
        Node p = resolve(v, g, i, n, w.outer, "operand ", k);
        if (p != null) forward.add(new Node[] {n, p});
      }
      for (Graph sub : n.holdsSubgraphs() ? n.subgraphs() : List.<Graph>of()) {
        if (sub.parent() != n) {
          fail(n, "holds subgraph '" + sub.name() + "' whose parent is "
              + (sub.parent() == null ? "unset" : sub.parent().describe()));
        } else if (!graphs.add(sub)) {
          fail(n, "holds subgraph '" + sub.name() + "', which is already nested elsewhere (or in itself)");
        } else if (w.depth + 1 > maxDepth) {
          fail(n, "subgraph nesting depth exceeds the limit of " + maxDepth);
        } else {
          graphOrder.add(sub);
          work.add(new Work(sub, new Scope(g, i, w.outer), w.depth + 1));
        }
      }
      if (shapeOk) types(n);
      for (int k = 0; k < n.outputCount(); k++) budget(n.output(k).type(), n, g, "result %", n.output(k));
    }

    private String range(int min, int max) {
      if (max == OpDef.VARIADIC) return "at least " + min;
      return min == max ? Integer.toString(min) : min + " to " + max;
    }

    /** Attributes in the schema, of the right kind, required ones present; false when inference can't run. */
    private boolean attributes(Node n) {
      boolean ok = true;
      if (n.attributes().isEmpty() && !n.op().hasRequiredAttributes()) return true;   // most nodes: nothing to check
      for (Map.Entry<String, Attribute> e : n.attributes().entrySet()) {
        AttrSpec spec = n.op().attr(e.getKey());
        if (spec == null) {
          fail(n, "unknown attribute '" + e.getKey() + "' (op " + n.opName() + " accepts " + n.op().attrNames() + ")");
        } else if (spec.kind() != e.getValue().kind()) {
          fail(n, "attribute '" + e.getKey() + "' is " + e.getValue().kind() + ", expected " + spec.kind());
          ok = false;
        }
      }
      for (AttrSpec spec : n.op().attrs().values()) {
        if (spec.required() && n.attribute(spec.name()) == null) {
          fail(n, "missing required attribute '" + spec.name() + "'");
          ok = false;
        }
      }
      return ok;
    }

    /** Counts one operand or output slot reading {@code v} (see {@link #slotsReadingDefined}). */
    private void expect(Value v) {
      // A graph's values are defined before its nodes are checked, enclosing graphs' before it.
      if (v.verifyMark == mark) slotsReadingDefined++;
      else readFromOutside.add(v);
    }

    /**
     * Checks that {@code v}, read at schedule position {@code at} of {@code g} (by {@code user},
     * null for a graph output), is visible there. Returns the producer when it comes later in
     * {@code g} (reported after the scan, as a cycle if there is one), else null.
     */
    private Node resolve(Value v, Graph g, int at, Node user, Scope outer, String what, int slot) {
      Graph d = v.definingGraph();
      Node p = v.producer();
      if (d == g) {
        // The common case first, without building the subject string that only errors need.
        if (p == null || p != user) {
          if (p == null) return null;
          return indexed(p) && p.verifyIndex >= at ? p : null;
        }
      }
      String subject = what + slot + " %" + v.name();
      if (d == null) {
        failAt(user, g, subject + " was produced by a node that is no longer in a graph");
        return null;
      }
      if (d == g) {
        if (p == null) return null;
        if (p == user) {
          fail(user, "consumes its own result %" + v.name());
          return null;
        }
        return indexed(p) && p.verifyIndex >= at ? p : null;
      }
      for (Scope s = outer; s != null; s = s.outer) {
        if (s.graph != d) continue;
        if (p == null) return null;
        Integer pi = indexed(p) ? Integer.valueOf(p.verifyIndex) : outerIndex.get(p);
        if (pi == null || pi >= s.cut) {
          failAt(user, g, subject + " comes from enclosing graph '" + d.name() + "' but is defined "
              + (pi != null && pi == s.cut ? "by the node holding this subgraph" : "after the node holding this subgraph"));
        }
        return null;
      }
      failAt(user, g, subject + " is defined in graph '" + d.name() + "', which does not enclose graph '" + g.name() + "'");
      return null;
    }

    private void failAt(Node user, Graph g, String reason) {
      if (user != null) fail(user, reason);
      else fail(g, reason);
    }

    /** Reads ahead in the schedule: a cycle if there is one, else an unsorted graph. */
    private void ordering(Graph g, List<Node[]> forward) {
      List<Node> cycle = TopologicalSort.findCycle(g, false);
      Set<Node> inCycle = Collections.newSetFromMap(new IdentityHashMap<>());
      if (!cycle.isEmpty()) {
        report(new CycleException(cycle));
        inCycle.addAll(cycle);
      }
      for (Node[] f : forward) {
        if (inCycle.contains(f[0])) continue;
        fail(f[0], "uses a result of " + f[1].describe() + ", which comes later in the schedule"
            + (cycle.isEmpty() ? " (the graph is not topologically sorted; run TopologicalSort)" : ""));
      }
    }

    /** Re-runs the op's shape function and compares with the recorded result types. */
    private void types(Node n) {
      List<Type> inferred;
      try {
        inferred = n.op().infer().infer(new InferContext(n));
      } catch (RuntimeException e) {
        fail(n, "type inference failed: " + ownMessage(n, e));
        return;
      }
      if (inferred.size() != n.outputCount()) {
        fail(n, "shape function gives " + inferred.size() + " results, node has " + n.outputCount());
        return;
      }
      for (int k = 0; k < inferred.size(); k++) {
        Value v = n.output(k);
        String why = TypeCompat.mismatch(v.type(), inferred.get(k));
        if (why != null) fail(n, "result %" + v.name() + " is recorded as " + v.type() + " but infers as " + inferred.get(k) + " (" + why + ")");
        budget(inferred.get(k), n, n.graph(), "inferred type of %", v);
      }
    }

    /** The message of an error about {@code n} without the node prefix IrException added. */
    private String ownMessage(Node n, RuntimeException e) {
      String m = String.valueOf(e.getMessage());
      String prefix = n.describe() + ": ";
      return e instanceof IrException && m.startsWith(prefix) ? m.substring(prefix.length()) : m;
    }

    /** {@code what} + the value's name says which type; joined only when over budget. */
    private void budget(Type t, Node n, Graph g, String what, Value v) {
      long bytes = TypeCompat.byteSize(t);
      if (bytes <= maxTensorBytes) return;
      what = what + v.name();
      String size = bytes == Long.MAX_VALUE ? "more than 2^63 bytes" : bytes + " bytes";
      failAt(n, g, what + " of type " + t + " needs " + size + ", over the tensor budget of " + maxTensorBytes + " bytes");
    }

    /** Every use recorded is a real operand or output slot, and every slot is recorded once. */
    private void useLists() {
      long recorded = 0;
      int before = problems.size();
      for (Value v : defined) {
        List<Use> actual = v.uses();
        recorded += actual.size();
        // Duplicates: pairwise for a few uses, a set only for a widely read value.
        Set<Use> seen = actual.size() > 8 ? new HashSet<>() : null;
        for (int i = 0; i < actual.size(); i++) {
          Use u = actual.get(i);
          if (seen != null ? !seen.add(u) : actual.subList(0, i).contains(u)) {
            failDef(v, "use-list of %" + v.name() + " records " + describe(u) + " twice");
          } else if (u.user() != null && !indexed(u.user())) {
            failDef(v, "use-list of %" + v.name() + " has a stale use by " + u.user().describe() + ", which is not in the graph");
          } else if (u.user() != null && u.user().input(u.index()) != v) {
            failDef(v, "use-list of %" + v.name() + " records " + describe(u) + ", which now reads "
                + (u.user().input(u.index()) == null ? "nothing" : "%" + u.user().input(u.index()).name()));
          } else if (u.user() == null && (!graphs.contains(u.outputOf()) || u.index() >= u.outputOf().outputs().size()
              || u.outputOf().outputs().get(u.index()) != v)) {
            failDef(v, "use-list of %" + v.name() + " has a stale use as " + describe(u));
          }
        }
      }
      // Every recorded use of a tree value is a distinct real slot: equal totals mean every
      // slot is recorded. Values from outside the tree are checked slot by slot (rare).
      if (problems.size() == before && recorded == slotsReadingDefined && readFromOutside.isEmpty()) return;
      IdentityHashMap<Value, List<Use>> expected = new IdentityHashMap<>();
      List<Value> referenced = new ArrayList<>();
      for (Graph g : graphOrder) {
        for (Node n : g.nodes()) {
          for (int k = 0; k < n.inputCount(); k++) {
            Value v = n.input(k);
            if (v != null) slot(expected, referenced, v, new Use(n, null, k));
          }
        }
        for (int k = 0; k < g.outputs().size(); k++) {
          Value v = g.outputs().get(k);
          if (v != null) slot(expected, referenced, v, new Use(null, g, k));
        }
      }
      for (Value v : referenced) {
        Set<Use> actual = new HashSet<>(v.uses());
        for (Use u : expected.get(v)) {
          if (actual.contains(u)) continue;
          String reason = describe(u) + " reads %" + v.name() + " but is missing from its use-list";
          if (u.user() != null) fail(u.user(), reason);
          else fail(u.outputOf(), reason);
        }
      }
    }

    private static void slot(IdentityHashMap<Value, List<Use>> expected, List<Value> referenced, Value v, Use u) {
      List<Use> l = expected.get(v);
      if (l == null) {
        expected.put(v, l = new ArrayList<>());
        referenced.add(v);
      }
      l.add(u);
    }

    private void failDef(Value v, String reason) {
      if (v.producer() != null) fail(v.producer(), reason);
      else fail(v.inputOf(), reason);
    }

    private String describe(Use u) {
      return u.user() != null ? "operand " + u.index() + " of " + u.user().describe()
          : "output " + u.index() + " of graph '" + u.outputOf().name() + "'";
    }
  }
}
