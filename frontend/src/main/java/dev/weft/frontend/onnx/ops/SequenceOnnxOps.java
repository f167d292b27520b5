package dev.weft.frontend.onnx.ops;

import static dev.weft.frontend.onnx.ops.ControlFlowOnnxOps.emit;

import dev.weft.bundle.DType;
import dev.weft.frontend.onnx.ImportContext;
import dev.weft.frontend.onnx.OnnxNode;
import dev.weft.frontend.onnx.OnnxOpLibrary;
import dev.weft.frontend.onnx.OnnxOpTable;
import dev.weft.frontend.onnx.proto.OnnxProto.TensorShapeProto;
import dev.weft.frontend.onnx.proto.OnnxProto.TypeProto;
import dev.weft.ir.Attribute;
import dev.weft.ir.Dim;
import dev.weft.ir.Graph;
import dev.weft.ir.OptionalType;
import dev.weft.ir.SequenceType;
import dev.weft.ir.Shape;
import dev.weft.ir.TensorType;
import dev.weft.ir.Type;
import dev.weft.ir.Value;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Sequence and optional ops. */
public final class SequenceOnnxOps implements OnnxOpLibrary {
  @Override
  public void register(OnnxOpTable table) {
    table.add("SequenceConstruct", 11, (n, ctx) -> emit(ctx, n, "sequence_construct", present(n), Map.of()));
    table.add("SequenceEmpty", 11, (n, ctx) ->
        emit(ctx, n, "sequence_empty", List.of(), Map.of("dtype", Attribute.of(dtype(n, ctx, "dtype", DType.F32)))));
    table.add("SequenceAt", 11, (n, ctx) -> emit(ctx, n, "sequence_at", List.of(n.required(0), n.required(1)), Map.of()));
    table.add("SequenceInsert", 11, (n, ctx) -> emit(ctx, n, "sequence_insert", operands(n, 3, 2), Map.of()));
    table.add("SequenceErase", 11, (n, ctx) -> emit(ctx, n, "sequence_erase", operands(n, 2, 1), Map.of()));
    table.add("SequenceLength", 11, (n, ctx) -> emit(ctx, n, "sequence_length", List.of(n.required(0)), Map.of()));
    table.add("SplitToSequence", 11, (n, ctx) -> emit(ctx, n, "split_to_sequence", operands(n, 2, 1),
        Map.of("axis", Attribute.of(n.attrInt("axis", 0)), "keepdims", Attribute.of(n.attrInt("keepdims", 1)))));
    table.add("ConcatFromSequence", 11, (n, ctx) -> {
      n.requireAttr("axis");
      return emit(ctx, n, "concat_from_sequence", List.of(n.required(0)),
          Map.of("axis", Attribute.of(n.attrInt("axis", 0)), "new_axis", Attribute.of(n.attrInt("new_axis", 0))));
    });
    table.add("SequenceMap", 17, SequenceOnnxOps::sequenceMap);
    table.add("Optional", 15, SequenceOnnxOps::optional);
    table.add("OptionalHasElement", 15, (n, ctx) -> emit(ctx, n, "optional_has_element", operands(n, 1, 0), Map.of()));
    table.add("OptionalGetElement", 15, (n, ctx) -> emit(ctx, n, "optional_get_element", List.of(n.required(0)), Map.of()));
  }

  /** Operands 0..max-1, keeping absent optional ones as null but dropping trailing absent ones; the first {@code required} must be present. */
  static List<Value> operands(OnnxNode n, int max, int required) {
    List<Value> out = new ArrayList<>();
    for (int i = 0; i < max; i++) out.add(i < required ? n.required(i) : n.input(i));
    while (!out.isEmpty() && out.get(out.size() - 1) == null && out.size() > required) out.remove(out.size() - 1);
    return out;
  }

  private static List<Value> present(OnnxNode n) {
    List<Value> out = new ArrayList<>();
    for (int i = 0; i < n.inputCount(); i++) out.add(n.required(i));
    return out;
  }

  static DType dtype(OnnxNode n, ImportContext ctx, String attr, DType def) {
    if (!n.hasAttr(attr)) return def;
    long code = n.attrInt(attr, 0);
    DType d = DType.fromOnnx((int) code);
    if (d == null || code != (int) code) throw ctx.fail(n, "attribute '" + attr + "' names unknown dtype " + code);
    return d;
  }

  static List<Value> sequenceMap(OnnxNode n, ImportContext ctx) {
    List<Value> inputs = present(n);
    List<Type> types = new ArrayList<>();
    for (Value v : inputs) types.add(v.type() instanceof SequenceType s ? s.element() : v.type());
    Graph body = ctx.subgraph(n.attrGraph("body"), types);
    return emit(ctx, n, "sequence_map", inputs, Map.of("body", Attribute.of(body)));
  }

  static List<Value> optional(OnnxNode n, ImportContext ctx) {
    Map<String, Attribute> attrs = new LinkedHashMap<>();
    if (n.hasAttr("type")) attrs.put("type", new Attribute.TypeValue(typeOf(n, ctx, n.attr("type").getTp(), 0)));
    return emit(ctx, n, "optional", operands(n, 1, 0), attrs);
  }

  /** A TypeProto as an IR type; unknown dims become fresh symbols, a missing shape an unranked one. */
  static Type typeOf(OnnxNode n, ImportContext ctx, TypeProto tp, int depth) {
    if (depth > 16) throw ctx.fail(n, "type nested too deeply");
    return switch (tp.getValueCase()) {
      case TENSOR_TYPE -> {
        DType d = DType.fromOnnx(tp.getTensorType().getElemType());
        if (d == null) throw ctx.fail(n, "unsupported elem_type " + tp.getTensorType().getElemType());
        if (!tp.getTensorType().hasShape()) yield new TensorType(d, Shape.unranked());
        List<Dim> dims = new ArrayList<>();
        for (TensorShapeProto.Dimension dim : tp.getTensorType().getShape().getDimList()) {
          if (dim.hasDimValue() && dim.getDimValue() >= 0) dims.add(Dim.of(dim.getDimValue()));
          else if (dim.hasDimParam() && !dim.getDimParam().isEmpty()) dims.add(Dim.sym(dim.getDimParam()));
          else dims.add(ctx.builder().graph().freshSymbol());
        }
        yield new TensorType(d, new Shape(dims));
      }
      case SEQUENCE_TYPE -> new SequenceType(typeOf(n, ctx, tp.getSequenceType().getElemType(), depth + 1));
      case OPTIONAL_TYPE -> new OptionalType(typeOf(n, ctx, tp.getOptionalType().getElemType(), depth + 1));
      default -> throw ctx.fail(n, "unsupported type " + tp.getValueCase() + " in attribute 'type'");
    };
  }

}
