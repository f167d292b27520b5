package dev.weft.frontend.onnx.ops;

import static dev.weft.frontend.onnx.ops.NnLowering.*;

import dev.weft.bundle.DType;
import dev.weft.bundle.Tensor;
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
 * ONNX handlers of the NN family: MatMul, Gemm, Conv, ConvTranspose, the pools, the
 * normalizations, Softmax/LogSoftmax/Hardmax, Dropout, Einsum and LpNormalization.
 */
public final class NnOnnxOps implements OnnxOpLibrary {
  @Override
  public void register(OnnxOpTable t) {
    for (int v : new int[] {1, 9, 13}) t.add("MatMul", v, (n, c) -> List.of(c.builder().op1("matmul", n.required(0), n.required(1))));
    for (int v : new int[] {1, 6, 7, 9, 11, 13}) t.add("Gemm", v, NnOnnxOps::gemm);
    for (int v : new int[] {1, 11, 22}) t.add("Conv", v, (n, c) -> List.of(c.builder().op1("conv", convAttrs(n, false), inputs(n, 3))));
    for (int v : new int[] {1, 11, 22}) t.add("ConvTranspose", v, (n, c) -> List.of(c.builder().op1("conv_transpose", convAttrs(n, true), inputs(n, 3))));
    for (int v : new int[] {1, 8, 10, 11, 12, 22}) t.add("MaxPool", v, NnOnnxOps::maxPool);
    for (int v : new int[] {1, 7, 10, 11, 19, 22}) t.add("AveragePool", v, (n, c) -> List.of(c.builder().op1("avg_pool",
        pass(n, "kernel_shape", "strides", "pads", "auto_pad", "ceil_mode", "count_include_pad", "dilations"), n.required(0))));
    for (int v : new int[] {1, 2, 11, 18, 22}) t.add("LpPool", v, NnOnnxOps::lpPool);
    for (int v : new int[] {1, 22}) {
      t.add("GlobalAveragePool", v, (n, c) -> List.of(global(n, c, "reduce_mean")));
      t.add("GlobalMaxPool", v, (n, c) -> List.of(global(n, c, "reduce_max")));
    }
    for (int v : new int[] {1, 2, 22}) t.add("GlobalLpPool", v, NnOnnxOps::globalLp);
    for (int v : new int[] {1, 6, 7, 9, 14, 15}) t.add("BatchNormalization", v, NnOnnxOps::batchNorm);
    for (int v : new int[] {1, 6, 22}) t.add("InstanceNormalization", v, (n, c) -> List.of(c.builder().op1("instance_norm",
        pass(n, "epsilon"), n.required(0), n.required(1), n.required(2))));
    t.add("LayerNormalization", 17, (n, c) -> outs(n, c.builder().op("layer_norm", java.util.Arrays.asList(inputs(n, 3)), pass(n, "axis", "epsilon"))));
    for (int v : new int[] {18, 21}) t.add("GroupNormalization", v, (n, c) -> List.of(c.builder().op1("group_norm",
        pass(n, "num_groups", "epsilon"), n.required(0), n.required(1), n.required(2))));
    t.add("RMSNormalization", 23, (n, c) -> List.of(c.builder().op1("rms_norm", pass(n, "axis", "epsilon"), inputs(n, 2))));
    for (int v : new int[] {1, 13}) t.add("LRN", v, (n, c) -> List.of(c.builder().op1("lrn", pass(n, "size", "alpha", "beta", "bias"), n.required(0))));
    for (int v : new int[] {9, 13}) t.add("MeanVarianceNormalization", v, (n, c) -> List.of(c.builder().op1("mean_variance_normalization", pass(n, "axes"), n.required(0))));
    for (int v : new int[] {1, 22}) t.add("LpNormalization", v, (n, c) -> List.of(c.builder().op1("lp_normalization", pass(n, "axis", "p"), n.required(0))));
    for (String op : new String[] {"Softmax", "LogSoftmax", "Hardmax"}) {
      String ir = switch (op) {
        case "Softmax" -> "softmax";
        case "LogSoftmax" -> "log_softmax";
        default -> "hardmax";
      };
      for (int v : new int[] {1, 11}) t.add(op, v, (n, c) -> List.of(coerced(n, c, ir)));
      t.add(op, 13, (n, c) -> List.of(c.builder().op1(ir, Map.of("axis", Attribute.of(n.attrInt("axis", -1))), n.required(0))));
    }
    for (int v : new int[] {1, 6, 7, 10, 12, 13, 22}) t.add("Dropout", v, NnOnnxOps::dropout);
    t.add("Einsum", 12, (n, c) -> List.of(c.builder().op1("einsum", Map.of("equation", Attribute.of(n.attrString("equation", ""))),
        n.proto().getInputCount() == 0 ? new Value[0] : inputs(n, n.inputCount()))));
  }

  static Value[] inputs(OnnxNode n, int max) {
    int k = Math.min(max, n.inputCount());
    while (k > 0 && n.input(k - 1) == null) k--;
    Value[] v = new Value[k];
    for (int i = 0; i < k; i++) v[i] = n.input(i);
    return v;
  }

  static Map<String, Attribute> convAttrs(OnnxNode n, boolean transpose) {
    Map<String, Attribute> m = pass(n, "strides", "dilations", "pads", "auto_pad", "group");
    if (transpose) m.putAll(pass(n, "output_padding", "output_shape"));
    return m;
  }

  static List<Value> gemm(OnnxNode n, ImportContext c) {
    GraphBuilder b = c.builder();
    Value a = n.required(0), bm = n.required(1);
    DType t = dtype(a);
    if (n.attrInt("transA", 0) != 0) a = transpose(b, a, 1, 0);
    if (n.attrInt("transB", 0) != 0) bm = transpose(b, bm, 1, 0);
    Value y = b.op1("matmul", a, bm);
    double alpha = n.attrFloat("alpha", 1.0), beta = n.attrFloat("beta", 1.0);
    if (alpha != 1.0) y = b.op1("mul", y, scalar(b, t, alpha));
    if (n.hasInput(2) && beta != 0) {
      Value cc = n.input(2);
      if (beta != 1.0) cc = b.op1("mul", cc, scalar(b, t, beta));
      y = b.op1("add", y, cc);
    }
    return List.of(y);
  }

  static List<Value> maxPool(OnnxNode n, ImportContext c) {
    Map<String, Attribute> m = pass(n, "kernel_shape", "strides", "pads", "auto_pad", "ceil_mode", "dilations", "storage_order");
    boolean idx = n.wantsOutput(1);
    if (idx) m.put("return_indices", Attribute.of(1L));
    return outs(n, c.builder().op("max_pool", List.of(n.required(0)), m));
  }

  static List<Value> lpPool(OnnxNode n, ImportContext c) {
    Map<String, Attribute> m = pass(n, "kernel_shape", "strides", "pads", "auto_pad", "ceil_mode", "dilations");
    var pa = n.attr("p");
    long p = pa == null ? 2 : pa.hasF() && !pa.hasI() ? Math.round(pa.getF()) : pa.getI();
    m.put("p", Attribute.of(p));
    return List.of(c.builder().op1("lp_pool", m, n.required(0)));
  }

  static Value global(OnnxNode n, ImportContext c, String reduce) {
    Value x = n.required(0);
    return NnLowering.reduce(c.builder(), reduce, x, range(2, rank(n, c, x)), true);
  }

  static List<Value> globalLp(OnnxNode n, ImportContext c) {
    GraphBuilder b = c.builder();
    Value x = n.required(0);
    DType t = dtype(x);
    var pa = n.attr("p");
    double p = pa == null ? 2 : pa.hasF() && !pa.hasI() ? pa.getF() : pa.getI();
    Value s = NnLowering.reduce(b, "reduce_sum", b.op1("pow", b.op1("abs", x), scalar(b, t, p)), range(2, rank(n, c, x)), true);
    return List.of(b.op1("pow", s, scalar(b, t, 1.0 / p)));
  }

  static List<Value> batchNorm(OnnxNode n, ImportContext c) {
    GraphBuilder b = c.builder();
    Map<String, Attribute> m = pass(n, "epsilon");
    Value x = n.required(0);
    boolean training = n.version() >= 14 && n.attrInt("training_mode", 0) != 0;
    if (!training) {
      if (n.version() < 14 && n.outputCount() > 1 && n.wantsOutput(1)) throw c.fail(n, "training-mode outputs are not supported");
      return outs(n, b.op1("batch_norm", m, x, n.required(1), n.required(2), n.required(3), n.required(4)));
    }
    // Training mode: normalize with the batch statistics; update the running ones with momentum.
    DType t = dtype(x);
    int r = rank(n, c, x);
    long[] axes = new long[r - 1];
    axes[0] = 0;
    for (int i = 2; i < r; i++) axes[i - 1] = i;
    Value mean = NnLowering.reduce(b, "reduce_mean", x, axes, false);
    Value d = b.op1("sub", x, reshape(c, mean, shapeFor(r)));
    Value var = NnLowering.reduce(b, "reduce_mean", b.op1("mul", d, d), axes, false);
    Value y = b.op1("batch_norm", m, x, n.required(1), n.required(2), mean, var);
    double mom = n.attrFloat("momentum", 0.9);
    Value runMean = b.op1("add", b.op1("mul", n.required(3), scalar(b, t, mom)), b.op1("mul", mean, scalar(b, t, 1 - mom)));
    Value runVar = b.op1("add", b.op1("mul", n.required(4), scalar(b, t, mom)), b.op1("mul", var, scalar(b, t, 1 - mom)));
    return outs(n, y, runMean, runVar);
  }

  private static long[] shapeFor(int r) {
    long[] s = new long[Math.max(1, r - 1)];
    s[0] = -1;
    for (int i = 1; i < s.length; i++) s[i] = 1;
    return s;
  }

  /** Opset < 13: the op applies to x coerced to 2-D [prod(d[:axis]), prod(d[axis:])]. */
  static Value coerced(OnnxNode n, ImportContext c, String ir) {
    Value x = n.required(0);
    int r = rank(n, c, x);
    long axis = n.attrInt("axis", 1);
    if (axis < 0) axis += r;
    if (axis == r - 1) return c.builder().op1(ir, Map.of("axis", Attribute.of(-1L)), x);
    // Checked before sizing the reshape target by it: a fuzzed axis of 2^40 ran out of memory here.
    if (axis < 0 || axis >= r) throw c.fail(n, "axis " + n.attrInt("axis", 1) + " is out of range for rank " + r);
    long[] s = new long[(int) axis + 1];
    s[(int) axis] = -1;
    Value flat = reshape(c, x, s);
    Value y = c.builder().op1(ir, Map.of("axis", Attribute.of(-1L)), flat);
    return reshapeLike(c, y, x);
  }

  static List<Value> dropout(OnnxNode n, ImportContext c) {
    GraphBuilder b = c.builder();
    Value x = n.required(0);
    if (n.version() >= 12 && n.hasInput(2)) {
      Tensor tm = c.constantValue(n.input(2));
      if (tm == null || tm.getBool(0)) {
        // Training mode (or not known until run time): the dropout composite decides per run;
        // ratio 0 keeps everything. Our generator is SplitMix64 (RandomOps), not numpy's.
        Value ratio = n.hasInput(1) ? n.input(1) : c.scalar(DType.F32, 0.5);
        long seed = n.hasAttr("seed") ? n.attrInt("seed", 0) : n.outputName(0).hashCode();
        List<Value> r = b.op("dropout", List.of(x, ratio, n.input(2)), Map.of("seed", Attribute.of(seed)));
        return outs(n, r);
      }
    }
    if (n.version() < 7 && n.attrInt("is_test", 0) == 0 && n.version() > 1) {
      // Old opsets: is_test = 0 means training; treat as inference as runtimes do for exported models.
    }
    Value y = b.op1("identity", x);
    if (!n.wantsOutput(1)) return outs(n, y);
    DType mt = n.version() >= 10 ? DType.BOOL : dtype(x);
    var s = x.tensorType().shape();
    Value mask;
    if (s.isStatic()) {
      Tensor ones = Tensor.zeros(mt, s.sizes());
      for (long i = 0; i < ones.size(); i++) ones.setDouble(i, 1);
      mask = b.constant(ones);
    } else {
      mask = b.op1("broadcast", b.constant(Tensor.of(mt, new long[0], 1)), b.op1("shape_of", x));
    }
    return outs(n, y, mask);
  }

  static Map<String, Attribute> copy(Map<String, Attribute> m) { return new HashMap<>(m); }
}
