package dev.weft.passes.fusion;

import dev.weft.ir.Attrs;
import dev.weft.ir.Constants;
import dev.weft.ir.Node;
import dev.weft.ir.Shape;
import dev.weft.ir.TensorType;
import dev.weft.ir.Value;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * What fusion needs to know about each op, as one table (STYLE item 1): how the op reads its
 * operands (elementwise, a layout change, a reduction, a matmul or conv, attention) or that it
 * is opaque (never fused: control flow, sorting, random, data-dependent output shapes, custom
 * ops). TVM's {@code TOpPattern} (elemwise, broadcast, injective, comm-reduce,
 * out-elemwise-fusable, opaque) is the model.
 */
enum OpClass {
  /** Each result element reads the same-index (broadcast) element of each operand. */
  ELEMENTWISE,
  /** Moves or selects elements without arithmetic: an index map in a fused loop. */
  LAYOUT,
  /** Reduces over some axes (softmax and the norms count: statistics, then an elementwise pass). */
  REDUCTION,
  MATMUL,
  CONV,
  ATTENTION,
  /** Computes shapes from shapes ({@code shape_of}, {@code size}); no tensor data is read. */
  SHAPE,
  CONSTANT,
  OPAQUE;

  private static final Set<String> ELEMENTWISE_OPS = Set.of(
      "abs", "acos", "acosh", "add", "and", "asin", "asinh", "atan", "atanh", "bit_shift", "bitwise_and", "bitwise_not",
      "bitwise_or", "bitwise_xor", "ceil", "cos", "cosh", "div", "equal", "erf", "exp", "floor", "greater", "greater_equal",
      "is_inf", "is_nan", "less", "less_equal", "log", "max", "min", "mod", "mul", "neg", "not", "or", "pow", "reciprocal",
      "relu", "round", "rsqrt", "select", "sigmoid", "sign", "sin", "sinh", "sqrt", "sub", "tan", "tanh", "xor", "cast",
      "bitcast", "clip", "celu", "elu", "gelu", "hard_sigmoid", "hard_swish", "leaky_relu", "mish", "prelu", "selu",
      "shrink", "softplus", "softsign", "thresholded_relu", "batch_norm", "quantize_linear", "dequantize_linear",
      "identity", "dropout");

  /** Layout ops and which operands are data (the rest give shapes, axes or indices as values). */
  private static final Map<String, Integer> LAYOUT_OPS = Map.ofEntries(
      Map.entry("reshape", 1), Map.entry("squeeze", 1), Map.entry("unsqueeze", 1), Map.entry("flatten", 1),
      Map.entry("transpose", 1), Map.entry("broadcast", 1), Map.entry("tile", 1), Map.entry("slice", 1),
      Map.entry("pad", 2), Map.entry("split", 1), Map.entry("concat", Integer.MAX_VALUE),
      Map.entry("gather", 2), Map.entry("gather_elements", 2), Map.entry("gather_nd", 2));

  /** Layout ops whose result holds exactly the operand's elements (a new index map, no copy needed). */
  private static final Set<String> COUNT_PRESERVING = Set.of("reshape", "squeeze", "unsqueeze", "flatten", "transpose", "identity");

  /** Ops that replicate operand elements: a producer fused through them is recomputed per copy. */
  private static final Set<String> REPLICATING = Set.of("broadcast", "tile", "gather", "gather_elements", "gather_nd");

  private static final Set<String> REDUCTION_OPS = Set.of(
      "reduce_sum", "reduce_prod", "reduce_max", "reduce_min", "reduce_mean", "reduce_log_sum_exp", "argmax", "argmin",
      "softmax", "log_softmax", "layer_norm", "rms_norm", "lp_normalization", "dynamic_quantize_linear",
      "mean_variance_normalization");

  static OpClass of(Node n) {
    String op = n.opName();
    if (op.equals(Constants.OP)) return CONSTANT;
    if (!n.subgraphs().isEmpty()) return OPAQUE;
    // Sequences, optionals and unranked tensors have no loop nest to fuse into.
    for (Value v : n.outputs()) if (!(v.type() instanceof TensorType t) || !t.shape().isRanked()) return OPAQUE;
    for (Value v : n.inputs()) if (v != null && !(v.type() instanceof TensorType t && t.shape().isRanked())) return OPAQUE;
    if (ELEMENTWISE_OPS.contains(op)) return ELEMENTWISE;
    if (LAYOUT_OPS.containsKey(op)) return LAYOUT;
    if (REDUCTION_OPS.contains(op)) return REDUCTION;
    if (op.equals("shape_of") || op.equals("size")) return SHAPE;
    return switch (op) {
      case "matmul" -> MATMUL;
      case "conv", "conv_transpose" -> CONV;
      case "attention" -> ATTENTION;
      default -> OPAQUE;
    };
  }

  /** True when operand {@code i} of layout op {@code n} is tensor data (not a shape, axes or pads operand). */
  static boolean isDataOperand(Node n, int i) {
    Integer k = LAYOUT_OPS.get(n.opName());
    return k == null || i < k;
  }

  static boolean countPreserving(Node n) { return COUNT_PRESERVING.contains(n.opName()); }

  static boolean replicating(Node n) { return REPLICATING.contains(n.opName()); }

  /**
   * Which elements a reduction reduces over, as "input shape / axes": two reductions with the
   * same signature share one row schedule (mean and variance of a decomposed layer norm).
   */
  static String reductionSignature(Node n) {
    TensorType in = n.input(0).tensorType();
    Shape s = in.shape();
    if (!s.isRanked()) return "unranked@" + System.identityHashCode(n);
    int rank = s.rank();
    Attrs a = n.attrs();
    TreeSet<Long> axes = new TreeSet<>();
    switch (n.opName()) {
      case "softmax", "log_softmax", "lp_normalization", "argmax", "argmin" -> axes.add(norm(a.getIntOr("axis", -1), rank));
      case "layer_norm", "rms_norm" -> {
        for (long k = norm(a.getIntOr("axis", -1), rank); k < rank; k++) axes.add(k);
      }
      case "dynamic_quantize_linear" -> {
        for (long k = 0; k < rank; k++) axes.add(k);
      }
      case "mean_variance_normalization" -> {
        for (long k : a.getIntsOr("axes", new long[] {0, 2, 3})) axes.add(norm(k, rank));
      }
      default -> {
        long[] ax = n.inputCount() > 1 && n.input(1) != null ? constantAxes(n.input(1)) : a.getIntsOr("axes", null);
        if (ax == null && n.inputCount() > 1 && n.input(1) != null) return "dynamic@" + System.identityHashCode(n);
        if (ax == null || ax.length == 0) {
          for (long k = 0; k < rank; k++) axes.add(k);
        } else {
          for (long k : ax) axes.add(norm(k, rank));
        }
      }
    }
    return s + "/" + axes;
  }

  private static long[] constantAxes(Value v) {
    var t = Constants.valueOf(v);
    return t == null ? null : t.toLongArray();
  }

  private static long norm(long axis, int rank) { return axis < 0 ? axis + rank : axis; }
}
