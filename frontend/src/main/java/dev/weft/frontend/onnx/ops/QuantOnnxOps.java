package dev.weft.frontend.onnx.ops;

import static dev.weft.frontend.onnx.ops.NnLowering.*;

import dev.weft.bundle.DType;
import dev.weft.frontend.onnx.ImportContext;
import dev.weft.frontend.onnx.OnnxNode;
import dev.weft.frontend.onnx.OnnxOpLibrary;
import dev.weft.frontend.onnx.OnnxOpTable;
import dev.weft.ir.Attribute;
import dev.weft.ir.GraphBuilder;
import dev.weft.ir.Value;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Quantization handlers: QuantizeLinear, DequantizeLinear, DynamicQuantizeLinear, MatMulInteger
 * (integer matmul with zero points, i32 accumulation), QLinearMatMul, ConvInteger, QLinearConv
 * (the QLinear ops as dequantize -> float op -> quantize).
 */
public final class QuantOnnxOps implements OnnxOpLibrary {
  @Override
  public void register(OnnxOpTable t) {
    for (int v : new int[] {10, 13, 19, 21, 23, 24}) t.add("QuantizeLinear", v, QuantOnnxOps::quantize);
    for (int v : new int[] {10, 13, 19, 21, 23, 24}) t.add("DequantizeLinear", v, QuantOnnxOps::dequantize);
    t.add("DynamicQuantizeLinear", 11, (n, c) -> outs(n, c.builder().op("dynamic_quantize_linear", List.of(n.required(0)), Map.of())));
    t.add("MatMulInteger", 10, (n, c) -> List.of(c.builder().op1("matmul", Map.of("result_type", Attribute.of(DType.I32)),
        NnOnnxOps.inputs(n, 4))));
    for (int v : new int[] {10, 21}) t.add("QLinearMatMul", v, QuantOnnxOps::qlinearMatmul);
    t.add("ConvInteger", 10, QuantOnnxOps::convInteger);
    t.add("QLinearConv", 10, QuantOnnxOps::qlinearConv);
  }

  static Map<String, Attribute> attrs(OnnxNode n) {
    Map<String, Attribute> m = pass(n, "axis", "saturate", "block_size");
    if (n.hasAttr("output_dtype") && n.attrInt("output_dtype", 0) != 0) {
      m.put("output_dtype", Attribute.of(DType.fromOnnx((int) n.attrInt("output_dtype", 0))));
    }
    return m;
  }

  static List<Value> quantize(OnnxNode n, ImportContext c) {
    return List.of(c.builder().op1("quantize_linear", attrs(n), NnOnnxOps.inputs(n, 3)));
  }

  static List<Value> dequantize(OnnxNode n, ImportContext c) {
    return List.of(c.builder().op1("dequantize_linear", attrs(n), NnOnnxOps.inputs(n, 3)));
  }

  private static Value dq(GraphBuilder b, Value x, Value scale, Value zp, long axis) {
    Map<String, Attribute> m = new HashMap<>();
    m.put("axis", Attribute.of(axis));
    return zp == null ? b.op1("dequantize_linear", m, x, scale) : b.op1("dequantize_linear", m, x, scale, zp);
  }

  private static boolean vector(Value v) {
    var s = v.tensorType().shape();
    return s.isRanked() && s.rank() == 1 && !(s.dim(0).isStatic() && s.dim(0).size() == 1);
  }

  static List<Value> qlinearMatmul(OnnxNode n, ImportContext c) {
    GraphBuilder b = c.builder();
    Value a = dq(b, n.required(0), n.required(1), n.input(2), vector(n.required(1)) ? -2 : 1);
    Value bm = dq(b, n.required(3), n.required(4), n.input(5), -1);
    Value y = b.op1("matmul", a, bm);
    if (dtype(y) != dtype(n.required(6))) y = cast(b, y, dtype(n.required(6)));
    Value zp = n.input(7);
    Map<String, Attribute> m = Map.of("axis", Attribute.of(-1L));
    return List.of(zp == null ? b.op1("quantize_linear", m, y, n.required(6)) : b.op1("quantize_linear", m, y, n.required(6), zp));
  }

  static List<Value> convInteger(OnnxNode n, ImportContext c) {
    GraphBuilder b = c.builder();
    Value one = scalar(b, DType.F32, 1);
    Value x = dq(b, n.required(0), one, n.input(2), 1);
    Value wScale = one;
    if (n.input(3) != null && vector(n.input(3))) {
      long m = n.input(3).tensorType().shape().dim(0).size();
      float[] ones = new float[(int) m];
      java.util.Arrays.fill(ones, 1f);
      wScale = b.constant(dev.weft.bundle.Tensor.ofFloats(new long[] {m}, ones));
    }
    Value w = dq(b, n.required(1), wScale, n.input(3), 0);
    Value y = b.op1("conv", NnOnnxOps.convAttrs(n, false), x, w);
    return List.of(cast(b, b.op1("round", y), DType.I32));
  }

  static List<Value> qlinearConv(OnnxNode n, ImportContext c) {
    GraphBuilder b = c.builder();
    Value x = dq(b, n.required(0), n.required(1), n.input(2), 1);
    Value w = dq(b, n.required(3), n.required(4), n.input(5), 0);
    Value[] ins;
    if (n.hasInput(8)) {
      Value bs = b.op1("mul", n.required(1), n.required(4));
      Value bias = b.op1("dequantize_linear", Map.of("axis", Attribute.of(0L)), n.input(8), bs);
      ins = new Value[] {x, w, bias};
    } else {
      ins = new Value[] {x, w};
    }
    Value y = b.op1("conv", NnOnnxOps.convAttrs(n, false), ins);
    Value zp = n.input(7);
    Map<String, Attribute> m = Map.of("axis", Attribute.of(1L));
    return List.of(zp == null ? b.op1("quantize_linear", m, y, n.required(6)) : b.op1("quantize_linear", m, y, n.required(6), zp));
  }
}
