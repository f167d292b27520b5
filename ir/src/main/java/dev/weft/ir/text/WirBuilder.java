package dev.weft.ir.text;

import dev.weft.bundle.DType;
import dev.weft.ir.AttrSpec;
import dev.weft.ir.Attribute;
import dev.weft.ir.Dim;
import dev.weft.ir.Graph;
import dev.weft.ir.InferContext;
import dev.weft.ir.Location;
import dev.weft.ir.Module;
import dev.weft.ir.Node;
import dev.weft.ir.OpDef;
import dev.weft.ir.OpRegistry;
import dev.weft.ir.OptionalType;
import dev.weft.ir.SequenceType;
import dev.weft.ir.Shape;
import dev.weft.ir.TensorType;
import dev.weft.ir.Type;
import dev.weft.ir.Value;
import dev.weft.ir.text.grammar.WirParser.AttrContext;
import dev.weft.ir.text.grammar.WirParser.DimContext;
import dev.weft.ir.text.grammar.WirParser.FileContext;
import dev.weft.ir.text.grammar.WirParser.GraphContext;
import dev.weft.ir.text.grammar.WirParser.LocationContext;
import dev.weft.ir.text.grammar.WirParser.MetaContext;
import dev.weft.ir.text.grammar.WirParser.NameContext;
import dev.weft.ir.text.grammar.WirParser.NodeContext;
import dev.weft.ir.text.grammar.WirParser.OperandContext;
import dev.weft.ir.text.grammar.WirParser.OptTypeContext;
import dev.weft.ir.text.grammar.WirParser.ParamContext;
import dev.weft.ir.text.grammar.WirParser.ResultContext;
import dev.weft.ir.text.grammar.WirParser.SeqTypeContext;
import dev.weft.ir.text.grammar.WirParser.ShapeContext;
import dev.weft.ir.text.grammar.WirParser.TensorTypeContext;
import dev.weft.ir.text.grammar.WirParser.TypeContext;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.antlr.v4.runtime.ParserRuleContext;
import org.antlr.v4.runtime.tree.TerminalNode;

/**
 * Builds IR from a parse tree. Names resolve innermost graph first and only to values defined
 * earlier, as SSA and the printer's scoping assume; each node is typed by its op's shape
 * function, and a {@code : type} written in the text must agree with the inferred type (it
 * may refine it, e.g. name a symbol the inference left fresh).
 */
final class WirBuilder {
  private final Diag diag;
  private final OpRegistry registry;
  private final int maxDepth;
  private final int maxFreshSymbol;
  private final AttrBuilder attrs;
  /** Name scopes, innermost first. */
  private final Deque<Map<String, Value>> scopes = new ArrayDeque<>();

  WirBuilder(Diag diag, OpRegistry registry, WeightsSource weights, int maxDepth, int maxFreshSymbol) {
    this.diag = diag;
    this.registry = registry;
    this.maxDepth = maxDepth;
    this.maxFreshSymbol = maxFreshSymbol;
    this.attrs = new AttrBuilder(this, diag, weights);
  }

  Diag diag() { return diag; }

  Module module(FileContext f) {
    GraphContext gc = f.moduleDecl() != null ? f.moduleDecl().graph() : f.graph();
    Graph main = new Graph(WirSyntax.unsigil(gc.GRAPH_ID().getText()));
    main.reserveSymbols(maxFreshSymbol + 1);
    fill(main, gc, 0);
    Module m = new Module(main);
    if (f.moduleDecl() != null) {
      for (MetaContext mc : f.moduleDecl().meta()) {
        String key = WirSyntax.unquote(mc.STRING(0).getText());
        if (m.metadata().containsKey(key)) throw diag.at(mc, "duplicate metadata key \"" + key + "\"");
        m.putMetadata(key, WirSyntax.unquote(mc.STRING(1).getText()));
      }
    }
    return m;
  }

  /** A new subgraph's empty shell; {@link #fill} runs once its node holds it, so it knows its enclosing graph. */
  Graph shell(GraphContext gc) { return new Graph(WirSyntax.unsigil(gc.GRAPH_ID().getText())); }

  void fill(Graph g, GraphContext gc, int depth) {
    if (depth > maxDepth) throw diag.at(gc, "graphs nest deeper than " + maxDepth);
    Map<String, Value> scope = new HashMap<>();
    scopes.push(scope);
    for (ParamContext p : gc.param()) {
      String name = define(scope, p.VALUE_ID());
      scope.put(name, g.addInput(name, type(p.type())));
    }
    for (NodeContext n : gc.node()) node(g, n, depth);
    for (TerminalNode out : gc.VALUE_ID()) g.addOutput(lookup(out));
    scopes.pop();
  }

  private void node(Graph g, NodeContext nc, int depth) {
    String opName = nc.opName().STRING() != null ? WirSyntax.unquote(nc.opName().STRING().getText()) : nc.opName().getText();
    OpDef def = registry.find(opName);
    if (def == null) throw diag.at(nc.opName(), "unknown op '" + opName + "'");
    Node node = g.append(def, location(nc.location()));
    for (OperandContext o : nc.operand()) node.addInput(o.VALUE_ID() == null ? null : lookup(o.VALUE_ID()));
    int n = nc.operand().size();
    if (n < def.minInputs() || n > def.maxInputs()) {
      String range = def.maxInputs() == OpDef.VARIADIC ? "at least " + def.minInputs()
          : def.minInputs() == def.maxInputs() ? "" + def.minInputs() : def.minInputs() + " to " + def.maxInputs();
      throw diag.at(nc.opName(), "op '" + opName + "' takes " + range + " operands, found " + n);
    }
    if (nc.attrDict() != null) {
      for (AttrContext a : nc.attrDict().attr()) {
        String name = a.name() != null ? a.name().getText() : WirSyntax.unquote(a.STRING().getText());
        if (node.attribute(name) != null) throw diag.at(a, "duplicate attribute '" + name + "'");
        AttrSpec spec = def.attr(name);
        attrs.set(node, name, spec == null ? null : spec.kind(), a.attrValue(), depth);
      }
    }
    for (AttrSpec spec : def.attrs().values()) {
      if (spec.required() && node.attribute(spec.name()) == null) {
        throw diag.at(nc.opName(), "op '" + opName + "' requires attribute '" + spec.name() + "'");
      }
    }
    List<Type> types;
    try {
      types = def.infer().infer(new InferContext(node));
    } catch (RuntimeException e) {
      throw diag.at(nc.opName(), "op '" + opName + "': " + e.getMessage());
    }
    List<ResultContext> results = nc.result();
    if (results.size() != types.size()) {
      throw diag.at(nc, "op '" + opName + "' has " + types.size() + " results, found " + results.size() + " names");
    }
    Map<String, Value> scope = scopes.peek();
    for (int i = 0; i < results.size(); i++) {
      ResultContext r = results.get(i);
      Type t = types.get(i);
      if (r.type() != null) {
        Type written = type(r.type());
        if (!compatible(written, t)) {
          throw diag.at(r, "result " + r.VALUE_ID().getText() + " is written " + WirPrinter.type(written)
              + " but op '" + opName + "' infers " + WirPrinter.type(t));
        }
        t = written;
      }
      String name = define(scope, r.VALUE_ID());
      g.claim(name); // so names the graph invents later skip it
      scope.put(name, node.addOutput(name, t));
    }
  }

  /** Checks a new name against the current graph's scope (shadowing an enclosing graph is allowed). */
  private String define(Map<String, Value> scope, TerminalNode id) {
    String name = WirSyntax.unsigil(id.getText());
    if (name.isEmpty()) throw diag.at(id, "empty value name");
    if (scope.containsKey(name)) throw diag.at(id, "duplicate value name %" + name);
    return name;
  }

  private Value lookup(TerminalNode id) {
    String name = WirSyntax.unsigil(id.getText());
    for (Map<String, Value> s : scopes) {
      Value v = s.get(name);
      if (v != null) return v;
    }
    throw diag.at(id, "unknown value " + id.getText());
  }

  Type type(TypeContext tc) {
    return switch (tc) {
      case SeqTypeContext s -> new SequenceType(type(s.type()));
      case OptTypeContext o -> new OptionalType(type(o.type()));
      case TensorTypeContext t -> new TensorType(dtype(t.name()), shape(t.shape()));
      default -> throw new IllegalStateException("unknown type form " + tc.getText());
    };
  }

  DType dtype(NameContext n) {
    DType d = DType.fromTextName(n.getText());
    if (d == null) throw diag.at(n, "unknown dtype '" + n.getText() + "'");
    return d;
  }

  private Shape shape(ShapeContext sc) {
    if (sc.getChildCount() == 3 && sc.getChild(1).getText().equals("*")) return Shape.unranked();
    List<Dim> dims = new ArrayList<>();
    for (DimContext d : sc.dim()) {
      if (d.INT() != null) dims.add(Dim.of(parseLong(d.INT(), d)));
      else if (d.STRING() != null) dims.add(Dim.sym(nonEmpty(WirSyntax.unquote(d.STRING().getText()), d)));
      else dims.add(Dim.sym(d.name().getText()));
    }
    return new Shape(dims);
  }

  private String nonEmpty(String s, ParserRuleContext where) {
    if (s.isEmpty()) throw diag.at(where, "empty dim symbol");
    return s;
  }

  long parseLong(TerminalNode t, ParserRuleContext where) {
    try {
      return Long.parseLong(t.getText());
    } catch (NumberFormatException e) {
      throw diag.at(where, "integer " + t.getText() + " is out of range");
    }
  }

  private Location location(LocationContext lc) {
    if (lc == null) return Location.UNKNOWN;
    String file = slot(lc.getChild(2).getText());
    String name = slot(lc.getChild(3).getText());
    int line = 0;
    int column = 0;
    if (lc.signedInt().size() == 2) {
      line = intOf(lc.signedInt(0));
      column = intOf(lc.signedInt(1));
    }
    return new Location(file, name, line, column);
  }

  private static String slot(String text) { return text.equals("_") ? null : WirSyntax.unquote(text); }

  private int intOf(ParserRuleContext c) {
    try {
      return Integer.parseInt(c.getText());
    } catch (NumberFormatException e) {
      throw diag.at(c, "integer " + c.getText() + " is out of range");
    }
  }

  /** Same kind and dtype, same rank when both are ranked, equal sizes where both dims are static. */
  static boolean compatible(Type written, Type inferred) {
    return switch (written) {
      case SequenceType s -> inferred instanceof SequenceType i && compatible(s.element(), i.element());
      case OptionalType o -> inferred instanceof OptionalType i && compatible(o.element(), i.element());
      case TensorType t -> {
        if (!(inferred instanceof TensorType i) || t.dtype() != i.dtype()) yield false;
        if (!t.shape().isRanked() || !i.shape().isRanked()) yield true;
        if (t.rank() != i.rank()) yield false;
        for (int k = 0; k < t.rank(); k++) {
          Dim a = t.shape().dim(k);
          Dim b = i.shape().dim(k);
          if (a.isStatic() && b.isStatic() && !Objects.equals(a, b)) yield false;
        }
        yield true;
      }
    };
  }
}
