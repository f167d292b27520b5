package dev.weft.ir;

import dev.weft.bundle.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Adds nodes to a graph with their result types inferred from the op registry. Importers,
 * passes and decompositions all build through this, so every node is typed when created.
 */
public final class GraphBuilder {
  private final Graph graph;
  private final OpRegistry registry;
  private Node before;            // insert before this node; null = append
  private Location location = Location.UNKNOWN;
  private List<Value> deferred;   // when set, results go here named by their hint, not yet claimed

  public GraphBuilder(Graph graph) { this(graph, OpRegistry.global()); }

  public GraphBuilder(Graph graph, OpRegistry registry) {
    this.graph = graph;
    this.registry = registry;
  }

  public Graph graph() { return graph; }

  /** New nodes go just before {@code anchor} (null: at the end). */
  public GraphBuilder insertBefore(Node anchor) {
    this.before = anchor;
    return this;
  }

  /** Location stamped on the nodes built from now on. */
  public GraphBuilder at(Location loc) {
    this.location = loc == null ? Location.UNKNOWN : loc;
    return this;
  }

  public Location location() { return location; }

  /**
   * From now on, results are named by their hint without claiming it in the graph and are
   * added to {@code sink}; the caller must give each a name ({@code graph.claim} or one it
   * reserved) before anything else is built in the graph. Null ends it. Returns the previous
   * sink, to restore. An importer renames most results to the model's own names right away, so
   * claiming a placeholder for each first only left unused names behind.
   */
  public List<Value> deferNames(List<Value> sink) {
    List<Value> previous = deferred;
    deferred = sink;
    return previous;
  }

  /** Builds one node; results are named from {@code names} (or the op name) and typed by inference. */
  public List<Value> op(String opName, List<Value> inputs, Map<String, Attribute> attrs, List<String> names) {
    OpDef def = registry.get(opName);
    Node n = before == null ? graph.append(def, location) : graph.insertBefore(before, def, location);
    for (Value v : inputs) n.addInput(v);
    if (attrs != null) n.setAttributes(attrs);
    List<Type> types;
    try {
      types = def.infer().infer(new InferContext(n));
    } catch (RuntimeException e) {
      graph.remove(n);
      if (e instanceof IrException) throw e;
      throw new IrException(n, "type inference failed: " + e.getMessage(), e);
    }
    List<Value> outs = new ArrayList<>(types.size());
    for (int i = 0; i < types.size(); i++) {
      String hint = names != null && i < names.size() && names.get(i) != null ? names.get(i) : opName;
      Value out = n.addOutput(deferred != null ? hint : graph.claim(hint), types.get(i));
      if (deferred != null) deferred.add(out);
      outs.add(out);
    }
    return outs;
  }

  public List<Value> op(String opName, List<Value> inputs, Map<String, Attribute> attrs) {
    return op(opName, inputs, attrs, null);
  }

  /** Single-result shorthand. */
  public Value op1(String opName, Map<String, Attribute> attrs, Value... inputs) {
    List<Value> outs = op(opName, Arrays.asList(inputs), attrs, null);
    if (outs.size() != 1) throw new IrException("op " + opName + " has " + outs.size() + " results, expected 1");
    return outs.get(0);
  }

  public Value op1(String opName, Value... inputs) { return op1(opName, Map.of(), inputs); }

  public Value constant(Tensor t) { return op1(Constants.OP, Map.of("value", Attribute.of(t))); }

  public Value constant(Tensor t, String name) {
    return op(Constants.OP, List.of(), Map.of("value", Attribute.of(t)), List.of(name)).get(0);
  }

  /** The node created last (e.g. to set a location or read its results). */
  public Node lastNode() {
    if (before != null) {
      List<Node> ns = graph.nodes();
      return ns.get(ns.indexOf(before) - 1);
    }
    List<Node> ns = graph.nodes();
    return ns.get(ns.size() - 1);
  }
}
