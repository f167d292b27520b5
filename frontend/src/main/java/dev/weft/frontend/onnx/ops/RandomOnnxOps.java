package dev.weft.frontend.onnx.ops;

import static dev.weft.frontend.onnx.ops.ControlFlowOnnxOps.emit;

import dev.weft.bundle.DType;
import dev.weft.frontend.onnx.ImportContext;
import dev.weft.frontend.onnx.OnnxNode;
import dev.weft.frontend.onnx.OnnxOpLibrary;
import dev.weft.frontend.onnx.OnnxOpTable;
import dev.weft.ir.Attribute;
import dev.weft.ir.Value;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Random ops. ONNX seeds are floats and optional; the IR seed is an i64 (see RandomOps): an
 * integral seed {@code s} becomes {@code (long) s}, any other the bits of {@code s}, and an
 * absent seed a hash of the node's first output name, so an import is reproducible while two
 * unseeded nodes still draw different streams.
 */
public final class RandomOnnxOps implements OnnxOpLibrary {
  @Override
  public void register(OnnxOpTable table) {
    table.add("RandomNormal", 1, (n, ctx) -> generate(n, ctx, "random_normal", null, "mean", 0.0, "scale", 1.0));
    table.add("RandomUniform", 1, (n, ctx) -> generate(n, ctx, "random_uniform", null, "low", 0.0, "high", 1.0));
    table.add("RandomNormalLike", 1, (n, ctx) -> generate(n, ctx, "random_normal", n.required(0), "mean", 0.0, "scale", 1.0));
    table.add("RandomUniformLike", 1, (n, ctx) -> generate(n, ctx, "random_uniform", n.required(0), "low", 0.0, "high", 1.0));
    table.add("Multinomial", 7, (n, ctx) -> {
      Map<String, Attribute> a = new LinkedHashMap<>();
      a.put("dtype", Attribute.of(SequenceOnnxOps.dtype(n, ctx, "dtype", DType.I32)));
      a.put("sample_size", Attribute.of(n.attrInt("sample_size", 1)));
      a.put("seed", Attribute.of(seed(n)));
      return emit(ctx, n, "multinomial", List.of(n.required(0)), a);
    });
    table.add("Bernoulli", 15, (n, ctx) -> {
      Map<String, Attribute> a = new LinkedHashMap<>();
      if (n.hasAttr("dtype")) a.put("dtype", Attribute.of(SequenceOnnxOps.dtype(n, ctx, "dtype", DType.F32)));
      a.put("seed", Attribute.of(seed(n)));
      return emit(ctx, n, "bernoulli", List.of(n.required(0)), a);
    });
  }

  static long seed(OnnxNode n) {
    if (!n.hasAttr("seed")) return n.outputCount() > 0 ? n.outputName(0).hashCode() : 0;
    double s = n.attrFloat("seed", 0);
    return s == Math.rint(s) && Math.abs(s) < 0x1p53 ? (long) s : Double.doubleToLongBits(s);
  }

  private static List<Value> generate(OnnxNode n, ImportContext ctx, String op, Value like,
      String a1, double d1, String a2, double d2) {
    Map<String, Attribute> a = new LinkedHashMap<>();
    DType def = like != null && like.type() instanceof dev.weft.ir.TensorType t ? t.dtype() : DType.F32;
    a.put("dtype", Attribute.of(SequenceOnnxOps.dtype(n, ctx, "dtype", def)));
    a.put(a1, Attribute.of(n.attrFloat(a1, d1)));
    a.put(a2, Attribute.of(n.attrFloat(a2, d2)));
    a.put("seed", Attribute.of(seed(n)));
    if (like == null) {
      long[] shape = n.attrInts("shape", null);
      if (shape == null) throw ctx.fail(n, "missing required attribute 'shape'");
      a.put("shape", Attribute.of(shape));
      return emit(ctx, n, op, List.of(), a);
    }
    return emit(ctx, n, op, List.of(like), a);
  }
}
