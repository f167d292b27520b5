package dev.weft.ir.ops;

import dev.weft.bundle.DType;
import dev.weft.bundle.Tensor;
import dev.weft.ir.Attribute;
import dev.weft.ir.Dim;
import dev.weft.ir.GraphBuilder;
import dev.weft.ir.InferContext;
import dev.weft.ir.Node;
import dev.weft.ir.OpDef;
import dev.weft.ir.OpLibrary;
import dev.weft.ir.Shape;
import dev.weft.ir.TensorType;
import dev.weft.ir.Type;
import dev.weft.ir.Value;
import dev.weft.ir.interp.KernelContext;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Classification losses as composites: {@code nll_loss} (input [N, C, d...] of log-probabilities,
 * integer target [N, d...], optional class weight [C]) and {@code softmax_cross_entropy_loss}
 * (log_softmax over axis 1, then nll_loss; its second result is the log-probabilities).
 * {@code reduction} is none / sum / mean; mean divides by the sum of the weights of the counted
 * elements (PyTorch's convention), so ignored targets ({@code ignore_index}) count neither in the
 * numerator nor the denominator. Decompositions: gather_elements along axis 1, select for the
 * ignored targets, reduce_sum.
 */
public final class LossOps implements OpLibrary {
  @Override
  public List<OpDef> ops() {
    return List.of(
        OpDef.composite("nll_loss").inputs(2, 3).attr("reduction", Attribute.of("mean"))
            .optional("ignore_index", Attribute.Kind.INT)
            .infer(c -> List.of(lossType(c))).kernel(c -> KernelContext.one(nll(c, c.tensor(0))))
            .decompose((n, b) -> List.of(expandNll(n, b, n.input(0))))
            .doc("Negative log-likelihood of integer targets; reduction none/sum/mean, optional ignore_index.").build(),
        OpDef.composite("softmax_cross_entropy_loss").inputs(2, 3).outputs(2).attr("reduction", Attribute.of("mean"))
            .optional("ignore_index", Attribute.Kind.INT)
            .infer(c -> List.of(lossType(c), c.tensor(0))).kernel(LossOps::sce)
            .decompose(LossOps::expandSce)
            .doc("nll_loss of log_softmax(scores, axis 1); results: loss, log_prob.").build());
  }

  static TensorType lossType(InferContext c) {
    NnSupport.requireFloat(c, 0, "input");
    if (!c.dtype(1).isInteger()) throw c.fail("target must be an integer tensor, got " + c.dtype(1));
    if (c.hasInput(2) && c.dtype(2) != c.dtype(0)) throw c.fail("weight must be " + c.dtype(0) + ", got " + c.dtype(2));
    String r = c.attrs().getString("reduction");
    if (!r.equals("none") && !r.equals("sum") && !r.equals("mean")) throw c.fail("reduction must be none, sum or mean, got '" + r + "'");
    Shape x = c.shape(0), t = c.shape(1);
    if (x.isRanked() && x.rank() < 2) throw c.fail("input must have rank >= 2 ([N, C, d...]), got " + x);
    if (x.isRanked() && t.isRanked()) {
      if (t.rank() != x.rank() - 1) throw c.fail("target must have rank " + (x.rank() - 1) + ", got " + t);
      List<Dim> expect = new ArrayList<>(x.dims());
      expect.remove(1);
      for (int i = 0; i < expect.size(); i++) {
        Dim a = expect.get(i), b = t.dims().get(i);
        if (a.isStatic() && b.isStatic() && a.size() != b.size()) throw c.fail("target shape " + t + " does not match input " + x);
      }
    }
    if (!r.equals("none")) return new TensorType(c.dtype(0), Shape.scalar());
    if (t.isRanked()) return new TensorType(c.dtype(0), t);
    if (!x.isRanked()) return new TensorType(c.dtype(0), Shape.unranked());
    List<Dim> d = new ArrayList<>(x.dims());
    d.remove(1);
    return new TensorType(c.dtype(0), new Shape(d));
  }

  // ---- kernels ----

  /** nll_loss of log-probabilities {@code lp} with the node's target, weight and attributes. */
  static Tensor nll(KernelContext c, Tensor lp) {
    long[] s = lp.shape();
    int n = (int) s[0], classes = (int) s[1], inner = (int) NnSupport.prod(s, 2, s.length);
    Tensor target = c.tensor(1);
    double[] w = c.has(2) ? c.tensor(2).toDoubleArray() : null;
    boolean hasIgnore = c.attrs().hasValue("ignore_index");
    long ignore = hasIgnore ? c.attrs().getInt("ignore_index") : 0;
    double[] x = lp.toDoubleArray();
    double[] loss = new double[n * inner];
    double sum = 0, weights = 0;
    for (int i = 0; i < n; i++) {
      for (int d = 0; d < inner; d++) {
        int k = i * inner + d;
        long t = target.getLong(k);
        if (hasIgnore && t == ignore) continue;
        if (t < 0 || t >= classes) throw c.fail("target " + t + " at " + k + " is out of range for " + classes + " classes");
        double wt = w == null ? 1 : w[(int) t];
        loss[k] = -x[(i * classes + (int) t) * inner + d] * wt;
        sum += loss[k];
        weights += wt;
      }
    }
    DType dt = lp.dtype();
    return switch (c.attrs().getString("reduction")) {
      case "none" -> NnSupport.fromDoubles(dt, target.shape(), loss);
      case "sum" -> Tensor.scalar(dt, sum);
      default -> Tensor.scalar(dt, sum / weights);
    };
  }

  static Object[] sce(KernelContext c) {
    Tensor x = c.tensor(0);
    long[] s = x.shape();
    int outer = (int) s[0], dim = (int) s[1], inner = (int) NnSupport.prod(s, 2, s.length);
    double[] v = x.toDoubleArray();
    double[] lp = new double[v.length];
    for (int o = 0; o < outer; o++) {
      for (int in = 0; in < inner; in++) {
        int base = o * dim * inner + in;
        double m = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < dim; i++) m = Math.max(m, v[base + i * inner]);
        double sum = 0;
        for (int i = 0; i < dim; i++) sum += Math.exp(v[base + i * inner] - m);
        double ls = Math.log(sum);
        for (int i = 0; i < dim; i++) lp[base + i * inner] = v[base + i * inner] - m - ls;
      }
    }
    Tensor logProb = NnSupport.fromDoubles(x.dtype(), s, lp);
    return new Object[] {nll(c, logProb), logProb};
  }

  // ---- decompositions (core ops only) ----

  static List<Value> expandSce(Node n, GraphBuilder b) {
    Value x = n.input(0);
    long[] ax = {1};
    Value d = b.op1("sub", x, NnSupport.reduce(b, "reduce_max", x, ax, true));
    Value lse = b.op1("log", NnSupport.reduce(b, "reduce_sum", b.op1("exp", d), ax, true));
    Value lp = b.op1("sub", d, lse);
    return List.of(expandNll(n, b, lp), lp);
  }

  static Value expandNll(Node n, GraphBuilder b, Value lp) {
    Value target = n.input(1), weight = n.input(2);
    DType dt = lp.tensorType().dtype(), it = target.tensorType().dtype();
    Value keep = null, safe = target;
    if (n.attrs().hasValue("ignore_index")) {
      Value ii = b.constant(Tensor.scalar(it, n.attrs().getInt("ignore_index")));
      keep = b.op1("not", b.op1("equal", target, ii));
      // Ignored targets may lie outside [0, C): gather class 0 for them, then zero the loss.
      safe = b.op1("select", keep, target, b.constant(Tensor.scalar(it, 0)));
    }
    Map<String, Attribute> axis1 = Map.of("axes", Attribute.of(new long[] {1}));
    Value picked = b.op1("gather_elements", Map.of("axis", Attribute.of(1L)), lp, b.op1("unsqueeze", axis1, safe));
    Value loss = b.op1("neg", b.op1("squeeze", axis1, picked));
    Value zero = NnSupport.scalar(b, dt, 0);
    Value w = null;
    if (weight != null) w = b.op1("gather", Map.of("axis", Attribute.of(0L)), weight, safe);
    if (keep != null) {
      loss = b.op1("select", keep, loss, zero);
      w = w == null ? NnSupport.cast(b, keep, dt) : b.op1("select", keep, w, zero);
    }
    if (w != null) loss = b.op1("mul", loss, w);
    String reduction = n.attrs().getString("reduction");
    if (reduction.equals("none")) return loss;
    Value sum = sumAll(b, loss);
    if (reduction.equals("sum")) return sum;
    Value count = w != null ? sumAll(b, w) : NnSupport.cast(b, b.op1("size", loss), dt);
    return b.op1("div", sum, count);
  }

  private static Value sumAll(GraphBuilder b, Value x) {
    return b.op1("reduce_sum", Map.of("keepdims", Attribute.of(0L)), x);
  }
}
