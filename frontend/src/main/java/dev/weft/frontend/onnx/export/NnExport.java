package dev.weft.frontend.onnx.export;

import dev.weft.bundle.DType;
import dev.weft.ir.Attribute;
import dev.weft.ir.Node;
import dev.weft.ir.Shape;
import dev.weft.ir.TensorType;
import java.util.List;

/** NN rows: matmul, conv, pools, normalizations, softmax family, quantization, RNNs, resize. */
final class NnExport implements ExportFamily {
  private static final String[] CONV = {"strides", "dilations", "pads", "auto_pad", "group"};

  @Override
  public void register(ExportTable t) {
    t.add("dropout", Rules.same("Dropout", "seed"));            // Dropout-13: data, ratio, training_mode
    t.add("matmul", NnExport::matmul);
    t.add("conv", Rules.window("Conv", CONV));
    t.add("conv_transpose", Rules.window("ConvTranspose", "strides", "dilations", "pads", "auto_pad", "group",
        "output_padding", "output_shape"));
    t.add("avg_pool", Rules.window("AveragePool", "kernel_shape", "strides", "dilations", "pads", "auto_pad", "ceil_mode",
        "count_include_pad"));
    t.add("max_pool", Rules.window("MaxPool", "kernel_shape", "strides", "dilations", "pads", "auto_pad", "ceil_mode",
        "storage_order"));
    t.add("lp_pool", Rules.window("LpPool", "kernel_shape", "strides", "dilations", "pads", "auto_pad", "ceil_mode", "p"));
    t.add("batch_norm", Rules.same("BatchNormalization", "epsilon"));
    t.add("instance_norm", Rules.same("InstanceNormalization", "epsilon"));
    t.add("group_norm", NnExport::groupNorm);
    t.add("layer_norm", (n, cx) -> {
      // LayerNormalization needs Scale; without one the decomposition is exact and as cheap.
      if (n.input(1) == null) cx.decompose(n);
      else cx.node("LayerNormalization", cx.ins(n), cx.outs(n), cx.attrs(n, "axis", "epsilon"));
    });
    t.add("rms_norm", Rules.decompose());          // RMSNormalization is opset 23
    t.add("attention", Rules.decompose());         // Attention is opset 23
    t.add("lrn", Rules.same("LRN", "size", "alpha", "beta", "bias"));
    t.add("mean_variance_normalization", Rules.same("MeanVarianceNormalization", "axes"));
    t.add("lp_normalization", Rules.same("LpNormalization", "axis", "p"));
    t.add("softmax", Rules.same("Softmax", "axis"));
    t.add("log_softmax", Rules.same("LogSoftmax", "axis"));
    t.add("hardmax", Rules.same("Hardmax", "axis"));
    t.add("einsum", Rules.same("Einsum", "equation"));
    t.add("quantize_linear", Rules.same("QuantizeLinear", "axis", "block_size", "saturate", "output_dtype"));
    t.add("dequantize_linear", Rules.same("DequantizeLinear", "axis", "block_size"));
    t.add("dynamic_quantize_linear", Rules.same("DynamicQuantizeLinear"));
    String[] rnn = {"direction", "hidden_size", "activations", "activation_alpha", "activation_beta", "clip", "layout"};
    t.add("rnn", Rules.window("RNN", rnn));
    t.add("gru", (n, cx) -> cx.node("GRU", cx.ins(n), cx.outs(n), cx.attrsNonEmpty(n, concat(rnn, "linear_before_reset"))));
    t.add("lstm", (n, cx) -> cx.node("LSTM", cx.ins(n), cx.outs(n), cx.attrsNonEmpty(n, concat(rnn, "input_forget"))));
    t.add("deform_conv", Rules.window("DeformConv", "kernel_shape", "strides", "pads", "dilations", "group", "offset_group"));
    t.add("grid_sample", Rules.same("GridSample", "mode", "padding_mode", "align_corners"));
    t.add("roi_align", Rules.same("RoiAlign", "coordinate_transformation_mode", "mode", "output_height", "output_width",
        "sampling_ratio", "spatial_scale"));
    t.add("max_unpool", Rules.window("MaxUnpool", "kernel_shape", "strides", "pads"));
    t.add("nll_loss", Rules.same("NegativeLogLikelihoodLoss", "reduction", "ignore_index"));
    t.add("softmax_cross_entropy_loss", Rules.same("SoftmaxCrossEntropyLoss", "reduction", "ignore_index"));
    t.add("linear_attention", Rules.weft("ONNX LinearAttention needs opset 27"));
    t.add("resize", Rules.window("Resize", "mode", "coordinate_transformation_mode", "nearest_mode", "cubic_coeff_a",
        "exclude_outside", "extrapolation_value", "antialias", "keep_aspect_ratio_policy", "axes"));
  }

  private static String[] concat(String[] a, String b) {
    String[] out = java.util.Arrays.copyOf(a, a.length + 1);
    out[a.length] = b;
    return out;
  }

  /**
   * Float matmul is MatMul; integer matmul (zero points, wider result) is MatMulInteger, which
   * only gives i32. ONNX MatMul has no transpose flags: a flagged operand is written as a
   * Transpose of its last two dims first (an operand of unknown rank cannot be, and stays a
   * weft op).
   */
  static void matmul(Node n, ExportContext cx) {
    DType out = ((TensorType) n.output(0).type()).dtype();
    DType a = n.input(0).tensorType().dtype();
    boolean plain = n.input(2) == null && n.input(3) == null && a == out && n.input(1).tensorType().dtype() == out;
    boolean intOp = !(out.isFloat() || plain) && out == DType.I32 && isByte(n, 0) && isByte(n, 1);
    if (!(out.isFloat() || plain || intOp)) {
      cx.asWeftOp(n, "integer matmul of " + n.input(0).tensorType().dtype() + " into " + out + " has no ONNX op");
      return;
    }
    for (int i = 0; i < 2; i++) {
      if (n.attrs().getIntOr(i == 0 ? "transpose_a" : "transpose_b", 0) == 1 && !n.input(i).tensorType().shape().isRanked()) {
        cx.asWeftOp(n, "a transposed matmul operand of unknown rank has no ONNX form");
        return;
      }
    }
    String lhs = logicalOperand(n, 0, "transpose_a", cx);
    String rhs = logicalOperand(n, 1, "transpose_b", cx);
    if (!intOp) {
      cx.node("MatMul", List.of(lhs, rhs), cx.outs(n), List.of());
    } else {
      List<String> ins = new java.util.ArrayList<>(cx.ins(n));
      ins.set(0, lhs);
      ins.set(1, rhs);
      cx.node("MatMulInteger", ins, cx.outs(n), List.of());
    }
  }

  /** Operand {@code i} as the product reads it: its name, or a Transpose swapping its last two dims when flagged. */
  private static String logicalOperand(Node n, int i, String flag, ExportContext cx) {
    String name = cx.in(n, i);
    if (n.attrs().getIntOr(flag, 0) != 1) return name;
    int r = n.input(i).tensorType().rank();
    long[] perm = new long[r];
    for (int d = 0; d < r; d++) perm[d] = d;
    perm[r - 1] = r - 2;
    perm[r - 2] = r - 1;
    return cx.tmp("Transpose", name + "_t", List.of(name), List.of(cx.attr("perm", Attribute.of(perm))));
  }

  private static boolean isByte(Node n, int i) {
    DType d = n.input(i).tensorType().dtype();
    return d == DType.I8 || d == DType.U8;
  }

  /** GroupNormalization-21 scales per channel; a per-group scale (opset 18 models) is exported decomposed. */
  static void groupNorm(Node n, ExportContext cx) {
    long groups = n.attrs().getInt("num_groups");
    Shape ss = n.input(1).tensorType().shape();
    Shape xs = n.input(0).tensorType().shape();
    boolean perGroup = ss.isStatic() && ss.elementCount() == groups
        && !(xs.isRanked() && xs.rank() > 1 && xs.dim(1).isStatic() && xs.dim(1).size() == groups);
    if (perGroup) cx.decompose(n);
    else cx.node("GroupNormalization", cx.ins(n), cx.outs(n), cx.attrs(n, "num_groups", "epsilon"));
  }
}
