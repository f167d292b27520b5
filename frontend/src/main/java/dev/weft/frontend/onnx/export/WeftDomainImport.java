package dev.weft.frontend.onnx.export;

import dev.weft.bundle.DType;
import dev.weft.frontend.onnx.ImportContext;
import dev.weft.frontend.onnx.OnnxNode;
import dev.weft.frontend.onnx.OnnxOpLibrary;
import dev.weft.frontend.onnx.OnnxOpTable;
import dev.weft.frontend.onnx.proto.OnnxProto.AttributeProto;
import dev.weft.frontend.onnx.proto.OnnxProto.GraphProto;
import dev.weft.ir.AttrSpec;
import dev.weft.ir.Attribute;
import dev.weft.ir.Graph;
import dev.weft.ir.OpDef;
import dev.weft.ir.OpRegistry;
import dev.weft.ir.Value;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads back what the exporter writes in the dev.weft domain: node {@code dev.weft::op} is IR
 * op {@code op}, attributes converted by the op's schema (a dtype travels as an ONNX int).
 * So an exported model with a Weft-only op still round-trips through Weft.
 */
public final class WeftDomainImport implements OnnxOpLibrary {
  @Override
  public void register(OnnxOpTable table) {
    for (OpDef d : OpRegistry.global().all()) table.add(ExportContext.WEFT_DOMAIN, d.name(), 1, (n, c) -> lower(d, n, c));
  }

  static List<Value> lower(OpDef d, OnnxNode n, ImportContext c) {
    Map<String, Attribute> attrs = new LinkedHashMap<>();
    for (AttributeProto a : n.proto().getAttributeList()) {
      AttrSpec spec = d.attr(a.getName());
      if (spec == null) throw c.fail(n, "op " + d.name() + " has no attribute '" + a.getName() + "'");
      attrs.put(a.getName(), convert(spec.kind(), a, n, c));
    }
    List<Value> in = new ArrayList<>();
    for (int i = 0; i < n.inputCount(); i++) in.add(n.input(i));
    while (!in.isEmpty() && in.get(in.size() - 1) == null) in.remove(in.size() - 1);
    List<String> names = new ArrayList<>();
    for (int i = 0; i < n.outputCount(); i++) names.add(n.outputName(i).isEmpty() ? null : n.outputName(i));
    List<Value> outs = c.builder().op(d.name(), in, attrs, names);
    return outs.subList(0, Math.min(outs.size(), n.outputCount()));
  }

  private static Attribute convert(Attribute.Kind kind, AttributeProto a, OnnxNode n, ImportContext c) {
    String name = a.getName();
    return switch (kind) {
      case INT -> Attribute.of(a.getI());
      case FLOAT -> Attribute.of((double) a.getF());
      case STRING -> Attribute.of(a.getS().toString(StandardCharsets.UTF_8));
      case INTS -> Attribute.of(n.attrInts(name, new long[0]));
      case FLOATS -> new Attribute.Floats(n.attrFloats(name, new double[0]));
      case STRINGS -> new Attribute.Strs(n.attrStrings(name, List.of()));
      case TENSOR -> Attribute.of(c.tensor(a.getT()));
      case GRAPH -> Attribute.of(c.subgraph(a.getG(), List.of()));
      case GRAPHS -> {
        List<Graph> gs = new ArrayList<>();
        for (GraphProto g : a.getGraphsList()) gs.add(c.subgraph(g, List.of()));
        yield new Attribute.Graphs(gs);
      }
      case DTYPE -> {
        DType t = DType.fromOnnx((int) a.getI());
        if (t == null) throw c.fail(n, "attribute '" + name + "' names unknown dtype " + a.getI());
        yield Attribute.of(t);
      }
      case TYPE -> throw c.fail(n, "attribute '" + name + "': type attributes are not read back in the dev.weft domain");
    };
  }
}
