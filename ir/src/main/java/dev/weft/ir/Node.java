package dev.weft.ir;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * One operation: an op from the registry, operands (an absent optional operand is null),
 * results, typed attributes (kept sorted, so printing and hashing are deterministic) and the
 * source location every diagnostic names.
 */
public final class Node {
  private final OpDef op;
  // Small initial capacities: a default ArrayList grows to 10 slots on the first add, and most
  // nodes have one to three operands and one result (32 bytes per list saved on large graphs).
  private final List<Value> inputs = new ArrayList<>(2);
  private final List<Value> outputs = new ArrayList<>(1);
  private TreeMap<String, Attribute> attributes;   // made on the first attribute: most nodes (add, matmul, ...) have none
  private Location location;
  private Graph graph;
  Node prev;   // schedule neighbours, kept by Graph
  Node next;
  private int graphAttributes;   // attributes holding graphs
  long verifyMark;               // Verifier scratch: the run that saw this node, and where
  int verifyIndex;

  Node(OpDef op, Location location) {
    this.op = Objects.requireNonNull(op, "op");
    this.location = location == null ? Location.UNKNOWN : location;
  }

  public OpDef op() { return op; }

  public String opName() { return op.name(); }

  public Graph graph() { return graph; }

  void setGraph(Graph g) { this.graph = g; }

  public Location location() { return location; }

  public void setLocation(Location l) { this.location = Objects.requireNonNull(l); }

  public List<Value> inputs() { return Collections.unmodifiableList(inputs); }

  public int inputCount() { return inputs.size(); }

  /** Operand i, or null when absent or out of range (optional trailing operands). */
  public Value input(int i) { return i < inputs.size() ? inputs.get(i) : null; }

  public List<Value> outputs() { return Collections.unmodifiableList(outputs); }

  public Value output(int i) { return outputs.get(i); }

  public int outputCount() { return outputs.size(); }

  /** Attributes explicitly set on this node (defaults live in the op's schema). */
  public SortedMap<String, Attribute> attributes() {
    return attributes == null ? Collections.emptySortedMap() : Collections.unmodifiableSortedMap(attributes);
  }

  /** Attribute access with the schema's defaults and type checks. */
  public Attrs attrs() { return new Attrs(this); }

  public Attribute attribute(String name) { return attributes == null ? null : attributes.get(name); }

  public void setAttribute(String name, Attribute value) {
    Objects.requireNonNull(value, "attribute " + name);
    if (attributes == null) attributes = new TreeMap<>();
    Attribute old = attributes.put(name, value);
    countGraphAttributes(holdsGraphs(value) - (old == null ? 0 : holdsGraphs(old)));
    if (value instanceof Attribute.GraphValue g) g.value().setParent(this);
    if (value instanceof Attribute.Graphs gs) gs.values().forEach(g -> g.setParent(this));
    if (old != null) disposeGraphsOf(old);
  }

  public void setAttributes(Map<String, Attribute> attrs) { attrs.forEach(this::setAttribute); }

  public void removeAttribute(String name) {
    if (attributes == null) return;
    Attribute old = attributes.remove(name);
    if (old != null) countGraphAttributes(-holdsGraphs(old));
    if (old != null) disposeGraphsOf(old);
  }

  /** Keeps the graph's count of subgraph holders in step as this node starts or stops holding graphs. */
  private void countGraphAttributes(int delta) {
    boolean held = graphAttributes > 0;
    graphAttributes += delta;
    if (graph != null && held != graphAttributes > 0) graph.holderChanged(held ? -1 : 1);
  }

  /** Whether an attribute of this node holds a graph. */
  public boolean holdsSubgraphs() { return graphAttributes > 0; }

  private static int holdsGraphs(Attribute a) { return a instanceof Attribute.GraphValue || a instanceof Attribute.Graphs ? 1 : 0; }

  /** A replaced or removed subgraph stops reading enclosing values, unless it now belongs to another node. */
  private void disposeGraphsOf(Attribute old) {
    List<Graph> gs = old instanceof Attribute.GraphValue g ? List.of(g.value())
        : old instanceof Attribute.Graphs many ? many.values() : List.of();
    for (Graph g : gs) {
      if (g.parent() == this && !subgraphs().contains(g)) g.dispose();
    }
  }

  /** Disposes every subgraph still held by this node (it is being removed). */
  void disposeSubgraphs() {
    for (Graph g : subgraphs()) if (g.parent() == this) g.dispose();
  }

  /** Subgraphs held in attributes, in attribute-name order. */
  public List<Graph> subgraphs() {
    if (graphAttributes == 0) return List.of();   // the common case, asked for every node by every walk
    List<Graph> out = new ArrayList<>();
    for (Attribute a : attributes.values()) {
      if (a instanceof Attribute.GraphValue g) out.add(g.value());
      else if (a instanceof Attribute.Graphs gs) out.addAll(gs.values());
    }
    return out;
  }

  /** Replaces operand i (null removes it), keeping both use-lists in step. */
  public void setInput(int i, Value v) {
    while (inputs.size() <= i) inputs.add(null);
    Value old = inputs.get(i);
    if (old == v) return;
    if (old != null) old.removeUse(this, null, i);
    inputs.set(i, v);
    if (v != null) v.addUse(new Use(this, null, i));
  }

  public void addInput(Value v) { setInput(inputs.size(), v); }

  /** Operand slot {@code u} reads {@code to} instead of {@code from}, whose use-list the caller already cleared. */
  void retarget(Use u, Value from, Value to) {
    if (inputs.get(u.index()) != from) throw new IllegalStateException("use-list of %" + from.name() + " lost a use");
    inputs.set(u.index(), to);
    to.addUse(u);
  }

  /** Detaches every operand (used when the node is removed). */
  void dropInputs() {
    for (int i = 0; i < inputs.size(); i++) {
      Value v = inputs.get(i);
      if (v != null) v.removeUse(this, null, i);
    }
    inputs.clear();
  }

  /** Adds a new result of the given type. */
  public Value addOutput(String name, Type type) {
    Value v = new Value(name, type);
    v.definedBy(this, outputs.size());
    outputs.add(v);
    return v;
  }

  /** Human-readable identity for diagnostics: op, first result and location. */
  public String describe() {
    StringBuilder sb = new StringBuilder(op.name());
    if (!outputs.isEmpty()) sb.append(" -> %").append(outputs.get(0).name());
    if (location.isKnown()) sb.append(" at ").append(location);
    return sb.toString();
  }

  @Override
  public String toString() { return describe(); }
}
