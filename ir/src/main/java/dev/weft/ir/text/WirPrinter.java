package dev.weft.ir.text;

import dev.weft.bundle.DType;
import dev.weft.bundle.Tensor;
import dev.weft.ir.Attribute;
import dev.weft.ir.Dim;
import dev.weft.ir.Graph;
import dev.weft.ir.IrException;
import dev.weft.ir.Location;
import dev.weft.ir.Module;
import dev.weft.ir.Node;
import dev.weft.ir.OptionalType;
import dev.weft.ir.SequenceType;
import dev.weft.ir.Shape;
import dev.weft.ir.TensorType;
import dev.weft.ir.Type;
import dev.weft.ir.Value;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Prints a module as {@code .wir} text. Output is canonical: {@code print(parse(print(m)))}
 * equals {@code print(m)}. Value names are made unique across a graph and every graph enclosing
 * it (a clash gets a {@code _N} suffix), so a subgraph's reference to an outer value can never
 * be captured by an inner one of the same name.
 */
public final class WirPrinter {
  /** Tensors with more elements than this go to the weights sink when there is one. */
  public static final int DEFAULT_INLINE_LIMIT = 64;

  private int inlineLimit = DEFAULT_INLINE_LIMIT;
  private WeightsSink weights;
  private boolean resultTypes = true;

  /** Tensors with more than {@code maxElements} elements are written to the weights sink. */
  public WirPrinter inlineLimit(int maxElements) {
    if (maxElements < 0) throw new IllegalArgumentException("negative inline limit");
    this.inlineLimit = maxElements;
    return this;
  }

  /** Where large constants go; null (the default) prints every constant inline. */
  public WirPrinter weights(WeightsSink sink) {
    this.weights = sink;
    return this;
  }

  /** Whether node results carry {@code : type} (checked against inference on parse). Default true. */
  public WirPrinter resultTypes(boolean on) {
    this.resultTypes = on;
    return this;
  }

  /** Text of a module, for a String with no weights sink or with an in-memory one. */
  public static String toText(Module m) { return new WirPrinter().print(m); }

  public String print(Module m) { return print(m, weights); }

  private String print(Module m, WeightsSink sink) {
    StringBuilder out = new StringBuilder("module {\n");
    m.metadata().forEach((k, v) -> out.append("  meta ").append(WirSyntax.quote(k)).append(" = ").append(WirSyntax.quote(v)).append('\n'));
    out.append("  ");
    new Run(out, sink).graph(m.main(), 1, Set.of(), Collections.newSetFromMap(new IdentityHashMap<>()));
    return out.append("\n}\n").toString();
  }

  /**
   * Writes {@code wirFile} and, when the module has large constants, {@code <stem>.weights.bin}
   * beside it (blobs in print order at 64-byte aligned offsets, so the bytes are deterministic).
   */
  public void write(Module m, Path wirFile) throws IOException {
    String stem = wirFile.getFileName().toString().replaceFirst("\\.wir$", "");
    try (FileWeightsSink sink = new FileWeightsSink(wirFile.resolveSibling(stem + ".weights.bin"))) {
      Files.writeString(wirFile, print(m, sink), StandardCharsets.UTF_8);
    } catch (UncheckedIOException e) {
      throw e.getCause();
    }
  }

  /** One printing pass: the display names chosen so far. */
  private final class Run {
    private final StringBuilder out;
    private final WeightsSink weights;
    private final Map<Value, String> names = new IdentityHashMap<>();

    Run(StringBuilder out, WeightsSink weights) {
      this.out = out;
      this.weights = weights;
    }

    /**
     * Prints {@code g}. {@code outer} holds every name of the enclosing graphs, {@code visible}
     * the values a node of {@code g} may use: those of enclosing graphs defined before the
     * node that holds {@code g}, then g's own as they are defined, as the parser resolves them.
     */
    void graph(Graph g, int indent, Set<String> outer, Set<Value> visible) {
      Set<String> taken = new HashSet<>(outer);
      for (Value v : g.inputs()) assign(v, taken);
      for (Node n : g.nodes()) for (Value v : n.outputs()) assign(v, taken);
      Set<Value> scope = Collections.newSetFromMap(new IdentityHashMap<>());
      scope.addAll(visible);

      out.append("graph ").append(WirSyntax.sigil('@', g.name())).append('(');
      for (int i = 0; i < g.inputs().size(); i++) {
        Value v = g.inputs().get(i);
        out.append(i > 0 ? ", " : "").append(ref(v)).append(": ").append(type(v.type()));
        scope.add(v);
      }
      out.append(") -> (");
      // Outputs name values defined in the body; check them once the body has made them visible.
      List<Value> outs = g.outputs();
      for (int i = 0; i < outs.size(); i++) out.append(i > 0 ? ", " : "").append(ref(outs.get(i)));
      out.append(") {");
      for (Node n : g.nodes()) {
        out.append('\n').append("  ".repeat(indent + 1));
        node(n, indent + 1, taken, scope);
        scope.addAll(n.outputs());
      }
      for (Value v : outs) {
        if (!scope.contains(v)) throw new IrException("graph @" + g.name() + " outputs %" + v.name() + ", which it cannot see");
      }
      out.append('\n').append("  ".repeat(indent)).append('}');
    }

    private void assign(Value v, Set<String> taken) {
      String base = v.name().isEmpty() ? "v" : v.name();
      String n = base;
      for (int i = 1; !taken.add(n); i++) n = base + "_" + i;
      names.put(v, n);
    }

    private String ref(Value v) {
      String n = names.get(v);
      if (n == null) throw new IrException("value %" + v.name() + " is not defined in an enclosing graph");
      return WirSyntax.sigil('%', n);
    }

    private void node(Node n, int indent, Set<String> taken, Set<Value> scope) {
      List<Value> results = n.outputs();
      for (int i = 0; i < results.size(); i++) {
        out.append(i > 0 ? ", " : "").append(ref(results.get(i)));
        if (resultTypes) out.append(": ").append(type(results.get(i).type()));
      }
      if (!results.isEmpty()) out.append(" = ");
      out.append(WirSyntax.name(n.opName())).append('(');
      for (int i = 0; i < n.inputCount(); i++) {
        Value v = n.input(i);
        if (v != null && !scope.contains(v)) throw new IrException(n, "operand %" + v.name() + " is not defined before its use");
        out.append(i > 0 ? ", " : "").append(v == null ? "_" : ref(v));
      }
      out.append(')');
      if (!n.attributes().isEmpty()) {
        out.append(" {");
        boolean first = true;
        for (var e : n.attributes().entrySet()) {
          out.append(first ? "" : ", ").append(WirSyntax.name(e.getKey())).append(" = ");
          attribute(e.getValue(), indent, taken, scope);
          first = false;
        }
        out.append('}');
      }
      location(n.location());
    }

    private void attribute(Attribute a, int indent, Set<String> taken, Set<Value> scope) {
      switch (a) {
        case Attribute.Int i -> out.append(i.value());
        case Attribute.Float f -> out.append(WirSyntax.formatDouble(f.value()));
        case Attribute.Str s -> out.append(WirSyntax.quote(s.value()));
        case Attribute.Ints is -> {
          long[] v = is.values();
          out.append(v.length == 0 ? "ints" : "").append('[');
          for (int k = 0; k < v.length; k++) out.append(k > 0 ? ", " : "").append(v[k]);
          out.append(']');
        }
        case Attribute.Floats fs -> {
          double[] v = fs.values();
          out.append(v.length == 0 ? "floats" : "").append('[');
          for (int k = 0; k < v.length; k++) out.append(k > 0 ? ", " : "").append(WirSyntax.formatDouble(v[k]));
          out.append(']');
        }
        case Attribute.Strs ss -> {
          out.append(ss.values().isEmpty() ? "strs" : "").append('[');
          for (int k = 0; k < ss.values().size(); k++) out.append(k > 0 ? ", " : "").append(WirSyntax.quote(ss.values().get(k)));
          out.append(']');
        }
        case Attribute.TensorValue t -> tensor(t.value());
        case Attribute.GraphValue g -> graph(g.value(), indent, taken, scope);
        case Attribute.Graphs gs -> {
          out.append(gs.values().isEmpty() ? "graphs" : "").append('[');
          for (int k = 0; k < gs.values().size(); k++) {
            if (k > 0) out.append(", ");
            graph(gs.values().get(k), indent, taken, scope);
          }
          out.append(']');
        }
        case Attribute.TypeValue t -> out.append("type<").append(type(t.value())).append('>');
        case Attribute.DTypeValue d -> out.append("dtype<").append(WirSyntax.name(d.value().textName())).append('>');
      }
    }

    private void tensor(Tensor t) {
      String type = WirSyntax.name(t.dtype().textName()) + TensorText.shape(t.shape());
      if (weights != null && t.dtype() != DType.STRING && t.size() > inlineLimit) {
        long offset = weights.append(t.data());
        out.append("dense_resource<").append(type).append("> ").append(WirSyntax.quote(weights.fileName()))
            .append(" offset ").append(offset).append(" length ").append(t.byteSize());
        return;
      }
      out.append("dense<").append(type).append("> ");
      TensorText.print(t, out);
    }

    private void location(Location l) {
      if (!l.isKnown() && l.column() == 0) return;
      out.append(" loc(").append(l.file() == null ? "_" : WirSyntax.quote(l.file()))
          .append(' ').append(l.name() == null ? "_" : WirSyntax.quote(l.name()));
      if (l.line() != 0 || l.column() != 0) out.append(' ').append(l.line()).append(':').append(l.column());
      out.append(')');
    }
  }

  static String type(Type t) {
    return switch (t) {
      case TensorType tt -> WirSyntax.name(tt.dtype().textName()) + shape(tt.shape());
      case SequenceType s -> "seq<" + type(s.element()) + ">";
      case OptionalType o -> "opt<" + type(o.element()) + ">";
    };
  }

  private static String shape(Shape s) {
    if (!s.isRanked()) return "[*]";
    StringBuilder sb = new StringBuilder("[");
    for (int i = 0; i < s.rank(); i++) {
      if (i > 0) sb.append(',');
      switch (s.dim(i)) {
        case Dim.Static st -> sb.append(st.size());
        case Dim.Symbol sym -> sb.append(WirSyntax.name(sym.name()));
      }
    }
    return sb.append(']').toString();
  }
}
