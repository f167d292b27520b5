package dev.weft.ir.text;

import dev.weft.bundle.DType;
import dev.weft.bundle.Tensor;
import dev.weft.ir.Attribute;
import dev.weft.ir.Attribute.Kind;
import dev.weft.ir.Graph;
import dev.weft.ir.Node;
import dev.weft.ir.TensorType;
import dev.weft.ir.Type;
import dev.weft.ir.text.grammar.WirParser.AttrValueContext;
import dev.weft.ir.text.grammar.WirParser.DenseAttrContext;
import dev.weft.ir.text.grammar.WirParser.DtypeAttrContext;
import dev.weft.ir.text.grammar.WirParser.GraphAttrContext;
import dev.weft.ir.text.grammar.WirParser.ListAttrContext;
import dev.weft.ir.text.grammar.WirParser.NumberAttrContext;
import dev.weft.ir.text.grammar.WirParser.ResourceAttrContext;
import dev.weft.ir.text.grammar.WirParser.StringAttrContext;
import dev.weft.ir.text.grammar.WirParser.TypeAttrContext;
import dev.weft.ir.text.grammar.WirParser.TypeContext;
import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.util.ArrayList;
import java.util.List;

/**
 * Attribute values. The kind comes from the text (an integer literal is INT, a list of strings
 * STRINGS, ...); the op's schema, when it declares the attribute, only widens integers to
 * floats and gives an empty {@code []} its kind, and a mismatch is an error naming both kinds.
 */
final class AttrBuilder {
  private final WirBuilder builder;
  private final Diag diag;
  private final WeightsSource weights;

  AttrBuilder(WirBuilder builder, Diag diag, WeightsSource weights) {
    this.builder = builder;
    this.diag = diag;
    this.weights = weights;
  }

  /** Parses and sets one attribute; {@code expected} is the schema's kind or null when the op does not declare it. */
  void set(Node node, String name, Kind expected, AttrValueContext v, int depth) {
    Kind written = kindOf(v, expected);
    if (expected != null && written != expected) {
      throw diag.at(v, "attribute '" + name + "' of op '" + node.opName() + "' expects " + expected + ", found " + written);
    }
    switch (v) {
      // Subgraphs are attached before they are filled, so they know their enclosing graph while typed.
      case GraphAttrContext g -> {
        Graph sub = builder.shell(g.graph());
        node.setAttribute(name, new Attribute.GraphValue(sub));
        builder.fill(sub, g.graph(), depth + 1);
      }
      case ListAttrContext l when written == Kind.GRAPHS -> {
        List<Graph> subs = new ArrayList<>();
        for (AttrValueContext item : l.attrValue()) subs.add(builder.shell(((GraphAttrContext) item).graph()));
        node.setAttribute(name, new Attribute.Graphs(subs));
        for (int i = 0; i < subs.size(); i++) builder.fill(subs.get(i), ((GraphAttrContext) l.attrValue(i)).graph(), depth + 1);
      }
      default -> node.setAttribute(name, value(v, written));
    }
  }

  /** The kind the text spells, resolving integer-vs-float and empty lists with the schema's kind. */
  private Kind kindOf(AttrValueContext v, Kind expected) {
    return switch (v) {
      case NumberAttrContext n -> WirNumber.of(n.number()).isInteger() && expected != Kind.FLOAT ? Kind.INT : Kind.FLOAT;
      case StringAttrContext s -> Kind.STRING;
      case DenseAttrContext d -> Kind.TENSOR;
      case ResourceAttrContext r -> Kind.TENSOR;
      case GraphAttrContext g -> Kind.GRAPH;
      case TypeAttrContext t -> Kind.TYPE;
      case DtypeAttrContext d -> Kind.DTYPE;
      case ListAttrContext l -> listKind(l, expected);
      default -> throw new IllegalStateException("unknown attribute form " + v.getText());
    };
  }

  private Kind listKind(ListAttrContext l, Kind expected) {
    Kind spelled = l.listKind() == null ? null : switch (l.listKind().getText()) {
      case "ints" -> Kind.INTS;
      case "floats" -> Kind.FLOATS;
      case "strs" -> Kind.STRINGS;
      default -> Kind.GRAPHS;
    };
    if (l.attrValue().isEmpty()) {
      if (spelled != null) return spelled;
      if (expected == Kind.INTS || expected == Kind.FLOATS || expected == Kind.STRINGS || expected == Kind.GRAPHS) return expected;
      throw diag.at(l, "expected a list kind (ints[], floats[], strs[] or graphs[]) for an empty list, found []");
    }
    Kind kind = null;
    for (AttrValueContext item : l.attrValue()) {
      Kind k = switch (item) {
        case NumberAttrContext n -> WirNumber.of(n.number()).isInteger() ? Kind.INTS : Kind.FLOATS;
        case StringAttrContext s -> Kind.STRINGS;
        case GraphAttrContext g -> Kind.GRAPHS;
        default -> throw diag.at(item, "expected a number, string or graph in a list, found " + item.getText());
      };
      // Integers among floats are floats: [1, 2.5] is a FLOATS list.
      if (kind == null || (kind == Kind.INTS && k == Kind.FLOATS)) kind = k;
      else if (!(kind == Kind.FLOATS && k == Kind.INTS) && k != kind) throw diag.at(item, "expected a list item like the first, found " + item.getText());
    }
    if (kind == Kind.INTS && (expected == Kind.FLOATS || spelled == Kind.FLOATS)) kind = Kind.FLOATS;
    if (spelled != null && spelled != kind) throw diag.at(l, "expected " + spelled + " items, found " + kind);
    return kind;
  }

  private Attribute value(AttrValueContext v, Kind kind) {
    try {
      return switch (v) {
        case NumberAttrContext n when kind == Kind.INT -> new Attribute.Int(WirNumber.of(n.number()).toLong());
        case NumberAttrContext n -> new Attribute.Float(WirNumber.of(n.number()).toDouble());
        case StringAttrContext s -> new Attribute.Str(WirSyntax.unquote(s.STRING().getText()));
        case ListAttrContext l -> list(l, kind);
        case DenseAttrContext d -> {
          TensorType t = staticTensor(d.type());
          yield new Attribute.TensorValue(TensorText.parse(t.dtype(), t.shape().sizes(), d.element(), diag, d));
        }
        case ResourceAttrContext r -> new Attribute.TensorValue(resource(r));
        case TypeAttrContext t -> new Attribute.TypeValue(builder.type(t.type()));
        case DtypeAttrContext d -> new Attribute.DTypeValue(builder.dtype(d.name()));
        default -> throw new IllegalStateException("unexpected attribute form " + v.getText());
      };
    } catch (IllegalArgumentException | ArithmeticException e) {
      throw diag.at(v, e.getMessage());
    }
  }

  private Attribute list(ListAttrContext l, Kind kind) {
    List<AttrValueContext> items = l.attrValue();
    return switch (kind) {
      case INTS -> {
        long[] out = new long[items.size()];
        for (int i = 0; i < out.length; i++) out[i] = number(items.get(i)).toLong();
        yield new Attribute.Ints(out);
      }
      case FLOATS -> {
        double[] out = new double[items.size()];
        for (int i = 0; i < out.length; i++) out[i] = number(items.get(i)).toDouble();
        yield new Attribute.Floats(out);
      }
      case STRINGS -> {
        List<String> out = new ArrayList<>();
        for (AttrValueContext item : items) out.add(WirSyntax.unquote(((StringAttrContext) item).STRING().getText()));
        yield new Attribute.Strs(out);
      }
      default -> new Attribute.Graphs(List.of()); // only an empty graphs[] gets here; non-empty ones are set in set()
    };
  }

  private static WirNumber number(AttrValueContext item) { return WirNumber.of(((NumberAttrContext) item).number()); }

  private TensorType staticTensor(TypeContext tc) {
    Type t = builder.type(tc);
    if (!(t instanceof TensorType tt) || !tt.shape().isStatic()) {
      throw diag.at(tc, "expected a tensor type with static shape, found " + WirPrinter.type(t));
    }
    try {
      Math.multiplyExact(tt.shape().elementCount(), Math.max(1, tt.dtype().byteSize()));
    } catch (ArithmeticException e) {
      throw diag.at(tc, "tensor type " + WirPrinter.type(t) + " is larger than 2^63 bytes");
    }
    return tt;
  }

  /** Reads a {@code dense_resource}: the name must stay inside the .wir folder and the bytes inside the file. */
  private Tensor resource(ResourceAttrContext r) {
    TensorType t = staticTensor(r.type());
    String file = WirSyntax.unquote(r.STRING().getText());
    if (escapes(file)) throw diag.at(r.STRING(), "weights path \"" + file + "\" must be relative and stay inside the .wir folder");
    if (t.dtype() == DType.STRING) throw diag.at(r.type(), "string tensors cannot live in a weights file");
    long offset = builder.parseLong(r.INT(0), r);
    long length = builder.parseLong(r.INT(1), r);
    long expected = Math.multiplyExact(t.shape().elementCount(), (long) t.dtype().byteSize());
    if (length != expected) throw diag.at(r.INT(1), "expected length " + expected + " for " + WirPrinter.type(t) + ", found " + length);
    try {
      long size = weights.size(file);
      if (offset > size || length > size - offset) {
        throw diag.at(r.INT(0), "bytes [" + offset + ", " + (offset + length) + ") are outside \"" + file + "\" of " + size + " bytes");
      }
      Tensor out = Tensor.zeros(t.dtype(), t.shape().sizes());
      weights.read(file, offset, out.data());
      return out;
    } catch (NoSuchFileException e) {
      throw diag.at(r.STRING(), "weights file \"" + file + "\" not found");
    } catch (IOException e) {
      throw diag.at(r.STRING(), "cannot read weights file \"" + file + "\": " + e.getMessage());
    }
  }

  private static boolean escapes(String file) {
    if (file.isEmpty() || file.startsWith("/") || file.startsWith("\\") || file.contains(":") || file.indexOf('\0') >= 0) return true;
    for (String part : file.split("[/\\\\]")) if (part.equals("..")) return true;
    return false;
  }
}
