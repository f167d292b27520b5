package dev.weft.frontend.onnx.export;

import com.google.protobuf.ByteString;
import dev.weft.bundle.Tensor;
import dev.weft.frontend.onnx.OnnxTensors;
import dev.weft.frontend.onnx.proto.OnnxProto.AttributeProto;
import dev.weft.frontend.onnx.proto.OnnxProto.AttributeProto.AttributeType;
import dev.weft.frontend.onnx.proto.OnnxProto.GraphProto;
import dev.weft.frontend.onnx.proto.OnnxProto.NodeProto;
import dev.weft.frontend.onnx.proto.OnnxProto.TensorProto;
import dev.weft.frontend.onnx.proto.OnnxProto.TensorShapeProto;
import dev.weft.frontend.onnx.proto.OnnxProto.TypeProto;
import dev.weft.frontend.onnx.proto.OnnxProto.ValueInfoProto;
import dev.weft.ir.Attribute;
import dev.weft.ir.Dim;
import dev.weft.ir.Graph;
import dev.weft.ir.GraphBuilder;
import dev.weft.ir.IrException;
import dev.weft.ir.Node;
import dev.weft.ir.OpDef;
import dev.weft.ir.OptionalType;
import dev.weft.ir.SequenceType;
import dev.weft.ir.TensorType;
import dev.weft.ir.Type;
import dev.weft.ir.Value;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * What an export rule works with: unique ONNX names for IR values, initializers, the graph
 * being written, attribute conversion, and the nodes it emits. One context exports one module;
 * everything it hands out is deterministic (names are claimed in schedule order).
 */
public final class ExportContext {
  /** The domain of IR ops written as themselves (no ONNX equivalent). */
  public static final String WEFT_DOMAIN = "dev.weft";

  private final ExportTable table;
  private final OnnxExporter.Options options;
  private final Map<Value, String> names = new IdentityHashMap<>();
  private final Set<Value> original = Collections.newSetFromMap(new IdentityHashMap<>());
  private final Set<String> usedNames = new HashSet<>();
  private final Set<String> usedNodeNames = new HashSet<>();
  private final TreeMap<String, Long> domains = new TreeMap<>();
  private final List<String> warnings = new ArrayList<>();
  private final Set<String> warned = new HashSet<>();

  private GraphProto.Builder graph;
  private boolean inMain;
  private Node current;

  ExportContext(ExportTable table, OnnxExporter.Options options) {
    this.table = table;
    this.options = options;
  }

  public OnnxExporter.Options options() { return options; }

  /** The default-domain opset the model declares. */
  public int opset() { return options.opset(); }

  /** Records that an emitted node needs {@code domain} at {@code version} or newer. */
  public void useDomain(String domain, long version) { domains.merge(domain, version, Math::max); }

  Map<String, Long> domains() { return domains; }

  /** A note for the user (an op written in the dev.weft domain, a lossy mapping), once per text. */
  public void warn(String message) {
    if (warned.add(message)) warnings.add(message);
  }

  List<String> warnings() { return warnings; }

  // ---- names ----

  /** Claims names for every value of {@code g} and its subgraphs, in schedule order, before any temporary. */
  void reserve(Graph g) {
    java.util.ArrayDeque<Graph> work = new java.util.ArrayDeque<>();
    work.add(g);
    while (!work.isEmpty()) {
      Graph x = work.poll();
      for (Value v : x.inputs()) claimValue(v);
      for (Node n : x.nodes()) {
        for (Value v : n.outputs()) claimValue(v);
        work.addAll(n.subgraphs());
      }
    }
  }

  private void claimValue(Value v) {
    original.add(v);
    name(v);
  }

  /** The ONNX name of {@code v}, claimed on first use (the IR name, suffixed if taken). */
  public String name(Value v) {
    String n = names.get(v);
    if (n == null) {
      n = fresh(v.name());
      names.put(v, n);
    }
    return n;
  }

  /** A new unique value name starting with {@code hint}. */
  public String fresh(String hint) {
    String base = hint == null || hint.isEmpty() ? "v" : hint;
    String n = base;
    for (int i = 1; !usedNames.add(n); i++) n = base + "_" + i;
    return n;
  }

  /** Operand {@code i} of {@code n} by name, or "" when absent (ONNX's empty optional input). */
  public String in(Node n, int i) {
    Value v = n.input(i);
    return v == null ? "" : name(v);
  }

  /** Every operand, absent ones as "". */
  public List<String> ins(Node n) {
    List<String> out = new ArrayList<>();
    for (int i = 0; i < n.inputCount(); i++) out.add(in(n, i));
    return out;
  }

  public String out(Node n, int i) { return name(n.output(i)); }

  public List<String> outs(Node n) {
    List<String> out = new ArrayList<>();
    for (Value v : n.outputs()) out.add(name(v));
    return out;
  }

  // ---- constants ----

  /** A constant tensor by name: an initializer in the main graph, a Constant node in a subgraph. */
  public String constant(Tensor t, String hint) {
    String name = fresh(hint);
    addConstant(t, name);
    return name;
  }

  /** A 1-D i64 constant (shapes, axes, pads, starts...). */
  public String constI64(String hint, long... values) {
    return constant(Tensor.ofLongs(new long[] {values.length}, values), hint);
  }

  /** A 0-D i64 constant. */
  public String scalarI64(String hint, long value) { return constant(Tensor.ofLongs(new long[0], value), hint); }

  /** Attribute {@code attr} of {@code n} as an i64 initializer when set, else operand {@code i} (or ""). */
  public String intsOr(Node n, String attr, int i) {
    Attribute a = n.attribute(attr);
    if (a instanceof Attribute.Ints ints) return constI64(outHint(n) + "_" + attr, ints.values());
    if (a instanceof Attribute.Int one) return constI64(outHint(n) + "_" + attr, one.value());
    return in(n, i);
  }

  String outHint(Node n) { return n.outputCount() > 0 ? name(n.output(0)) : n.opName(); }

  void addConstant(Tensor t, String name) {
    if (inMain) {
      graph.addInitializer(OnnxTensors.encode(t, name));
    } else {
      node("Constant", List.of(), List.of(name), List.of(attr("value", Attribute.of(t))));
    }
  }

  // ---- nodes ----

  /** Emits a default-domain node; trailing absent inputs are dropped. Returns the builder for extras. */
  public NodeProto.Builder node(String opType, List<String> inputs, List<String> outputs, List<AttributeProto> attrs) {
    return node("", opType, inputs, outputs, attrs);
  }

  public NodeProto.Builder node(String domain, String opType, List<String> inputs, List<String> outputs, List<AttributeProto> attrs) {
    List<String> in = new ArrayList<>(inputs);
    while (!in.isEmpty() && in.get(in.size() - 1).isEmpty()) in.remove(in.size() - 1);
    NodeProto.Builder b = NodeProto.newBuilder().setOpType(opType).addAllInput(in).addAllOutput(outputs).addAllAttribute(attrs);
    if (!domain.isEmpty()) {
      b.setDomain(domain);
      if (!domains.containsKey(domain)) useDomain(domain, 1);
    }
    String label = current == null ? null : current.location().name();
    if (label != null && !label.isEmpty()) {
      String nn = label;
      for (int i = 1; !usedNodeNames.add(nn); i++) nn = label + "_" + i;
      b.setName(nn);
    }
    graph.addNode(b);
    return graph.getNodeBuilderList().get(graph.getNodeCount() - 1);
  }

  /** Single-output shorthand that names its result freshly; returns the result name. */
  public String tmp(String opType, String hint, List<String> inputs, List<AttributeProto> attrs) {
    String out = fresh(hint);
    node(opType, inputs, List.of(out), attrs);
    return out;
  }

  /** Exports {@code n} through the table (rules call this for nodes they build, e.g. decompositions). */
  public void export(Node n) {
    Node saved = current;
    current = n;
    try {
      ExportRule rule = table.rule(n.opName());
      if (rule == null) rule = ExportTable.fallback(n.op());
      rule.export(n, this);
    } catch (OnnxExportException e) {
      throw e;
    } catch (RuntimeException e) {
      throw new OnnxExportException("cannot export " + n.describe() + ": " + e.getMessage(), e);
    } finally {
      current = saved;
    }
  }

  /**
   * Exports a composite as its decomposition: the expansion is built in a scratch graph that
   * reads the composite's operands, exported node by node, then taken apart again, so the
   * module being exported is left as it was.
   */
  public void decompose(Node n) {
    OpDef op = n.op();
    if (op.decomposition() == null) throw new OnnxExportException("op " + op.name() + " has no decomposition to export");
    Graph scratch = new Graph("decompose_" + op.name());
    GraphBuilder b = new GraphBuilder(scratch).at(n.location());
    List<Value> results;
    try {
      try {
        results = op.decomposition().expand(n, b);
      } catch (RuntimeException e) {
        // The composite's kernel covers a case its decomposition does not: keep the op itself.
        asWeftOp(n, "its decomposition failed: " + e.getMessage());
        return;
      }
      for (Node m : scratch.nodes()) export(m);
      for (int i = 0; i < n.outputCount(); i++) {
        Value r = i < results.size() ? results.get(i) : null;
        if (r == null) continue;
        alias(name(r), out(n, i));
      }
    } finally {
      List<Node> nodes = new ArrayList<>(scratch.nodes());
      for (int i = nodes.size() - 1; i >= 0; i--) scratch.remove(nodes.get(i));
    }
  }

  /** Makes {@code to} carry {@code from}'s value (an Identity node). */
  public void alias(String from, String to) {
    if (!from.equals(to)) node("Identity", List.of(from), List.of(to), List.of());
  }

  /** Writes {@code n} as itself in the dev.weft domain, attributes converted, and says so. */
  public void asWeftOp(Node n, String why) {
    List<AttributeProto> attrs = new ArrayList<>();
    n.attributes().forEach((k, a) -> attrs.add(attr(k, a)));
    node(WEFT_DOMAIN, n.opName(), ins(n), outs(n), attrs);
    warn("op '" + n.opName() + "' is written as " + WEFT_DOMAIN + "::" + n.opName() + " (" + why
        + "); other ONNX runtimes cannot run it");
  }

  // ---- attributes ----

  /** Attributes of {@code n} explicitly set and named in {@code keep}, converted under the same names. */
  public List<AttributeProto> attrs(Node n, String... keep) {
    List<AttributeProto> out = new ArrayList<>();
    for (String k : keep) {
      Attribute a = n.attribute(k);
      if (a != null) out.add(attr(k, a));
    }
    out.sort((x, y) -> x.getName().compareTo(y.getName()));
    return out;
  }

  /** Like {@link #attrs} but drops empty ints lists (IR's "not given" for conv/pool windows). */
  public List<AttributeProto> attrsNonEmpty(Node n, String... keep) {
    List<AttributeProto> out = new ArrayList<>();
    for (AttributeProto a : attrs(n, keep)) {
      if (a.getType() == AttributeType.INTS && a.getIntsCount() == 0) continue;
      if (a.getType() == AttributeType.STRINGS && a.getStringsCount() == 0) continue;
      out.add(a);
    }
    return out;
  }

  public AttributeProto attr(String name, Attribute a) {
    AttributeProto.Builder b = AttributeProto.newBuilder().setName(name);
    switch (a) {
      case Attribute.Int i -> b.setType(AttributeType.INT).setI(i.value());
      case Attribute.Float f -> b.setType(AttributeType.FLOAT).setF((float) f.value());
      case Attribute.Str s -> b.setType(AttributeType.STRING).setS(ByteString.copyFrom(s.value(), StandardCharsets.UTF_8));
      case Attribute.Ints is -> {
        b.setType(AttributeType.INTS);
        for (long v : is.values()) b.addInts(v);
      }
      case Attribute.Floats fs -> {
        b.setType(AttributeType.FLOATS);
        for (double v : fs.values()) b.addFloats((float) v);
      }
      case Attribute.Strs ss -> {
        b.setType(AttributeType.STRINGS);
        for (String v : ss.values()) b.addStrings(ByteString.copyFrom(v, StandardCharsets.UTF_8));
      }
      case Attribute.TensorValue t -> b.setType(AttributeType.TENSOR).setT(OnnxTensors.encode(t.value(), null));
      case Attribute.GraphValue g -> b.setType(AttributeType.GRAPH).setG(subgraph(g.value()));
      case Attribute.Graphs gs -> {
        b.setType(AttributeType.GRAPHS);
        for (Graph g : gs.values()) b.addGraphs(subgraph(g));
      }
      case Attribute.TypeValue t -> b.setType(AttributeType.TYPE_PROTO).setTp(type(t.value()));
      case Attribute.DTypeValue d -> b.setType(AttributeType.INT).setI(d.value().onnxCode());
    }
    return b.build();
  }

  public static AttributeProto intAttr(String name, long v) {
    return AttributeProto.newBuilder().setName(name).setType(AttributeType.INT).setI(v).build();
  }

  public static AttributeProto floatAttr(String name, double v) {
    return AttributeProto.newBuilder().setName(name).setType(AttributeType.FLOAT).setF((float) v).build();
  }

  public static AttributeProto stringAttr(String name, String v) {
    return AttributeProto.newBuilder().setName(name).setType(AttributeType.STRING)
        .setS(ByteString.copyFrom(v, StandardCharsets.UTF_8)).build();
  }

  // ---- types and graphs ----

  public static TypeProto type(Type t) {
    TypeProto.Builder b = TypeProto.newBuilder();
    switch (t) {
      case TensorType tt -> {
        TypeProto.Tensor.Builder tb = TypeProto.Tensor.newBuilder().setElemType(tt.dtype().onnxCode());
        if (tt.shape().isRanked()) {
          TensorShapeProto.Builder sb = TensorShapeProto.newBuilder();
          for (Dim d : tt.shape().dims()) {
            if (d instanceof Dim.Static s) sb.addDim(TensorShapeProto.Dimension.newBuilder().setDimValue(s.size()));
            else sb.addDim(TensorShapeProto.Dimension.newBuilder().setDimParam(((Dim.Symbol) d).name()));
          }
          tb.setShape(sb);
        }
        b.setTensorType(tb);
      }
      case SequenceType s -> b.setSequenceType(TypeProto.Sequence.newBuilder().setElemType(type(s.element())));
      case OptionalType o -> b.setOptionalType(TypeProto.Optional.newBuilder().setElemType(type(o.element())));
    }
    return b.build();
  }

  ValueInfoProto valueInfo(String name, Type t) {
    return ValueInfoProto.newBuilder().setName(name).setType(type(t)).build();
  }

  /** Writes {@code g} as the main graph. */
  GraphProto mainGraph(Graph g) {
    reserve(g);
    return write(g, true);
  }

  /** Writes a subgraph (If branch, Loop/Scan body); its constants become Constant nodes. */
  public GraphProto subgraph(Graph g) { return write(g, false); }

  private GraphProto write(Graph g, boolean main) {
    GraphProto.Builder saved = graph;
    boolean savedMain = inMain;
    Node savedNode = current;
    graph = GraphProto.newBuilder().setName(g.name());
    inMain = main;
    current = null;
    try {
      for (Value v : g.inputs()) graph.addInput(valueInfo(name(v), v.type()));
      for (Node n : g.nodes()) export(n);
      Set<String> outNames = new HashSet<>();
      for (Value v : g.outputs()) {
        String n = name(v);
        boolean outer = v.definingGraph() != g;
        if (outer || !outNames.add(n) || g.inputs().contains(v) && !main) {
          String copy = fresh(n + "_out");
          node("Identity", List.of(n), List.of(copy), List.of());
          n = copy;
          outNames.add(n);
        }
        graph.addOutput(valueInfo(n, v.type()));
      }
      if (options.valueInfo()) addValueInfo(g, outNames);
      return graph.build();
    } catch (IrException e) {
      throw new OnnxExportException("graph '" + g.name() + "': " + e.getMessage(), e);
    } finally {
      graph = saved;
      inMain = savedMain;
      current = savedNode;
    }
  }

  private void addValueInfo(Graph g, Set<String> outNames) {
    Set<String> inits = new HashSet<>();
    for (TensorProto t : graph.getInitializerList()) inits.add(t.getName());
    for (Node n : g.nodes()) {
      for (Value v : n.outputs()) {
        String nm = name(v);
        if (!original.contains(v) || outNames.contains(nm) || inits.contains(nm)) continue;
        graph.addValueInfo(valueInfo(nm, v.type()));
      }
    }
  }
}
