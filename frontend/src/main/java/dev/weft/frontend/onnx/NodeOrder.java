package dev.weft.frontend.onnx;

import dev.weft.frontend.onnx.proto.OnnxProto.AttributeProto;
import dev.weft.frontend.onnx.proto.OnnxProto.GraphProto;
import dev.weft.frontend.onnx.proto.OnnxProto.NodeProto;
import dev.weft.frontend.onnx.proto.OnnxProto.SparseTensorProto;
import dev.weft.frontend.onnx.proto.OnnxProto.TensorProto;
import dev.weft.frontend.onnx.proto.OnnxProto.ValueInfoProto;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.function.Predicate;

/**
 * Orders one graph's nodes producers-first. A sorted graph is kept as is; an unsorted one is
 * sorted deterministically (Kahn's algorithm, ready nodes in file order) with a warning. A node
 * consuming its own output, a cycle, or a name produced twice is a typed error naming the nodes.
 * Names a node's subgraphs capture from this graph count as its inputs.
 */
final class NodeOrder {
  private NodeOrder() {}

  static List<NodeProto> sort(List<NodeProto> nodes, Predicate<String> definedOutside, String file, String graph,
      List<String> warnings) {
    int n = nodes.size();
    Map<String, Integer> producer = new HashMap<>(Math.max(16, n * 2));   // presized: rehashing 100k names showed in import time
    for (int i = 0; i < n; i++) {
      NodeProto node = nodes.get(i);
      for (String o : node.getOutputList()) {
        if (o.isEmpty()) continue;
        Integer prev = producer.put(o, i);
        if (prev != null) {
          throw new OnnxImportException(file + ": duplicate value name '" + o + "' in graph '" + graph + "': output of node '"
              + OnnxCoverage.nodeLabel(nodes.get(prev)) + "' and of node '" + OnnxCoverage.nodeLabel(node) + "'");
        }
        if (definedOutside.test(o)) {
          throw new OnnxImportException(file + ": duplicate value name '" + o + "' in graph '" + graph + "': output of node '"
              + OnnxCoverage.nodeLabel(node) + "' is already a graph input, initializer or enclosing value");
        }
      }
    }
    // First only check the order (the common case: exporters write sorted graphs), without
    // building dependency lists; they are built below for a graph that needs sorting.
    boolean sorted = true;
    for (int i = 0; i < n; i++) {
      NodeProto node = nodes.get(i);
      for (String in : reads(node)) {
        if (in.isEmpty()) continue;
        Integer p = producer.get(in);
        if (p == null) continue;
        if (p == i) {
          throw new OnnxImportException(file + ": node '" + OnnxCoverage.nodeLabel(node) + "' in graph '" + graph
              + "' consumes its own output '" + in + "'");
        }
        if (p > i) sorted = false;
      }
    }
    if (sorted) return nodes;

    List<List<Integer>> deps = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      Set<Integer> d = new LinkedHashSet<>();
      for (String in : uses(nodes.get(i))) {
        Integer p = producer.get(in);
        if (p != null) d.add(p);
      }
      deps.add(new ArrayList<>(d));
    }
    int[] pending = new int[n];
    List<List<Integer>> users = new ArrayList<>(n);
    for (int i = 0; i < n; i++) users.add(new ArrayList<>());
    for (int i = 0; i < n; i++) {
      pending[i] = deps.get(i).size();
      for (int p : deps.get(i)) users.get(p).add(i);
    }
    PriorityQueue<Integer> ready = new PriorityQueue<>();
    for (int i = 0; i < n; i++) if (pending[i] == 0) ready.add(i);
    List<NodeProto> out = new ArrayList<>(n);
    while (!ready.isEmpty()) {
      int i = ready.poll();
      out.add(nodes.get(i));
      for (int u : users.get(i)) if (--pending[u] == 0) ready.add(u);
    }
    if (out.size() < n) {
      List<String> stuck = new ArrayList<>();
      for (int i = 0; i < n && stuck.size() < 10; i++) if (pending[i] > 0) stuck.add("'" + OnnxCoverage.nodeLabel(nodes.get(i)) + "'");
      throw new OnnxImportException(file + ": graph '" + graph + "' has a cycle; " + (n - out.size())
          + " nodes cannot be ordered: " + String.join(", ", stuck) + (n - out.size() > stuck.size() ? ", ..." : ""));
    }
    warnings.add(file + ": graph '" + graph + "' was not topologically sorted; its nodes were reordered");
    return out;
  }

  /** As {@link #uses}, but a node without subgraphs answers with its input list (empty names and repeats included). */
  private static List<String> reads(NodeProto node) {
    if (node.getAttributeCount() == 0) return node.getInputList();
    for (AttributeProto a : node.getAttributeList()) {
      if (a.hasG() || a.getGraphsCount() > 0) return new ArrayList<>(uses(node));
    }
    return node.getInputList();
  }

  /** Names a node reads: its inputs plus the names its subgraphs use but do not define. */
  static Set<String> uses(NodeProto node) {
    Set<String> used = new LinkedHashSet<>();
    for (String in : node.getInputList()) if (!in.isEmpty()) used.add(in);
    Set<String> inner = new HashSet<>();
    Set<String> defined = new HashSet<>();
    Deque<GraphProto> work = new ArrayDeque<>();
    for (AttributeProto a : node.getAttributeList()) {
      if (a.hasG()) work.push(a.getG());
      work.addAll(a.getGraphsList());
    }
    if (work.isEmpty()) return used;
    while (!work.isEmpty()) {
      GraphProto g = work.pop();
      for (ValueInfoProto vi : g.getInputList()) defined.add(vi.getName());
      for (TensorProto t : g.getInitializerList()) defined.add(t.getName());
      for (SparseTensorProto t : g.getSparseInitializerList()) defined.add(t.getValues().getName());
      for (ValueInfoProto vi : g.getOutputList()) inner.add(vi.getName());
      for (NodeProto m : g.getNodeList()) {
        for (String in : m.getInputList()) if (!in.isEmpty()) inner.add(in);
        defined.addAll(m.getOutputList());
        for (AttributeProto a : m.getAttributeList()) {
          if (a.hasG()) work.push(a.getG());
          work.addAll(a.getGraphsList());
        }
      }
    }
    for (String s : inner) if (!defined.contains(s)) used.add(s);
    return used;
  }
}
