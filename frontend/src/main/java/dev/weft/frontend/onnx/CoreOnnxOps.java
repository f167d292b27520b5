package dev.weft.frontend.onnx;

import dev.weft.bundle.DType;
import dev.weft.bundle.Tensor;
import dev.weft.frontend.onnx.proto.OnnxProto.AttributeProto;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The ops the importer itself needs: {@code Constant} (every value_* form) and
 * {@code Identity} (tensors, sequences, optionals).
 */
public final class CoreOnnxOps implements OnnxOpLibrary {
  private static final List<String> CONSTANT_FORMS = List.of(
      "value", "sparse_value", "value_float", "value_floats", "value_int", "value_ints", "value_string", "value_strings");

  @Override
  public void register(OnnxOpTable table) {
    // Versions 1, 9, 11, 12, 13, 19, 21 only widen the set of attribute forms and dtypes.
    table.add("Constant", 1, CoreOnnxOps::constant);
    table.add("Identity", 1, (n, ctx) -> List.of(ctx.builder().op1("identity", n.required(0))));
  }

  static List<dev.weft.ir.Value> constant(OnnxNode n, ImportContext ctx) {
    List<String> present = new ArrayList<>();
    for (String f : CONSTANT_FORMS) if (n.hasAttr(f)) present.add(f);
    if (present.size() != 1) {
      throw ctx.fail(n, "Constant needs exactly one of " + CONSTANT_FORMS + ", has " + present);
    }
    String form = present.get(0);
    AttributeProto a = n.attr(form);
    Tensor t = switch (form) {
      case "value" -> n.attrTensor("value");
      case "sparse_value" -> ctx.sparseTensor(a.getSparseTensor());
      case "value_float" -> Tensor.scalar(DType.F32, n.attrFloat(form, 0));
      case "value_floats" -> {
        float[] f = new float[a.getFloatsCount()];
        for (int i = 0; i < f.length; i++) f[i] = a.getFloats(i);
        yield Tensor.ofFloats(new long[] {f.length}, f);
      }
      case "value_int" -> Tensor.ofLongs(new long[0], n.attrInt(form, 0));
      case "value_ints" -> {
        long[] v = n.attrInts(form, new long[0]);
        yield Tensor.ofLongs(new long[] {v.length}, v);
      }
      case "value_string" -> Tensor.ofStrings(new long[0], a.getS().toString(StandardCharsets.UTF_8));
      case "value_strings" -> {
        List<String> v = n.attrStrings(form, List.of());
        yield Tensor.ofStrings(new long[] {v.size()}, v.toArray(String[]::new));
      }
      default -> throw ctx.fail(n, "unknown Constant form " + form);
    };
    return List.of(ctx.constant(t));
  }
}
