package dev.weft.frontend.onnx;

import dev.weft.bundle.DType;
import dev.weft.bundle.Tensor;
import dev.weft.bundle.WeftException;
import dev.weft.frontend.onnx.proto.OnnxProto.AttributeProto;
import dev.weft.frontend.onnx.proto.OnnxProto.FunctionProto;
import dev.weft.frontend.onnx.proto.OnnxProto.GraphProto;
import dev.weft.frontend.onnx.proto.OnnxProto.ModelProto;
import dev.weft.frontend.onnx.proto.OnnxProto.NodeProto;
import dev.weft.frontend.onnx.proto.OnnxProto.OperatorSetIdProto;
import dev.weft.frontend.onnx.proto.OnnxProto.SparseTensorProto;
import dev.weft.frontend.onnx.proto.OnnxProto.StringStringEntryProto;
import dev.weft.frontend.onnx.proto.OnnxProto.TensorProto;
import dev.weft.frontend.onnx.proto.OnnxProto.ValueInfoProto;
import dev.weft.ir.Attribute;
import dev.weft.ir.Constants;
import dev.weft.ir.Dim;
import dev.weft.ir.Graph;
import dev.weft.ir.GraphBuilder;
import dev.weft.ir.Location;
import dev.weft.ir.Module;
import dev.weft.ir.Node;
import dev.weft.ir.TensorType;
import dev.weft.ir.Type;
import dev.weft.ir.Value;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Imports an ONNX model into a {@link Module}. Before any handler runs it checks subgraph
 * nesting depth (iteratively) and the op coverage; then, graph by graph, it declares inputs
 * and initializers, orders the nodes (sorting an unsorted graph deterministically, rejecting
 * cycles), lowers each node through the {@link OnnxOpTable} (or inlines a model-local
 * function), names results after their ONNX outputs and checks them against the memory
 * budget. Every error names the file and the node or tensor.
 */
public final class OnnxImporter implements ImportContext {
  /** Import limits. */
  public record Options(int maxSubgraphDepth, int maxFunctionDepth, long memoryBudgetBytes, OnnxOpTable table) {
    public static Options defaults() { return new Options(32, 16, 8L << 30, null); }

    public Options withMaxSubgraphDepth(int d) { return new Options(d, maxFunctionDepth, memoryBudgetBytes, table); }

    public Options withMemoryBudget(long bytes) { return new Options(maxSubgraphDepth, maxFunctionDepth, bytes, table); }

    public Options withTable(OnnxOpTable t) { return new Options(maxSubgraphDepth, maxFunctionDepth, memoryBudgetBytes, t); }
  }

  /** Names visible while importing one graph or one inlined function body. */
  private static final class Scope {
    final Scope parent;                 // lexical parent for name lookup; null for main graphs and function bodies
    final Graph graph;
    final GraphBuilder builder;
    final Map<String, Value> names = new HashMap<>();
    final Map<String, Long> opsets;
    final int depth;                    // subgraph nesting depth
    final int functionDepth;
    final String prefix;                // non-null inside a function body: IR names are prefix + ONNX name
    final Map<String, AttributeProto> functionAttrs;  // the caller's attributes, for ref_attr_name

    Scope(Scope parent, Graph graph, GraphBuilder builder, Map<String, Long> opsets, int depth, int functionDepth,
        String prefix, Map<String, AttributeProto> functionAttrs) {
      this.parent = parent;
      this.graph = graph;
      this.builder = builder;
      this.opsets = opsets;
      this.depth = depth;
      this.functionDepth = functionDepth;
      this.prefix = prefix;
      this.functionAttrs = functionAttrs;
    }
  }

  private final OnnxModel model;
  private final Options options;
  private final OnnxOpTable table;
  private final ExternalData external;
  private final String file;
  private final Map<String, Long> modelOpsets;
  private final Map<String, FunctionProto> functions = new TreeMap<>();
  private final List<String> warnings = new ArrayList<>();
  private final Set<Value> renamed = Collections.newSetFromMap(new IdentityHashMap<>());
  private Graph main;
  private Scope scope;
  private OnnxNode current;
  private int inlineCounter;

  private OnnxImporter(OnnxModel model, Options options) {
    this.model = model;
    this.options = options;
    this.table = options.table() != null ? options.table() : OnnxOpTable.standard();
    this.external = model.externalData();
    this.file = model.fileName();
    this.modelOpsets = OnnxCoverage.opsets(model.proto().getOpsetImportList());
    for (FunctionProto f : model.proto().getFunctionsList()) {
      functions.put(OnnxCoverage.functionKey(f.getDomain(), f.getName()), f);
    }
  }

  public static Module importModel(OnnxModel model) { return importModel(model, Options.defaults()); }

  public static Module importModel(OnnxModel model, Options options) { return new OnnxImporter(model, options).run(); }

  /** Imports and also returns the warnings (e.g. a graph that had to be sorted). */
  public static Module importModel(OnnxModel model, Options options, List<String> warningsOut) {
    OnnxImporter imp = new OnnxImporter(model, options);
    Module m = imp.run();
    warningsOut.addAll(imp.warnings);
    return m;
  }

  private Module run() {
    ModelProto mp = model.proto();
    OnnxCoverage.checkNesting(mp, options.maxSubgraphDepth(), file);
    OnnxCoverage.Report coverage = OnnxCoverage.scan(mp, table);
    List<OnnxCoverage.Entry> missing = coverage.unsupported();
    if (!missing.isEmpty()) {
      OnnxCoverage.Entry e = missing.get(0);
      StringBuilder sb = new StringBuilder(file).append(": ").append(unsupportedMessage(e.domain(), e.opType(), e.version(), e.nodes().get(0)));
      if (missing.size() > 1) {
        sb.append(" (and ").append(missing.size() - 1).append(" more:");
        for (int i = 1; i < missing.size(); i++) {
          OnnxCoverage.Entry o = missing.get(i);
          sb.append(' ').append(o.domain().isEmpty() ? "" : o.domain() + "::").append(o.opType()).append('-').append(o.version());
        }
        sb.append(')');
      }
      throw new OnnxUnsupportedOpException(sb.toString(), missing);
    }
    GraphProto gp = mp.getGraph();
    main = new Graph(gp.getName().isEmpty() ? "main" : gp.getName());
    scope = new Scope(null, main, new GraphBuilder(main), modelOpsets, 0, 0, null, Map.of());
    try {
      importGraph(gp, scope, null);
    } catch (StackOverflowError e) {
      throw new OnnxImportException(file + ": model is nested too deeply to import", null);
    }
    Module m = new Module(main);
    m.setSourceFile(file);
    putMetadata(m, mp);
    return m;
  }

  static String unsupportedMessage(String domain, String opType, long version, String node) {
    return "unsupported op: domain=" + (domain.isEmpty() ? "ai.onnx" : domain) + ", op_type=" + opType
        + ", version=" + version + ", node '" + node + "'";
  }

  private void putMetadata(Module m, ModelProto mp) {
    m.putMetadata("onnx.ir_version", Long.toString(mp.getIrVersion()));
    if (!mp.getProducerName().isEmpty()) m.putMetadata("onnx.producer_name", mp.getProducerName());
    if (!mp.getProducerVersion().isEmpty()) m.putMetadata("onnx.producer_version", mp.getProducerVersion());
    if (!mp.getDomain().isEmpty()) m.putMetadata("onnx.domain", mp.getDomain());
    if (mp.getModelVersion() != 0) m.putMetadata("onnx.model_version", Long.toString(mp.getModelVersion()));
    if (!mp.getDocString().isEmpty()) m.putMetadata("onnx.doc_string", mp.getDocString());
    for (OperatorSetIdProto o : mp.getOpsetImportList()) {
      m.putMetadata("onnx.opset." + (o.getDomain().isEmpty() ? "ai.onnx" : o.getDomain()), Long.toString(o.getVersion()));
    }
    for (StringStringEntryProto e : mp.getMetadataPropsList()) m.putMetadata("onnx.meta." + e.getKey(), e.getValue());
  }

  // ---- graphs ----

  private void importGraph(GraphProto gp, Scope s, List<Type> inputTypes) {
    Set<String> initNames = new HashSet<>();
    for (TensorProto t : gp.getInitializerList()) initNames.add(t.getName());
    for (SparseTensorProto t : gp.getSparseInitializerList()) initNames.add(t.getValues().getName());
    String gname = s.graph.name();

    for (int i = 0; i < gp.getInputCount(); i++) {
      ValueInfoProto vi = gp.getInput(i);
      if (vi.getName().isEmpty()) throw new OnnxImportException(file + ": graph '" + gname + "' input " + i + " has no name");
      if (initNames.contains(vi.getName())) continue;  // IR < 4 lists initializers as inputs
      Type declared = inputTypes != null && i < inputTypes.size() ? inputTypes.get(i) : null;
      Type t = declared != null ? declared : typeOf(vi, "input '" + vi.getName() + "' of graph '" + gname + "'");
      declare(s, vi.getName(), s.graph.addInput(vi.getName(), t), false);
    }
    // Reserve every ONNX name first, so intermediate IR values never take one.
    for (String n : initNames) s.graph.claim(n);
    for (NodeProto n : gp.getNodeList()) for (String o : n.getOutputList()) if (!o.isEmpty()) s.graph.claim(o);

    for (TensorProto t : gp.getInitializerList()) {
      if (t.getName().isEmpty()) throw new OnnxImportException(file + ": graph '" + gname + "' has an initializer without a name");
      Tensor value = decodeChecked(t, file);
      declareConstant(s, t.getName(), value);
    }
    for (SparseTensorProto sp : gp.getSparseInitializerList()) {
      String name = sp.getValues().getName();
      if (name.isEmpty()) throw new OnnxImportException(file + ": graph '" + gname + "' has a sparse initializer without a name");
      declareConstant(s, name, OnnxTensors.decodeSparse(sp, external, file, options.memoryBudgetBytes()));
    }

    List<NodeProto> order = NodeOrder.sort(gp.getNodeList(), name -> isDefined(s, name), file, gname, warnings);
    for (NodeProto n : order) lowerNode(n, s);

    for (ValueInfoProto vi : gp.getOutputList()) {
      if (!isDefined(s, vi.getName())) {
        throw new OnnxImportException(file + ": output '" + vi.getName() + "' of graph '" + gname
            + "' is not produced by any node, input or initializer");
      }
      Value v = lookup(s, vi.getName());
      if (v == null) throw new OnnxImportException(file + ": output '" + vi.getName() + "' of graph '" + gname + "' is empty");
      s.graph.addOutput(v);
    }
  }

  private Tensor decodeChecked(TensorProto t, String where) {
    long bytes = OnnxTensors.declaredMemoryBytes(t, where);
    if (bytes > options.memoryBudgetBytes()) {
      throw new OnnxImportException(OnnxTensors.describe(t, where) + ": declared size " + bytes
          + " bytes exceeds the memory budget of " + options.memoryBudgetBytes() + " bytes");
    }
    return OnnxTensors.decode(t, external, where);
  }

  private void declareConstant(Scope s, String name, Tensor value) {
    s.builder.at(Location.named(file, "initializer " + name));
    Value v = s.builder.op(Constants.OP, List.of(), Map.of("value", Attribute.of(value)), List.of(name)).get(0);
    declare(s, name, v, true);
  }

  private boolean isDefined(Scope s, String name) {
    for (Scope c = s; c != null; c = c.parent) if (c.names.containsKey(name)) return true;
    return false;
  }

  /** The innermost scope binding {@code name} (its value may be null: an omitted optional), or null. */
  private static Scope definingScope(Scope s, String name) {
    for (Scope c = s; c != null; c = c.parent) if (c.names.containsKey(name)) return c;
    return null;
  }

  private Value lookup(Scope s, String name) {
    for (Scope c = s; c != null; c = c.parent) if (c.names.containsKey(name)) return c.names.get(name);
    return null;
  }

  /**
   * Binds an ONNX name in a scope; {@code fresh} values (made for this name) take it as their IR
   * name. Returns whether it named {@code v}.
   */
  private boolean declare(Scope s, String name, Value v, boolean fresh) {
    if (s.names.containsKey(name)) {
      throw new OnnxImportException(file + ": duplicate value name '" + name + "' in graph '" + s.graph.name() + "'");
    }
    for (Scope c = s.parent; c != null; c = c.parent) {
      if (c.names.containsKey(name)) {
        throw new OnnxImportException(file + ": value name '" + name + "' in graph '" + s.graph.name()
            + "' shadows a value of enclosing graph '" + c.graph.name() + "' (ONNX graphs are SSA)");
      }
    }
    s.names.put(name, v);
    if (v != null && fresh && !renamed.contains(v)) {
      if (s.prefix == null) {
        v.setName(name);
        renamed.add(v);
      } else {
        v.setName(s.graph.claim(s.prefix + name));
      }
      return true;
    }
    return false;
  }

  // ---- nodes ----

  private void lowerNode(NodeProto np, Scope s) {
    np = substituteAttributeRefs(np, s);
    String label = OnnxCoverage.nodeLabel(np);
    String domain = OnnxOpTable.normalizeDomain(np.getDomain());
    long version = s.opsets.getOrDefault(domain, 0L);
    List<Value> inputs = new ArrayList<>(np.getInputCount());
    for (String in : np.getInputList()) {
      if (in.isEmpty()) {
        inputs.add(null);
      } else {
        Scope where = definingScope(s, in);
        if (where == null) {
          throw new OnnxImportException(file + ": node '" + label + "' (" + np.getOpType() + "): input '" + in
              + "' is not defined (not a graph input, initializer or output of an earlier node)");
        }
        inputs.add(where.names.get(in));
      }
    }
    FunctionProto fn = functions.isEmpty() ? null : functions.get(OnnxCoverage.functionKey(np.getDomain(), np.getOpType()));
    OnnxNode node = new OnnxNode(np, inputs, version, this);
    int mark = s.graph.nodes().size();
    List<Value> results;
    OnnxNode saved = current;
    current = node;
    // Results are named below: by their ONNX output names (reserved up front), the others
    // (intermediates of a decomposition) by a name claimed then.
    List<Value> unnamed = new ArrayList<>(2);
    List<Value> outerUnnamed = s.builder.deferNames(unnamed);
    try {
      s.builder.at(Location.named(file, label));
      if (fn != null) {
        results = inlineFunction(node, fn, inputs, s);
      } else {
        OnnxOpHandler h = table.find(domain, np.getOpType(), version);
        if (h == null) {
          throw new OnnxUnsupportedOpException(file + ": " + unsupportedMessage(domain, np.getOpType(), version, label), List.of());
        }
        results = h.lower(node, this);
      }
    } catch (OnnxImportException e) {
      throw e;
    } catch (WeftException e) {
      throw new OnnxImportException(where(node) + ": " + e.getMessage(), e);
    } catch (RuntimeException e) {
      throw new OnnxImportException(where(node) + ": internal error while lowering: " + e, e);
    } finally {
      current = saved;
      s.builder.deferNames(outerUnnamed);
    }
    // Values this node's lowering made (usually one or two: a list, not a hash set per node).
    List<Value> fresh = new ArrayList<>(2);
    List<Node> all = s.graph.nodes();
    for (int i = mark; i < all.size(); i++) {
      for (Value v : all.get(i).outputs()) {
        checkBudget(node, v);
        fresh.add(v);
      }
    }
    if (results == null) {
      for (Value v : unnamed) v.setName(s.graph.claim(v.name()));
      throw fail(node, "handler returned no results");
    }
    List<Value> named = new ArrayList<>(np.getOutputCount());
    for (int i = 0; i < np.getOutputCount(); i++) {
      String out = np.getOutput(i);
      if (out.isEmpty()) continue;
      Value v = i < results.size() ? results.get(i) : null;
      if (v == null) throw fail(node, "output " + i + " ('" + out + "') was requested but the op does not produce it");
      if (declare(s, out, v, containsIdentity(fresh, v))) named.add(v);
    }
    for (Value v : unnamed) if (!containsIdentity(named, v)) v.setName(s.graph.claim(v.name()));
  }

  private static boolean containsIdentity(List<Value> values, Value v) {
    for (Value x : values) if (x == v) return true;
    return false;
  }

  private void checkBudget(OnnxNode node, Value v) {
    if (!(v.type() instanceof TensorType tt) || !tt.shape().isStatic()) return;
    long bytes;
    try {
      bytes = Math.multiplyExact(tt.shape().elementCount(), (long) Math.max(1, tt.dtype().byteSize()));
    } catch (ArithmeticException e) {
      throw fail(node, "result type " + tt + " has a byte size that overflows int64");
    }
    if (bytes > options.memoryBudgetBytes()) {
      throw fail(node, "result type " + tt + " needs " + bytes + " bytes, over the memory budget of "
          + options.memoryBudgetBytes() + " bytes");
    }
  }

  /** Replaces attributes that refer to the enclosing function's attributes ({@code ref_attr_name}). */
  private static NodeProto substituteAttributeRefs(NodeProto np, Scope s) {
    boolean any = false;
    for (AttributeProto a : np.getAttributeList()) any |= !a.getRefAttrName().isEmpty();
    if (!any) return np;
    NodeProto.Builder b = np.toBuilder().clearAttribute();
    for (AttributeProto a : np.getAttributeList()) {
      if (a.getRefAttrName().isEmpty()) {
        b.addAttribute(a);
      } else {
        AttributeProto actual = s.functionAttrs.get(a.getRefAttrName());
        if (actual != null) b.addAttribute(actual.toBuilder().setName(a.getName()).clearRefAttrName().build());
      }
    }
    return b.build();
  }

  private List<Value> inlineFunction(OnnxNode call, FunctionProto fn, List<Value> inputs, Scope s) {
    if (s.functionDepth + 1 > options.maxFunctionDepth()) {
      throw fail(call, "model-local functions nest deeper than " + options.maxFunctionDepth() + " (recursive function?)");
    }
    if (inputs.size() > fn.getInputCount()) {
      throw fail(call, "function '" + fn.getName() + "' takes " + fn.getInputCount() + " inputs, node passes " + inputs.size());
    }
    Map<String, AttributeProto> attrs = new LinkedHashMap<>();
    for (AttributeProto a : fn.getAttributeProtoList()) attrs.put(a.getName(), a);
    for (AttributeProto a : call.proto().getAttributeList()) attrs.put(a.getName(), a);
    Map<String, Long> opsets = new TreeMap<>(modelOpsets);
    opsets.putAll(OnnxCoverage.opsets(fn.getOpsetImportList()));
    String base = call.name().isEmpty() ? fn.getName() : call.name();
    String prefix = base + "#" + (inlineCounter++) + "/";
    Scope fs = new Scope(null, s.graph, s.builder, opsets, s.depth, s.functionDepth + 1, prefix, attrs);
    for (int i = 0; i < fn.getInputCount(); i++) {
      fs.names.put(fn.getInput(i), i < inputs.size() ? inputs.get(i) : null);
    }
    List<NodeProto> order = NodeOrder.sort(fn.getNodeList(), name -> fs.names.containsKey(name), file,
        "function " + fn.getName(), warnings);
    Scope saved = scope;
    scope = fs;
    try {
      for (NodeProto n : order) lowerNode(n, fs);
    } finally {
      scope = saved;
      s.builder.at(Location.named(file, OnnxCoverage.nodeLabel(call.proto())));
    }
    List<Value> out = new ArrayList<>();
    for (String o : fn.getOutputList()) {
      if (!fs.names.containsKey(o)) throw fail(call, "function '" + fn.getName() + "' does not define its output '" + o + "'");
      out.add(fs.names.get(o));
    }
    return out;
  }

  // ---- types ----

  private Type typeOf(ValueInfoProto vi, String what) {
    if (!vi.hasType()) throw new OnnxImportException(file + ": " + what + " has no type");
    return OnnxTypes.typeOf(vi.getType(), file + ": " + what, scope.graph, 0);
  }

  // ---- ImportContext ----

  @Override
  public GraphBuilder builder() { return scope.builder; }

  @Override
  public long opset(String domain) { return scope.opsets.getOrDefault(OnnxOpTable.normalizeDomain(domain), 0L); }

  @Override
  public Tensor constantValue(Value v) {
    for (int hops = 0; v != null && hops < 64; hops++) {
      Tensor t = Constants.valueOf(v);
      if (t != null) return t;
      Node p = v.producer();
      if (p == null || !p.opName().equals("identity")) return null;
      v = p.input(0);
    }
    return null;
  }

  @Override
  public Value constant(Tensor t) { return scope.builder.constant(t); }

  @Override
  public Value constI64(long... values) { return constant(Tensor.ofLongs(new long[] {values.length}, values)); }

  @Override
  public Value scalar(DType dtype, double value) { return constant(Tensor.scalar(dtype, value)); }

  @Override
  public Graph subgraph(GraphProto g, List<Type> inputTypes) {
    OnnxNode node = current;
    int depth = scope.depth + 1;
    if (depth > options.maxSubgraphDepth()) {
      throw fail(node, "subgraph nesting depth exceeds the limit of " + options.maxSubgraphDepth());
    }
    String name = !g.getName().isEmpty() ? g.getName()
        : (node == null ? "subgraph" : OnnxCoverage.nodeLabel(node.proto()) + "_body");
    Graph sub = new Graph(name);
    // The subgraph is attached to its node only after the handler returns; until then its fresh
    // symbols would restart at _s0. Start it past the enclosing counter and move that past it after.
    Scope saved = scope;
    sub.reserveSymbols(symbolIndex(saved.graph.freshSymbol()) + 1);
    OnnxNode savedNode = current;
    scope = new Scope(saved, sub, new GraphBuilder(sub), saved.opsets, depth, saved.functionDepth, null, saved.functionAttrs);
    try {
      importGraph(g, scope, inputTypes);
    } finally {
      scope = saved;
      current = savedNode;
      if (savedNode != null) saved.builder.at(Location.named(file, OnnxCoverage.nodeLabel(savedNode.proto())));
    }
    saved.graph.reserveSymbols(symbolIndex(sub.freshSymbol()) + 1);
    return sub;
  }

  private static int symbolIndex(Dim d) {
    String n = ((Dim.Symbol) d).name();
    return Integer.parseInt(n.substring(2));
  }

  @Override
  public Tensor tensor(TensorProto t) {
    String where = current == null ? file : where(current);
    return decodeChecked(t, where);
  }

  @Override
  public Tensor sparseTensor(SparseTensorProto t) {
    String where = current == null ? file : where(current);
    return OnnxTensors.decodeSparse(t, external, where, options.memoryBudgetBytes());
  }

  @Override
  public void checkAllocation(OnnxNode node, DType dtype, long[] shape) {
    long bytes;
    try {
      bytes = Math.multiplyExact(dev.weft.bundle.Tensor.elementCount(shape), (long) Math.max(1, dtype.byteSize()));
    } catch (ArithmeticException | IllegalArgumentException e) {
      throw fail(node, "tensor of " + dtype + java.util.Arrays.toString(shape) + " has an invalid or overflowing size");
    }
    if (bytes > options.memoryBudgetBytes()) {
      throw fail(node, "tensor of " + dtype + java.util.Arrays.toString(shape) + " needs " + bytes
          + " bytes, over the memory budget of " + options.memoryBudgetBytes() + " bytes");
    }
  }

  @Override
  public OnnxImportException fail(OnnxNode node, String detail) {
    return new OnnxImportException((node == null ? file : where(node)) + ": " + detail);
  }

  private String where(OnnxNode node) {
    return file + ": node '" + OnnxCoverage.nodeLabel(node.proto()) + "' (" + node.opType() + "-" + node.version() + ")";
  }
}
