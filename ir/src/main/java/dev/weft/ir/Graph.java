package dev.weft.ir;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * A graph: typed inputs, an ordered node list (the schedule; producers before consumers) and
 * outputs. A subgraph (If branch, Loop body) belongs to a node of an enclosing graph and may
 * use values of every enclosing graph, as ONNX allows.
 */
public final class Graph {
  private String name;
  private final List<Value> inputs = new ArrayList<>();
  private final List<Value> outputs = new ArrayList<>();
  // The schedule is a doubly linked list (Node.prev/next), so insertion and removal are O(1);
  // nodes() reads an array snapshot rebuilt once after each batch of changes.
  private Node head;
  private Node tail;
  private int nodeCount;
  private final List<Node> snapshot = new ArrayList<>();
  private boolean dirty;
  private final List<Node> nodesView = Collections.unmodifiableList(new NodesView());
  private final Set<String> usedNames = new HashSet<>();
  /** Per hint, the lowest suffix that may still be free (names are never released, so it only grows). */
  private final Map<String, Integer> nextSuffix = new HashMap<>();
  private Node parent;
  private int symbolCounter;
  private int holders;   // scheduled nodes holding subgraphs, so walks skip graphs without any

  public Graph(String name) { this.name = Objects.requireNonNull(name); }

  public String name() { return name; }

  public void setName(String name) { this.name = Objects.requireNonNull(name); }

  /** The node whose attribute holds this graph; null for a module's main graph. */
  public Node parent() { return parent; }

  void setParent(Node n) { this.parent = n; }

  /** The graph enclosing this one, or null. */
  public Graph enclosing() { return parent == null ? null : parent.graph(); }

  /** Nesting depth: 0 for the main graph. */
  public int depth() {
    int d = 0;
    for (Graph g = enclosing(); g != null; g = g.enclosing()) d++;
    return d;
  }

  public List<Value> inputs() { return Collections.unmodifiableList(inputs); }

  public List<Value> outputs() { return Collections.unmodifiableList(outputs); }

  /** Whether some node of this graph holds a subgraph (walks over nested graphs skip the others' nodes). */
  public boolean hasSubgraphs() { return holders > 0; }

  void holderChanged(int delta) { holders += delta; }

  /** The schedule: a live, read-only view (it always shows the current nodes). */
  public List<Node> nodes() { return nodesView; }

  private List<Node> materialized() {
    if (dirty) {
      snapshot.clear();
      for (Node n = head; n != null; n = n.next) snapshot.add(n);
      dirty = false;
    }
    return snapshot;
  }

  private final class NodesView extends java.util.AbstractList<Node> implements java.util.RandomAccess {
    @Override public Node get(int i) { return materialized().get(i); }

    @Override public int size() { return nodeCount; }

    // Copies (new ArrayList<>(g.nodes()), what passes iterate while they edit) take the
    // snapshot's array in one go instead of an element at a time through get().
    @Override public Object[] toArray() { return materialized().toArray(); }

    @Override public <T> T[] toArray(T[] a) { return materialized().toArray(a); }
  }

  private void linkBefore(Node n, Node anchor) {
    n.prev = anchor == null ? tail : anchor.prev;
    n.next = anchor;
    if (n.prev == null) head = n;
    else n.prev.next = n;
    if (anchor == null) tail = n;
    else anchor.prev = n;
    nodeCount++;
    if (n.holdsSubgraphs()) holders++;
    if (anchor == null && !dirty) snapshot.add(n);   // an append keeps a clean snapshot clean (importers read back as they build)
    else dirty = true;
  }

  private void unlink(Node n) {
    if (n.prev == null) head = n.next;
    else n.prev.next = n.next;
    if (n.next == null) tail = n.prev;
    else n.next.prev = n.prev;
    n.prev = null;
    n.next = null;
    nodeCount--;
    if (n.holdsSubgraphs()) holders--;
    dirty = true;
  }

  public Value addInput(String name, Type type) {
    Value v = new Value(claim(name), type);
    v.definedAsInput(this, inputs.size());
    inputs.add(v);
    return v;
  }

  public void addOutput(Value v) { setOutput(outputs.size(), v); }

  public void setOutput(int i, Value v) {
    Objects.requireNonNull(v, "graph output");
    while (outputs.size() <= i) outputs.add(null);
    Value old = outputs.get(i);
    if (old == v) return;
    if (old != null) old.removeUse(null, this, i);
    outputs.set(i, v);
    v.addUse(new Use(null, this, i));
  }

  /** Output slot {@code u} holds {@code to} instead of {@code from}, whose use-list the caller already cleared. */
  void retargetOutput(Use u, Value from, Value to) {
    if (outputs.get(u.index()) != from) throw new IllegalStateException("use-list of %" + from.name() + " lost a use");
    outputs.set(u.index(), to);
    to.addUse(u);
  }

  public void clearOutputs() {
    for (int i = 0; i < outputs.size(); i++) {
      Value v = outputs.get(i);
      if (v != null) v.removeUse(null, this, i);
    }
    outputs.clear();
  }

  /** Creates a node at the end of the schedule. Operands, results and attributes are set on it after. */
  public Node append(OpDef op, Location loc) {
    Node n = new Node(op, loc);
    n.setGraph(this);
    linkBefore(n, null);
    return n;
  }

  /** Creates a node just before {@code anchor} in the schedule. */
  public Node insertBefore(Node anchor, OpDef op, Location loc) {
    checkMember(anchor);
    Node n = new Node(op, loc);
    n.setGraph(this);
    linkBefore(n, anchor);
    return n;
  }

  private void checkMember(Node n) {
    if (n == null || n.graph() != this) throw new IllegalArgumentException("node " + n + " is not in graph " + name);
  }

  /**
   * Moves {@code n} from its graph to the end of this one, operands, results (with their uses)
   * and attributes unchanged, its result names claimed here. The caller keeps the IR valid:
   * what {@code n} reads must be visible here, and its users elsewhere must be redirected
   * (fusion moves a group's members into the body of the node that replaces them, rather than
   * copying them).
   */
  public void moveIn(Node n) {
    Graph from = n.graph();
    if (from == null) throw new IllegalArgumentException("node " + n.describe() + " is in no graph");
    if (from == this) throw new IllegalArgumentException("node " + n.describe() + " is already in graph " + name);
    from.unlink(n);
    n.setGraph(this);
    linkBefore(n, null);
    for (Value v : n.outputs()) usedNames.add(v.name());
  }

  /** Removes a node whose results are unused, detaching its operands. */
  public void remove(Node n) {
    for (Value out : n.outputs()) {
      if (out.hasUses()) {
        throw new IllegalStateException("cannot remove " + n.describe() + ": %" + out.name() + " still has uses");
      }
    }
    checkMember(n);
    unlink(n);
    n.dropInputs();
    n.disposeSubgraphs();
    n.setGraph(null);
  }

  /**
   * Detaches this graph and everything nested in it from the values they read, so that no
   * use-list keeps pointing into a subgraph that was removed with its node or replaced. Walks
   * with a work list: nesting may be deep.
   */
  void dispose() {
    setParent(null);
    java.util.ArrayDeque<Graph> work = new java.util.ArrayDeque<>();
    java.util.Set<Graph> seen = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
    work.add(this);
    while (!work.isEmpty()) {
      Graph g = work.pop();
      if (!seen.add(g)) continue;
      g.clearOutputs();
      for (Node m : g.materialized()) {
        m.dropInputs();
        work.addAll(m.subgraphs());
      }
    }
  }

  /** Replaces the schedule with a permutation of the same nodes (used by topological sort). */
  public void reorder(List<Node> order) {
    List<Node> current = materialized();
    if (order.size() != current.size() || !new HashSet<>(order).equals(new HashSet<>(current))) {
      throw new IllegalArgumentException("reorder must be a permutation of the graph's nodes");
    }
    List<Node> copy = new ArrayList<>(order);
    head = tail = null;
    nodeCount = 0;
    holders = 0;
    dirty = true;
    for (Node n : copy) {
      n.prev = n.next = null;
      linkBefore(n, null);
    }
  }

  /** Reserves a value name in this graph, adding a numeric suffix if it is taken. */
  public String claim(String hint) {
    String base = hint == null || hint.isEmpty() ? "v" : hint;
    if (usedNames.add(base)) return base;
    // Suffixes below nextSuffix are all taken: skip them instead of re-probing from 1, which made
    // naming k values after one op hint O(k^2) (100k-node imports spent most of their time here).
    int i = nextSuffix.getOrDefault(base, 1);
    String n = base + "_" + i;
    while (!usedNames.add(n)) n = base + "_" + ++i;
    nextSuffix.put(base, i + 1);
    return n;
  }

  /** A fresh symbolic dim, unique within the outermost graph (for sizes only known at run time). */
  public Dim freshSymbol() {
    Graph root = this;
    while (root.enclosing() != null) root = root.enclosing();
    return Dim.sym("_s" + root.symbolCounter++);
  }

  /** Makes later fresh symbols skip the names a parsed or imported graph already uses. */
  public void reserveSymbols(int count) {
    Graph root = this;
    while (root.enclosing() != null) root = root.enclosing();
    root.symbolCounter = Math.max(root.symbolCounter, count);
  }

  /** The root's fresh-symbol counter, so a read-only check can undo symbols its shape functions drew. */
  int symbolMark() {
    Graph root = this;
    while (root.enclosing() != null) root = root.enclosing();
    return root.symbolCounter;
  }

  void resetSymbols(int mark) {
    Graph root = this;
    while (root.enclosing() != null) root = root.enclosing();
    root.symbolCounter = mark;
  }

  @Override
  public String toString() { return "graph " + name + " (" + nodeCount + " nodes)"; }
}
