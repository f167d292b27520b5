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
 * Normalization composites, each with its own kernel and a decomposition into core ops:
 * {@code layer_norm} (results y, mean, inv_std; over dims axis..rank-1), {@code rms_norm},
 * {@code batch_norm} (inference), {@code instance_norm}, {@code group_norm} (scale/bias per
 * channel or per group), {@code mean_variance_normalization}, {@code lrn}.
 */
public final class NormComposites implements OpLibrary {
  @Override
  public List<OpDef> ops() {
    return List.of(
        OpDef.composite("layer_norm").inputs(1, 3).outputs(3)
            .attr("axis", Attribute.of(-1L)).attr("epsilon", Attribute.of(1e-5))
            .infer(NormComposites::inferLayer).kernel(c -> NormKernels.layer(c, false)).decompose((n, b) -> expandLayer(n, b, false)).build(),
        OpDef.composite("rms_norm").inputs(1, 2)
            .attr("axis", Attribute.of(-1L)).attr("epsilon", Attribute.of(1e-5))
            .infer(NormComposites::same).kernel(c -> NormKernels.layer(c, true)).decompose((n, b) -> expandLayer(n, b, true)).build(),
        OpDef.composite("batch_norm").inputs(5).attr("epsilon", Attribute.of(1e-5))
            .infer(NormComposites::same).kernel(NormKernels::batch).decompose(NormComposites::expandBatch)
            .doc("inference: (x - mean) / sqrt(var + epsilon) * scale + bias, per channel (axis 1)").build(),
        OpDef.composite("instance_norm").inputs(3).attr("epsilon", Attribute.of(1e-5))
            .infer(NormComposites::same).kernel(c -> NormKernels.group(c, -1)).decompose((n, b) -> expandGroup(n, b, -1)).build(),
        OpDef.composite("group_norm").inputs(3).required("num_groups", Attribute.Kind.INT).attr("epsilon", Attribute.of(1e-5))
            .infer(NormComposites::same).kernel(c -> NormKernels.group(c, c.attrs().getInt("num_groups")))
            .decompose((n, b) -> expandGroup(n, b, n.attrs().getInt("num_groups"))).build(),
        OpDef.composite("mean_variance_normalization").inputs(1).attr("axes", Attribute.of(new long[] {0, 2, 3}))
            .infer(NormComposites::same).kernel(NormKernels::mvn).decompose(NormComposites::expandMvn)
            .doc("(x - mean) / (sqrt(E[x^2] - mean^2) + 1e-9) over axes").build(),
        OpDef.composite("lrn").inputs(1).required("size", Attribute.Kind.INT)
            .attr("alpha", Attribute.of(1e-4)).attr("beta", Attribute.of(0.75)).attr("bias", Attribute.of(1.0))
            .infer(NormComposites::same).kernel(NormKernels::lrn).decompose(NormComposites::expandLrn)
            .doc("x / (bias + alpha / size * sum of squares over a channel window)^beta").build());
  }

  static List<Type> same(InferContext c) {
    NnSupport.requireFloat(c, 0, "input");
    for (int i = 1; i < c.inputCount(); i++) {
      if (c.hasInput(i) && !c.dtype(i).isFloat()) throw c.fail("operand " + i + " must be float, got " + c.dtype(i));
    }
    if (c.shape(0).isRanked() && c.node().op().attr("axis") != null) NnSupport.axis(c.attrs().getInt("axis"), c.shape(0).rank(), c);
    return List.of(c.tensor(0));
  }

  static DType statType(DType t) { return t == DType.F64 || t == DType.F32 ? t : DType.F32; }

  static List<Type> inferLayer(InferContext c) {
    TensorType x = same(c).get(0) instanceof TensorType t ? t : null;
    Shape st = Shape.unranked();
    if (x.shape().isRanked()) {
      int axis = NnSupport.axis(c.attrs().getInt("axis"), x.rank(), c);
      List<Dim> d = new ArrayList<>(x.shape().dims());
      for (int i = axis; i < d.size(); i++) d.set(i, Dim.of(1));
      st = new Shape(d);
    }
    TensorType stats = new TensorType(statType(x.dtype()), st);
    return List.of(x, stats, stats);
  }

  // ---- decompositions ----

  private static long[] range(int from, int to) {
    long[] a = new long[to - from];
    for (int i = 0; i < a.length; i++) a[i] = from + i;
    return a;
  }

  static List<Value> expandLayer(Node n, GraphBuilder b, boolean rms) {
    Value x = n.input(0);
    DType t = x.tensorType().dtype();
    int r = x.tensorType().rank();
    long[] axes = range(NnSupport.axis(n.attrs().getInt("axis"), r), r);
    Value eps = NnSupport.scalar(b, t, n.attrs().getFloat("epsilon"));
    Value one = NnSupport.scalar(b, t, 1);
    Value mean = rms ? null : NnSupport.reduce(b, "reduce_mean", x, axes, true);
    Value d = rms ? x : b.op1("sub", x, mean);
    Value var = NnSupport.reduce(b, "reduce_mean", b.op1("mul", d, d), axes, true);
    Value inv = b.op1("div", one, b.op1("sqrt", b.op1("add", var, eps)));
    Value y = b.op1("mul", d, inv);
    if (n.input(1) != null) y = b.op1("mul", y, n.input(1));
    if (n.inputCount() > 2 && n.input(2) != null) y = b.op1("add", y, n.input(2));
    if (rms) return List.of(y);
    DType st = statType(t);
    if (st != t) {
      mean = NnSupport.cast(b, mean, st);
      inv = NnSupport.cast(b, inv, st);
    }
    return List.of(y, mean, inv);
  }

  /** A per-channel vector [C] shaped to broadcast against x [N, C, d...]. */
  static Value perChannel(GraphBuilder b, Value v, int rank) {
    if (rank <= 2) return v;
    long[] s = new long[rank - 1];
    s[0] = -1;
    for (int i = 1; i < s.length; i++) s[i] = 1;
    return NnSupport.reshape(b, v, s);
  }

  static List<Value> expandBatch(Node n, GraphBuilder b) {
    Value x = n.input(0);
    int r = x.tensorType().rank();
    DType t = x.tensorType().dtype();
    Value eps = NnSupport.scalar(b, t, n.attrs().getFloat("epsilon"));
    Value inv = b.op1("div", NnSupport.scalar(b, t, 1), b.op1("sqrt", b.op1("add", n.input(4), eps)));
    Value k = b.op1("mul", n.input(1), inv);
    Value y = b.op1("mul", b.op1("sub", x, perChannel(b, n.input(3), r)), perChannel(b, k, r));
    return List.of(b.op1("add", y, perChannel(b, n.input(2), r)));
  }

  /** x reshaped back to the shape of {@code like} (static: a constant; else the shape op). */
  static Value reshapeLike(GraphBuilder b, Value y, Value like) {
    Shape s = like.tensorType().shape();
    if (s.isStatic()) return NnSupport.reshape(b, y, s.sizes());
    return b.op1("reshape", y, b.op1("shape_of", like));
  }

  /** instance_norm (groups = -1: one group per channel) and group_norm. */
  static List<Value> expandGroup(Node n, GraphBuilder b, long groups) {
    Value x = n.input(0);
    TensorType xt = x.tensorType();
    DType t = xt.dtype();
    int r = xt.rank();
    Value eps = NnSupport.scalar(b, t, n.attrs().getFloat("epsilon"));
    Value g;
    long[] axes;
    if (groups < 0) {
      g = x;
      axes = range(2, r);
    } else {
      g = NnSupport.reshape(b, x, 0, groups, -1);
      axes = new long[] {2};
    }
    Value mean = NnSupport.reduce(b, "reduce_mean", g, axes, true);
    Value d = b.op1("sub", g, mean);
    Value var = NnSupport.reduce(b, "reduce_mean", b.op1("mul", d, d), axes, true);
    Value y = b.op1("div", d, b.op1("sqrt", b.op1("add", var, eps)));
    Shape ss = n.input(1).tensorType().shape();
    boolean perGroup = groups > 0 && ss.isStatic() && ss.elementCount() == groups
        && !(xt.shape().dim(1).isStatic() && xt.shape().dim(1).size() == groups);
    if (perGroup) {
      y = b.op1("add", b.op1("mul", y, NnSupport.reshape(b, n.input(1), -1, 1)), NnSupport.reshape(b, n.input(2), -1, 1));
      return List.of(reshapeLike(b, y, x));
    }
    if (groups > 0) y = reshapeLike(b, y, x);
    return List.of(b.op1("add", b.op1("mul", y, perChannel(b, n.input(1), r)), perChannel(b, n.input(2), r)));
  }

  static List<Value> expandMvn(Node n, GraphBuilder b) {
    Value x = n.input(0);
    DType t = x.tensorType().dtype();
    int r = x.tensorType().rank();
    long[] axes = n.attrs().getInts("axes");
    for (int i = 0; i < axes.length; i++) axes[i] = NnSupport.axis(axes[i], r);
    Value mean = NnSupport.reduce(b, "reduce_mean", x, axes, true);
    Value sq = NnSupport.reduce(b, "reduce_mean", b.op1("mul", x, x), axes, true);
    Value var = b.op1("sub", sq, b.op1("mul", mean, mean));
    Value std = b.op1("add", b.op1("sqrt", var), NnSupport.scalar(b, t, 1e-9));
    return List.of(b.op1("div", b.op1("sub", x, mean), std));
  }

  static List<Value> expandLrn(Node n, GraphBuilder b) {
    Value x = n.input(0);
    TensorType xt = x.tensorType();
    DType t = xt.dtype();
    long size = n.attrs().getInt("size");
    long ch = xt.shape().dim(1).size();
    Value sq = NnSupport.reshape(b, b.op1("mul", x, x), 0, 1, ch, -1);
    long lo = (size - 1) / 2, hi = size - 1 - lo;
    Value avg = b.op1("avg_pool", Map.of("kernel_shape", Attribute.of(size, 1L), "pads", Attribute.of(lo, 0L, hi, 0L),
        "count_include_pad", Attribute.of(1L)), sq);
    Value sum = reshapeLike(b, b.op1("mul", avg, NnSupport.scalar(b, t, size)), x);
    double alpha = n.attrs().getFloat("alpha");
    Value base = b.op1("add", NnSupport.scalar(b, t, n.attrs().getFloat("bias")), b.op1("mul", sum, NnSupport.scalar(b, t, alpha / size)));
    return List.of(b.op1("div", x, b.op1("pow", base, NnSupport.scalar(b, t, n.attrs().getFloat("beta")))));
  }

  static boolean unused(Tensor t) { return t == null; }
}
