package dev.weft.frontend.onnx;

import dev.weft.frontend.onnx.proto.OnnxProto.AttributeProto;
import dev.weft.frontend.onnx.proto.OnnxProto.FunctionProto;
import dev.weft.frontend.onnx.proto.OnnxProto.GraphProto;
import dev.weft.frontend.onnx.proto.OnnxProto.ModelProto;
import dev.weft.frontend.onnx.proto.OnnxProto.NodeProto;
import dev.weft.frontend.onnx.proto.OnnxProto.OperatorSetIdProto;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The up-front op census of a model: every (domain, op_type, opset version) used anywhere
 * (main graph, subgraphs, model-local functions), whether the import table or a model-local
 * function covers it, and the nodes using it. Walks iteratively, so nesting depth cannot
 * overflow the stack.
 */
public final class OnnxCoverage {
  /** One op as used by the model. {@code function}: provided by a model-local function. */
  public record Entry(String domain, String opType, long version, boolean supported, boolean function, List<String> nodes) {
    public String describe() {
      return (domain.isEmpty() ? "ai.onnx" : domain) + "::" + opType + "-" + version
          + (supported ? (function ? "  function" : "  ok") : "  UNSUPPORTED") + "  (" + nodes.size() + " node"
          + (nodes.size() == 1 ? "" : "s") + ": " + String.join(", ", nodes.subList(0, Math.min(5, nodes.size())))
          + (nodes.size() > 5 ? ", ..." : "") + ")";
    }
  }

  /** The census, sorted by domain, op type and version. */
  public record Report(List<Entry> entries) {
    public List<Entry> unsupported() { return entries.stream().filter(e -> !e.supported()).toList(); }

    public boolean fullySupported() { return unsupported().isEmpty(); }

    /** One line per op, for {@code weft inspect --ops}. */
    public String format() {
      StringBuilder sb = new StringBuilder();
      for (Entry e : entries) sb.append(e.describe()).append('\n');
      return sb.toString();
    }
  }

  private OnnxCoverage() {}

  public static Report scan(ModelProto model) { return scan(model, OnnxOpTable.standard()); }

  public static Report scan(ModelProto model, OnnxOpTable table) {
    Map<String, Long> modelOpsets = opsets(model.getOpsetImportList());
    Map<String, FunctionProto> functions = new TreeMap<>();
    for (FunctionProto f : model.getFunctionsList()) functions.put(functionKey(f.getDomain(), f.getName()), f);

    record Work(GraphProto graph, List<NodeProto> nodes, Map<String, Long> opsets) {}
    Deque<Work> work = new ArrayDeque<>();
    work.push(new Work(model.getGraph(), null, modelOpsets));
    for (FunctionProto f : model.getFunctionsList()) {
      Map<String, Long> fo = new TreeMap<>(modelOpsets);
      fo.putAll(opsets(f.getOpsetImportList()));
      work.push(new Work(null, f.getNodeList(), fo));
    }
    // Keyed by a record and sorted once at the end: a formatted string key per node was most
    // of this scan's time on 100k-node graphs, and the table lookups only need one per op.
    record Key(String domain, String opType, long version) {}
    HashMap<Key, Entry> out = new HashMap<>();
    while (!work.isEmpty()) {
      Work w = work.pop();
      List<NodeProto> nodes = w.graph != null ? w.graph.getNodeList() : w.nodes;
      for (NodeProto n : nodes) {
        String domain = OnnxOpTable.normalizeDomain(n.getDomain());
        long version = w.opsets.getOrDefault(domain, 0L);
        Entry e = out.computeIfAbsent(new Key(domain, n.getOpType(), version), k -> {
          boolean fn = functions.containsKey(functionKey(n.getDomain(), k.opType()));
          boolean ok = fn || table.find(k.domain(), k.opType(), k.version()) != null;
          return new Entry(k.domain(), k.opType(), k.version(), ok, fn, new ArrayList<>());
        });
        e.nodes().add(nodeLabel(n));
        for (AttributeProto a : n.getAttributeList()) {
          if (a.hasG()) work.push(new Work(a.getG(), null, w.opsets));
          for (GraphProto g : a.getGraphsList()) work.push(new Work(g, null, w.opsets));
        }
      }
    }
    List<Entry> sorted = new ArrayList<>(out.values());
    sorted.sort(Comparator.comparing(Entry::domain).thenComparing(Entry::opType).thenComparingLong(Entry::version));
    return new Report(List.copyOf(sorted));
  }

  /**
   * Fails when subgraphs nest deeper than {@code max}, naming the node; iterative, so a
   * 10,000-deep model cannot overflow the stack. Runs before any handler.
   */
  public static void checkNesting(ModelProto mp, int max, String file) {
    record Item(GraphProto g, List<NodeProto> nodes, int depth, String where) {}
    Deque<Item> work = new ArrayDeque<>();
    work.push(new Item(mp.getGraph(), null, 0, "main graph"));
    for (FunctionProto f : mp.getFunctionsList()) work.push(new Item(null, f.getNodeList(), 0, "function '" + f.getName() + "'"));
    while (!work.isEmpty()) {
      Item it = work.pop();
      for (NodeProto n : it.g != null ? it.g.getNodeList() : it.nodes) {
        for (AttributeProto a : n.getAttributeList()) {
          int subs = (a.hasG() ? 1 : 0) + a.getGraphsCount();
          if (subs == 0) continue;
          if (it.depth + 1 > max) {
            throw new OnnxImportException(file + ": node '" + OnnxCoverage.nodeLabel(n) + "' (" + n.getOpType() + ") in "
                + it.where + ": subgraph nesting depth exceeds the limit of " + max);
          }
          String where = "subgraph '" + a.getName() + "' of node '" + OnnxCoverage.nodeLabel(n) + "'";
          if (a.hasG()) work.push(new Item(a.getG(), null, it.depth + 1, where));
          for (GraphProto g : a.getGraphsList()) work.push(new Item(g, null, it.depth + 1, where));
        }
      }
    }
  }

  static String functionKey(String domain, String name) { return OnnxOpTable.normalizeDomain(domain) + "::" + name; }

  static Map<String, Long> opsets(List<OperatorSetIdProto> list) {
    Map<String, Long> m = new TreeMap<>();
    for (OperatorSetIdProto o : list) m.put(OnnxOpTable.normalizeDomain(o.getDomain()), o.getVersion());
    return m;
  }

  /** A node's name for diagnostics; unnamed nodes are named by op type and first output. */
  static String nodeLabel(NodeProto n) {
    if (!n.getName().isEmpty()) return n.getName();
    return n.getOpType() + (n.getOutputCount() > 0 ? "->" + n.getOutput(0) : "");
  }
}
