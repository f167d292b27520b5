package dev.weft.passes.precision;

import dev.weft.bundle.DType;
import dev.weft.bundle.Tensor;
import dev.weft.ir.Attribute;
import dev.weft.ir.Graph;
import dev.weft.ir.InferContext;
import dev.weft.ir.Module;
import dev.weft.ir.Node;
import dev.weft.ir.TensorType;
import dev.weft.ir.Type;
import dev.weft.ir.Use;
import dev.weft.ir.Value;
import dev.weft.passes.Pass;
import dev.weft.passes.PassContext;
import dev.weft.passes.PassOptions;
import dev.weft.passes.PipelineException;
import dev.weft.passes.Rewrite;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code precision{mode=fp16|bf16}}: float32 compute becomes half precision, the way
 * PyTorch autocast and TensorFlow's mixed-precision policy do it, with three op lists:
 * <ul>
 *   <li>{@link #HALF_OPS} (matmul, conv): always run in half. Their kernels take half operands,
 *       convert them to float and accumulate in float32 ({@code MatmulOps.matmulF}, the conv
 *       kernels; the backends use f16/bf16 tensor-core MMA with f32 accumulators), and round
 *       the result to half once.</li>
 *   <li>{@link #FOLLOW_OPS} (elementwise math, data movement, max pooling): run in half when
 *       every non-constant float operand is already half, else in float32 (half operands are
 *       cast up). Constants are converted to match, unless (fp16) a value would overflow.</li>
 *   <li>Everything else stays in float32: the sensitive ops of {@link #SENSITIVE_OPS} on
 *       purpose, unknown ops by default. Their half operands are cast up to float32.</li>
 * </ul>
 * The sensitive list, and why: {@code softmax}/{@code log_softmax}/{@code attention} (the
 * max and sum-of-exponentials statistics); {@code layer_norm}, {@code rms_norm},
 * {@code group_norm}, {@code instance_norm}, {@code batch_norm},
 * {@code mean_variance_normalization}, {@code lp_normalization} (mean and variance of many
 * elements; a variance in half loses the small differences); {@code reduce_sum},
 * {@code reduce_mean}, {@code reduce_prod}, {@code reduce_log_sum_exp}, {@code reduce_l1},
 * {@code reduce_l2}, {@code avg_pool}, {@code lp_pool}, {@code cum_sum} (long accumulations;
 * the decomposed LayerNorm of BERT exports is reduce_mean, sub, pow, reduce_mean, so it stays
 * float32 as a whole by the follow rule); {@code exp}, {@code log}, {@code pow} (the output's
 * relative error is the input's absolute error times the exponent: an input of 20 in fp16
 * already gives 1%); {@code cast} (a half value truncated to an integer differs from the
 * float32 one). Integer and boolean nodes are never touched. Two more guards: a node whose
 * result reaches a quantizer ({@link #QUANTIZERS}), directly or not, stays float32, since half
 * rounding moves values across quantization steps (a dynamically quantized model keeps its
 * float parts before the last quantizer in float32: it is low precision already); and in fp16 mode (largest value 65504) a value computed from
 * {@code exp} or {@code pow} stays float32 until a range-narrowing op (sqrt, log, softmax,
 * ...), as a power spectrum fed to a matmul would overflow. The graph's inputs count as wide too (raw
 * audio samples or pixel values of unknown scale), so the first matmul/conv layer that reads them
 * stays float32, a common mixed-precision practice; a matmul/conv result counts as normal again.
 *
 * <p>The graph's interface is unchanged: float32 inputs are cast to half where half nodes read
 * them, and half results that are graph outputs are cast back (keeping the output names).
 * Only the main graph is converted; a value a nested graph reads stays float32.
 */
public final class Precision implements Pass {
  public static final Set<String> HALF_OPS = Set.of("matmul", "conv", "conv_transpose");

  public static final Set<String> FOLLOW_OPS = Set.of(
      "add", "sub", "mul", "div", "neg", "abs", "relu", "tanh", "sigmoid", "erf", "gelu", "max", "min", "select",
      "clip", "leaky_relu", "elu", "celu", "selu", "hard_sigmoid", "hard_swish", "prelu", "sqrt", "reciprocal",
      "reshape", "transpose", "squeeze", "unsqueeze", "flatten", "identity", "concat", "split", "slice", "gather",
      "pad", "broadcast", "tile", "depth_to_space", "space_to_depth", "max_pool", "reduce_max", "reduce_min");

  public static final Set<String> SENSITIVE_OPS = Set.of(
      "softmax", "log_softmax", "attention", "layer_norm", "rms_norm", "group_norm", "instance_norm", "batch_norm",
      "mean_variance_normalization", "lp_normalization", "reduce_sum", "reduce_mean", "reduce_prod",
      "reduce_log_sum_exp", "reduce_l1", "reduce_l2", "avg_pool", "lp_pool", "cum_sum", "exp", "log", "pow", "cast");

  private static final double F16_MAX = 65504;

  /** Consumers that round their operand to a grid: their producers stay float32 (a flipped rounding is a whole step). */
  public static final Set<String> QUANTIZERS = Set.of("quantize_linear", "dynamic_quantize_linear");

  /** Ops that widen the range (fp16 tops out at 65504); their results stay float32 in fp16 mode until a sqrt or log. */
  static final Set<String> RANGE_WIDENING = Set.of("exp", "pow");

  /** Ops that narrow the range again: a wide operand gives a result of normal range. */
  static final Set<String> RANGE_NARROWING = Set.of("sqrt", "rsqrt", "log", "softmax", "log_softmax", "layer_norm",
      "rms_norm", "sigmoid", "tanh", "erf", "gelu", "equal", "less", "less_equal", "greater", "greater_equal", "cast", "is_nan", "is_inf");

  private final DType half;

  public Precision(PassOptions o) {
    String mode = o.getString("mode", "fp16");
    this.half = switch (mode) {
      case "fp16", "f16" -> DType.F16;
      case "bf16" -> DType.BF16;
      default -> throw new PipelineException("pass 'precision': mode=" + mode + " is not fp16 or bf16");
    };
  }

  @Override
  public String name() { return "precision"; }

  @Override
  public boolean run(Module module, PassContext ctx) {
    Graph main = module.main();
    Map<Value, Value> halfOf = new IdentityHashMap<>();   // f32 value -> its half cast or converted constant
    Map<Value, Value> fullOf = new IdentityHashMap<>();   // half value -> its f32 cast
    Set<Value> madeHalf = java.util.Collections.newSetFromMap(new IdentityHashMap<>());
    wide.clear();
    feedsQuantizer.clear();
    if (half == DType.F16) {   // raw float inputs (audio samples, pixel values): range unknown
      for (Value in : main.inputs()) if (isF32(in)) wide.add(in);
    }
    List<Node> nodes = main.nodes();
    for (int k = nodes.size() - 1; k >= 0; k--) {   // backwards: consumers first
      Node n = nodes.get(k);
      for (Value out : n.outputs()) {
        for (Use u : out.uses()) {
          Node user = u.user();
          if (user != null && (QUANTIZERS.contains(user.opName()) || feedsQuantizer.contains(user))) {
            feedsQuantizer.add(n);
          }
        }
      }
    }
    int converted = 0;
    for (Node n : new ArrayList<>(main.nodes())) {
      if (n.graph() != main || n.opName().equals("constant")) continue;
      markWide(n);
      boolean toHalf = decide(n, madeHalf);
      if (toHalf) {
        for (int i = 0; i < n.inputCount(); i++) {
          Value v = n.input(i);
          if (v != null && isF32(v)) n.setInput(i, halfVersion(v, n, halfOf, ctx));
        }
        List<Type> types;
        try {
          types = n.op().infer().infer(new InferContext(n));
        } catch (RuntimeException e) {
          throw new IllegalStateException("precision: " + n.describe() + " does not accept " + half + " operands: " + e.getMessage(), e);
        }
        for (int i = 0; i < types.size(); i++) {
          Value out = n.output(i);
          // Keep the recorded shape (it may be more precise than a fresh inference); take the new dtype.
          if (out.type() instanceof TensorType rec && types.get(i) instanceof TensorType inf && rec.dtype() != inf.dtype()) {
            out.setType(rec.withDType(inf.dtype()));
            if (rec.dtype() == DType.F32 && inf.dtype() == half) madeHalf.add(out);
          }
        }
        converted++;
      } else {
        for (int i = 0; i < n.inputCount(); i++) {
          Value v = n.input(i);
          if (v != null && madeHalf.contains(v)) n.setInput(i, fullVersion(v, n, fullOf, ctx));
        }
      }
    }
    // The interface: graph outputs that became half are cast back and keep their names.
    List<Value> outs = main.outputs();
    for (int i = 0; i < outs.size(); i++) {
      Value v = outs.get(i);
      if (!madeHalf.contains(v)) continue;
      Value back = new dev.weft.ir.GraphBuilder(main, ctx.registry()).at(v.producer() == null ? dev.weft.ir.Location.UNKNOWN : v.producer().location())
          .op1("cast", Map.of("to", Attribute.of(DType.F32)), v);
      String name = v.name();
      v.setName(main.claim(name + "_" + half.textName()));
      back.setName(name);
      main.setOutput(i, back);
      ctx.count("casts");
    }
    ctx.count("half-nodes", converted);
    return converted > 0;
  }

  /** Nodes whose results reach a quantizer. */
  private final Set<Node> feedsQuantizer = java.util.Collections.newSetFromMap(new IdentityHashMap<>());

  /** Values of possibly large magnitude (fp16 mode): results of exp/pow and what is computed from them. */
  private final Set<Value> wide = java.util.Collections.newSetFromMap(new IdentityHashMap<>());

  private void markWide(Node n) {
    if (half != DType.F16) return;
    boolean w = RANGE_WIDENING.contains(n.opName());
    if (!w && !RANGE_NARROWING.contains(n.opName()) && !HALF_OPS.contains(n.opName())) {
      for (Value v : n.inputs()) if (v != null && wide.contains(v) && isF32(v)) w = true;
    }
    if (w) wide.addAll(n.outputs());
  }

  /** Whether {@code n} runs in half: see the class comment. */
  private boolean decide(Node n, Set<Value> madeHalf) {
    String op = n.opName();
    if (!HALF_OPS.contains(op) && !FOLLOW_OPS.contains(op)) return false;
    if (!n.subgraphs().isEmpty() || feedsQuantizer.contains(n)) return false;
    boolean anyF32Output = false;
    for (Value out : n.outputs()) {
      if (isF32(out)) anyF32Output = true;
      for (Use u : out.uses()) {
        Graph where = u.user() != null ? u.user().graph() : u.outputOf();
        if (where != n.graph()) return false;   // read by a nested graph: stays float32
      }
    }
    if (!anyF32Output) return false;
    boolean anyHalf = false;
    boolean anyF32 = false;
    for (Value v : n.inputs()) {
      if (v == null) continue;
      Tensor c = Rewrite.constant(v);
      if (c != null) {
        if (isF32(v) && half == DType.F16 && !fitsF16(c)) return false;
        continue;
      }
      if (wide.contains(v)) return false;
      if (madeHalf.contains(v)) anyHalf = true;
      else if (isF32(v)) anyF32 = true;
    }
    if (HALF_OPS.contains(op)) return true;
    if (anyF32) return false;
    return anyHalf || op.equals("gather");   // a lookup in a constant table: the table halves too
  }

  private Value halfVersion(Value v, Node user, Map<Value, Value> halfOf, PassContext ctx) {
    Value h = halfOf.get(v);
    if (h != null) return h;
    Tensor c = Rewrite.constant(v);
    if (c != null) {
      Tensor t = Tensor.zeros(half, c.shape());
      for (long i = 0; i < c.size(); i++) t.setDouble(i, c.getDouble(i));
      h = Rewrite.before(firstNode(user.graph()), ctx).constant(t, v.name() + "_" + half.textName());
      ctx.count("constants-converted");
    } else {
      h = Rewrite.before(user, ctx).op1("cast", Map.of("to", Attribute.of(half)), v);
      ctx.count("casts");
    }
    halfOf.put(v, h);
    return h;
  }

  private Value fullVersion(Value v, Node user, Map<Value, Value> fullOf, PassContext ctx) {
    Value f = fullOf.get(v);
    if (f != null) return f;
    f = Rewrite.before(user, ctx).op1("cast", Map.of("to", Attribute.of(DType.F32)), v);
    ctx.count("casts");
    fullOf.put(v, f);
    return f;
  }

  private static Node firstNode(Graph g) { return g.nodes().get(0); }

  private static boolean fitsF16(Tensor c) {
    for (long i = 0; i < c.size(); i++) {
      double x = c.getDouble(i);
      if (Double.isFinite(x) && Math.abs(x) > F16_MAX) return false;
    }
    return true;
  }

  private static boolean isF32(Value v) { return v.type() instanceof TensorType t && t.dtype() == DType.F32; }

  private boolean isHalf(Value v) { return v.type() instanceof TensorType t && t.dtype() == half; }
}
