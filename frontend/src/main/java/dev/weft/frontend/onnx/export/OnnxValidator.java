package dev.weft.frontend.onnx.export;

import dev.weft.frontend.onnx.OnnxOpTable;
import dev.weft.frontend.onnx.proto.OnnxProto.AttributeProto;
import dev.weft.frontend.onnx.proto.OnnxProto.GraphProto;
import dev.weft.frontend.onnx.proto.OnnxProto.ModelProto;
import dev.weft.frontend.onnx.proto.OnnxProto.NodeProto;
import dev.weft.frontend.onnx.proto.OnnxProto.OperatorSetIdProto;
import dev.weft.frontend.onnx.proto.OnnxProto.TensorProto;
import dev.weft.frontend.onnx.proto.OnnxProto.ValueInfoProto;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Structural checks of a model, the ones ONNX's checker makes that matter for a writer: every
 * node input defined before use (graph inputs, initializers, earlier outputs, enclosing scopes),
 * every name defined once across the model, an opset import for every node's domain, unique
 * initializer names, typed graph inputs/outputs, outputs defined.
 */
public final class OnnxValidator {
  private OnnxValidator() {}

  /** The problems found, empty when the model is well formed. */
  public static List<String> check(ModelProto m) {
    List<String> problems = new ArrayList<>();
    Set<String> domains = new HashSet<>();
    for (OperatorSetIdProto o : m.getOpsetImportList()) {
      String d = OnnxOpTable.normalizeDomain(o.getDomain());
      if (!domains.add(d)) problems.add("opset_import lists domain '" + d + "' twice");
    }
    if (!domains.contains("")) problems.add("no opset_import for the default domain");
    if (!m.hasGraph()) {
      problems.add("model has no graph");
      return problems;
    }
    graph(m.getGraph(), new ArrayList<>(), new HashSet<>(), domains, problems, true);
    return problems;
  }

  private static void graph(GraphProto g, List<Set<String>> outer, Set<String> everyName, Set<String> domains,
      List<String> problems, boolean main) {
    String where = "graph '" + g.getName() + "'";
    Set<String> scope = new HashSet<>();
    Set<String> inits = new HashSet<>();
    for (TensorProto t : g.getInitializerList()) {
      if (!inits.add(t.getName())) problems.add(where + ": initializer '" + t.getName() + "' is defined twice");
      define(t.getName(), scope, everyName, where, problems);
    }
    for (ValueInfoProto v : g.getInputList()) {
      if (inits.contains(v.getName())) continue;
      if (main && !v.hasType()) problems.add(where + ": input '" + v.getName() + "' has no type");
      define(v.getName(), scope, everyName, where, problems);
    }
    List<Set<String>> visible = new ArrayList<>(outer);
    visible.add(scope);
    for (NodeProto n : g.getNodeList()) {
      String label = "node '" + n.getName() + "' (" + n.getOpType() + ")";
      if (!domains.contains(OnnxOpTable.normalizeDomain(n.getDomain()))) {
        problems.add(where + ": " + label + " uses domain '" + n.getDomain() + "' without an opset_import");
      }
      for (String in : n.getInputList()) {
        if (!in.isEmpty() && !defined(in, visible)) problems.add(where + ": " + label + " reads '" + in + "' before it is defined");
      }
      for (AttributeProto a : n.getAttributeList()) {
        if (a.hasG()) graph(a.getG(), visible, everyName, domains, problems, false);
        for (GraphProto sub : a.getGraphsList()) graph(sub, visible, everyName, domains, problems, false);
      }
      for (String out : n.getOutputList()) if (!out.isEmpty()) define(out, scope, everyName, where, problems);
    }
    for (ValueInfoProto v : g.getOutputList()) {
      if (main && !v.hasType()) problems.add(where + ": output '" + v.getName() + "' has no type");
      if (!scope.contains(v.getName())) problems.add(where + ": output '" + v.getName() + "' is not defined in the graph");
    }
  }

  private static boolean defined(String name, List<Set<String>> visible) {
    for (Set<String> s : visible) if (s.contains(name)) return true;
    return false;
  }

  private static void define(String name, Set<String> scope, Set<String> everyName, String where, List<String> problems) {
    if (name.isEmpty()) {
      problems.add(where + ": a value has an empty name");
      return;
    }
    scope.add(name);
    if (!everyName.add(name)) problems.add(where + ": '" + name + "' is defined twice (ONNX names are SSA across subgraphs)");
  }
}
