package dev.weft.frontend.torchscript.lower;

import static dev.weft.frontend.torchscript.lower.AtenTable.row;
import static dev.weft.frontend.torchscript.lower.Emit.attrs;

import dev.weft.bundle.DType;
import dev.weft.bundle.Tensor;
import dev.weft.frontend.torchscript.PyNone;
import dev.weft.frontend.torchscript.PyTuple;
import dev.weft.frontend.torchscript.lower.Aten.A;
import dev.weft.ir.Attribute;
import dev.weft.ir.Value;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * More of the common aten set, beyond what the corpus models use: activations, reductions with
 * indices, norms, gathers, flips and rolls, sorting, padding, resizing, transposed convolution,
 * group/instance norm, einsum and the fused matmul-adds. Registered into {@link AtenTable}.
 */
final class AtenCommonOps {
  private AtenCommonOps() {}

  static void register() {
    activations();
    reductions();
    indexing();
    nn();
  }

  private static void activations() {
    for (String op : List.of("silu", "silu_")) {
      row(op, "self", (a, x) -> x.emit().op("mul", a.t("self"), x.emit().op("sigmoid", a.t("self"))));
    }
    for (String op : List.of("leaky_relu", "leaky_relu_")) {
      row(op, "self, negative_slope=0.01", (a, x) ->
          x.emit().op("leaky_relu", attrs("alpha", a.d("negative_slope")), a.t("self")));
    }
    for (String op : List.of("hardswish", "hardswish_")) row(op, "self", (a, x) -> x.emit().op("hard_swish", a.t("self")));
    for (String op : List.of("hardsigmoid", "hardsigmoid_")) {
      row(op, "self", (a, x) -> x.emit().op("hard_sigmoid", attrs("alpha", 1 / 6.0, "beta", 0.5), a.t("self")));
    }
    for (String op : List.of("relu6", "relu6_")) row(op, "self", (a, x) -> AtenTable.clip(x, a.t("self"), 0.0, 6.0));
    for (String op : List.of("elu", "elu_")) {
      row(op, "self, alpha=1, scale=1, input_scale=1", (a, x) -> {
        if (a.d("scale") != 1 || a.d("input_scale") != 1) throw a.fail("elu with scale or input_scale is not supported");
        return x.emit().op("elu", attrs("alpha", a.d("alpha")), a.t("self"));
      });
    }
    row("softplus", "self, beta=1, threshold=20", (a, x) -> {
      Emit e = x.emit();
      Value s = a.t("self");
      double beta = a.d("beta");
      if (beta == 1) return e.op("softplus", s);      // threshold only guards exp overflow: log1p(exp(20)) = 20 + 2e-9
      return e.op("div", e.op("softplus", e.op("mul", s, e.scalar(beta, Emit.dtype(s)))), e.scalar(beta, Emit.dtype(s)));
    });
    row("mish", "self", (a, x) -> x.emit().op("mish", a.t("self")));
    row("sign", "self", (a, x) -> x.emit().op("sign", a.t("self")));
    row("maximum", "self, other", (a, x) -> x.tbin("max", a.get("self"), a.get("other"), Aten.promote(a.get("self"), a.get("other"))));
    row("minimum", "self, other", (a, x) -> x.tbin("min", a.get("self"), a.get("other"), Aten.promote(a.get("self"), a.get("other"))));
  }

  private static void reductions() {
    for (String op : List.of("amax", "amin")) {
      row(op, "self, dim=[], keepdim=False", (a, x) ->
          reduce(x, op.equals("amax") ? "reduce_max" : "reduce_min", a.t("self"), a.ls("dim", 1), a.b("keepdim")));
    }
    // max(self) | max.dim(self, dim, keepdim) -> (values, indices) | max.other(self, other)
    for (String op : List.of("max", "min")) {
      row(op, "self, dim=None, keepdim=False", (a, x) -> {
        Object self = a.get("self");
        if (Lowerer.sequence(self) != null && a.none("dim")) return x.builtin(op, List.of(self), Map.of(), a.f, a.at);
        if (Aten.scalars(self) && Aten.scalars(a.get("dim"))) return x.builtin(op, List.of(self, a.get("dim")), Map.of(), a.f, a.at);
        Value s = a.t("self");
        String red = op.equals("max") ? "reduce_max" : "reduce_min";
        if (a.none("dim")) return reduce(x, red, s, new long[0], false);
        if (a.get("dim") instanceof Value other) return x.tbin(op, s, other, Aten.promote(s, other));
        long d = Emit.axis(a.l("dim"), Emit.rank(s));
        long keep = a.b("keepdim") ? 1L : 0L;
        Value values = x.emit().op(red, attrs("axes", new long[] {d}, "keepdims", keep), s);
        Value idx = x.emit().op(op.equals("max") ? "argmax" : "argmin", attrs("axis", d, "keepdims", keep), s);
        return new PyTuple(List.of(values, idx));
      });
    }
    for (String op : List.of("argmax", "argmin")) {
      row(op, "self, dim=None, keepdim=False", (a, x) -> {
        Value s = a.t("self");
        if (a.none("dim")) s = AtenTable.reshape(x, s, List.of(-1L));
        long d = a.none("dim") ? 0 : Emit.axis(a.l("dim"), Emit.rank(s));
        return x.emit().op(op, attrs("axis", d, "keepdims", a.b("keepdim") && !a.none("dim") ? 1L : 0L), s);
      });
    }
    row("logsumexp", "self, dim, keepdim=False", (a, x) ->
        reduce(x, "reduce_log_sum_exp", a.t("self"), a.ls("dim", 1), a.b("keepdim")));
    row("prod", "self, dim=None, keepdim=False, dtype=None", (a, x) -> {
      Value s = a.t("self");
      if (!a.none("dtype")) s = x.emit().cast(s, a.dtype("dtype"));
      return reduce(x, "reduce_prod", s, a.none("dim") ? new long[0] : a.ls("dim", 1), a.b("keepdim"));
    });
    for (String op : List.of("var", "std")) {
      row(op, "self, dim=None, unbiased=True, keepdim=False, correction=None", (a, x) -> variance(a, x, op.equals("std")));
    }
    for (String op : List.of("cumsum", "cumprod")) {
      row(op, "self, dim, dtype=None", (a, x) -> {
        Value s = a.t("self");
        if (!a.none("dtype")) s = x.emit().cast(s, a.dtype("dtype"));
        else if (!Emit.dtype(s).isFloat()) s = x.emit().cast(s, DType.I64);       // torch: integer sums are i64
        long d = Emit.axis(a.l("dim"), Emit.rank(s));
        return x.emit().op(op.equals("cumsum") ? "cum_sum" : "cum_prod", attrs("axis", d), s);
      });
    }
    row("frobenius_norm", "self, dim=[], keepdim=False", (a, x) -> norm(a, x, 2.0, a.ls("dim", 1)));
    row("norm", "self, p=2, dim=None, keepdim=False, dtype=None", (a, x) ->
        norm(a, x, a.get("p"), a.none("dim") ? new long[0] : a.ls("dim", 1)));
    row("linalg_vector_norm", "self, ord=2, dim=None, keepdim=False, dtype=None", (a, x) ->
        norm(a, x, a.get("ord"), a.none("dim") ? new long[0] : a.ls("dim", 1)));
  }

  private static void indexing() {
    row("index_select", "self, dim, index", (a, x) -> {
      Value s = a.t("self");
      return x.emit().op("gather", attrs("axis", (long) Emit.axis(a.l("dim"), Emit.rank(s))), s, a.t("index"));
    });
    row("gather", "self, dim, index, sparse_grad=False", (a, x) -> {
      Value s = a.t("self");
      return x.emit().op("gather_elements", attrs("axis", (long) Emit.axis(a.l("dim"), Emit.rank(s))), s, a.t("index"));
    });
    row("repeat", "self, repeats", (a, x) -> {
      Value s = a.t("self");
      long[] reps = a.ls("repeats", 1);
      int r = Emit.rank(s);
      if (reps.length < r) throw a.fail("repeat needs at least " + r + " repeats, got " + reps.length);
      if (reps.length > r) {
        long[] lead = new long[reps.length - r];
        for (int i = 0; i < lead.length; i++) lead[i] = i;
        s = x.emit().op("unsqueeze", attrs("axes", lead), s);
      }
      return x.emit().op("tile", attrs("repeats", reps), s);
    });
    row("flip", "self, dims", (a, x) -> {
      Value s = a.t("self");
      long[] dims = a.ls("dims", 1);
      long[] starts = new long[dims.length];
      long[] ends = new long[dims.length];
      long[] steps = new long[dims.length];
      for (int i = 0; i < dims.length; i++) {
        dims[i] = Emit.axis(dims[i], Emit.rank(s));
        starts[i] = -1;
        ends[i] = Long.MIN_VALUE;
        steps[i] = -1;
      }
      if (dims.length == 0) return s;
      return x.emit().op("slice", attrs("starts", starts, "ends", ends, "axes", dims, "steps", steps), s);
    });
    row("roll", "self, shifts, dims=[]", (a, x) -> {
      Value s = a.t("self");
      long[] shifts = a.ls("shifts", 1);
      long[] dims = a.ls("dims", shifts.length);
      if (dims.length == 0) {                 // roll the flattened tensor, then restore the shape
        List<Object> shape = x.sizes(s);
        Value flat = AtenTable.reshape(x, s, List.of(-1L));
        return AtenTable.reshape(x, roll(a, x, flat, shifts[0], 0), shape);
      }
      if (dims.length != shifts.length) throw a.fail("roll needs as many shifts as dims");
      for (int i = 0; i < dims.length; i++) s = roll(a, x, s, shifts[i], Emit.axis(dims[i], Emit.rank(s)));
      return s;
    });
    for (String op : List.of("triu", "tril")) {
      row(op, "self, diagonal=0", (a, x) -> x.emit().op("trilu", attrs("upper", op.equals("triu") ? 1L : 0L),
          a.t("self"), x.emit().scalarI64(a.l("diagonal"))));
    }
    row("topk", "self, k, dim=-1, largest=True, sorted=True", (a, x) -> {
      Value s = a.t("self");
      List<Value> r = x.emit().b.op("top_k", List.of(s), attrs("k", a.l("k"), "axis", (long) Emit.axis(a.l("dim"), Emit.rank(s)),
          "largest", a.b("largest") ? 1L : 0L, "sorted", a.b("sorted") ? 1L : 0L));
      return new PyTuple(List.of(r.get(0), r.get(1)));
    });
    row("sort", "self, dim=-1, descending=False, stable=None", (a, x) -> {
      List<Value> r = sort(a, x);
      return new PyTuple(List.of(r.get(0), r.get(1)));
    });
    row("argsort", "self, dim=-1, descending=False, stable=None", (a, x) -> sort(a, x).get(1));
    row("einsum", "equation, tensors, path=None", (a, x) -> {
      List<?> ts = Lowerer.sequence(a.get("tensors"));
      if (ts == null || ts.isEmpty()) throw a.fail("einsum needs a non-empty list of tensors");
      Value[] ins = new Value[ts.size()];
      for (int i = 0; i < ins.length; i++) ins[i] = x.tensor(ts.get(i), null);
      return x.emit().b.op1("einsum", attrs("equation", String.valueOf(a.get("equation"))), ins);
    });
    row("full", "size, fill_value, dtype=None, layout=None, device=None, pin_memory=None", (a, x) -> {
      Object v = a.get("fill_value");
      DType dt = !a.none("dtype") ? a.dtype("dtype") : v instanceof Double ? DType.F32 : v instanceof Boolean ? DType.BOOL : DType.I64;
      return AtenTable.fill(x, a.dims("size"), dt, Aten.toDouble(v));
    });
  }

  private static void nn() {
    for (String op : List.of("conv_transpose1d", "conv_transpose2d", "conv_transpose3d")) {
      row(op, "input, weight, bias=None, stride=1, padding=0, output_padding=0, groups=1, dilation=1", (a, x) ->
          AtenTable.conv(a, x, true, a.ls("output_padding", Emit.rank(a.t("weight")) - 2)));
    }
    for (String op : List.of("addmm", "baddbmm")) {
      String m1 = op.equals("addmm") ? "mat1" : "batch1";
      String m2 = op.equals("addmm") ? "mat2" : "batch2";
      row(op, "self, " + m1 + ", " + m2 + ", beta=1, alpha=1", (a, x) -> {
        Emit e = x.emit();
        Value y = e.op("matmul", a.t(m1), a.t(m2));
        DType dt = Emit.dtype(y);
        if (a.d("alpha") != 1) y = e.op("mul", y, e.scalar(a.d("alpha"), dt));
        if (a.d("beta") == 0) return y;           // torch ignores self (even NaN) when beta is 0
        Value s = a.t("self");
        if (a.d("beta") != 1) s = e.op("mul", s, e.scalar(a.d("beta"), dt));
        return e.op("add", s, y);
      });
    }
    row("group_norm", "input, num_groups, weight=None, bias=None, eps=1e-05, cudnn_enabled=True", (a, x) -> {
      Value in = a.t("input");
      Value[] wb = affine(a, x, in, "weight", "bias");
      return x.emit().op("group_norm", attrs("num_groups", a.l("num_groups"), "epsilon", a.d("eps")), in, wb[0], wb[1]);
    });
    row("instance_norm", "input, weight, bias, running_mean, running_var, use_input_stats, momentum, eps, cudnn_enabled",
        (a, x) -> {
          Value in = a.t("input");
          Value[] wb = affine(a, x, in, "weight", "bias");
          if (a.b("use_input_stats")) return x.emit().op("instance_norm", attrs("epsilon", a.d("eps")), in, wb[0], wb[1]);
          return x.emit().op("batch_norm", attrs("epsilon", a.d("eps")), in, wb[0], wb[1], a.t("running_mean"), a.t("running_var"));
        });
    row("pad", "self, pad, mode='constant', value=None", (a, x) -> pad(a, x, String.valueOf(a.get("mode")), a.get("value")));
    row("constant_pad_nd", "self, pad, value=0", (a, x) -> pad(a, x, "constant", a.get("value")));
    for (String op : List.of("upsample_nearest1d", "upsample_nearest2d", "upsample_nearest3d")) {
      row(op, "self, output_size, a2=None, a3=None, a4=None", (a, x) ->
          resize(a, x, attrs("mode", "nearest", "coordinate_transformation_mode", "asymmetric", "nearest_mode", "floor"), "a2"));
    }
    for (String op : List.of("upsample_linear1d", "upsample_bilinear2d", "upsample_trilinear3d")) {
      row(op, "self, output_size, align_corners, a3=None, a4=None, a5=None", (a, x) -> resize(a, x, attrs("mode", "linear",
          "coordinate_transformation_mode", a.b("align_corners") ? "align_corners" : "pytorch_half_pixel"), "a3"));
    }
  }

  // ---- helpers ----

  private static Value reduce(Aten x, String op, Value s, long[] axes, boolean keep) {
    Map<String, Attribute> at = attrs("keepdims", keep ? 1L : 0L);
    if (axes.length > 0) {
      long[] ax = axes.clone();
      for (int i = 0; i < ax.length; i++) ax[i] = Emit.axis(ax[i], Emit.rank(s));
      at.putAll(attrs("axes", ax));
    }
    return x.emit().op(op, at, s);
  }

  private static Object variance(A a, Aten x, boolean std) {
    Emit e = x.emit();
    Value s = a.t("self");
    Object dimArg = a.get("dim");
    boolean unbiased = a.b("unbiased");
    long[] axes;
    if (dimArg instanceof Boolean b) {            // var(self, unbiased)
      unbiased = b;
      axes = new long[0];
    } else {
      axes = a.none("dim") ? new long[0] : a.ls("dim", 1);
    }
    if (axes.length == 0) {
      axes = new long[Emit.rank(s)];
      for (int i = 0; i < axes.length; i++) axes[i] = i;
    }
    long n = 1;
    for (long d : axes) {
      if (!(x.size(s, d) instanceof Long l)) throw a.fail(a.get("self") + ": var/std over a run-time dim");
      n *= l;
    }
    double correction = !a.none("correction") ? a.d("correction") : unbiased ? 1 : 0;
    DType dt = Emit.dtype(s);
    Value mean = reduce(x, "reduce_mean", s, axes, true);
    Value dev = e.op("sub", s, mean);
    Value ss = reduce(x, "reduce_sum", e.op("mul", dev, dev), axes, a.b("keepdim"));
    Value v = e.op("div", ss, e.scalar(Math.max(0, n - correction), dt));
    return std ? e.op("sqrt", v) : v;
  }

  private static Object norm(A a, Aten x, Object p, long[] axes) {
    Emit e = x.emit();
    Value s = a.t("self");
    if (!a.none("dtype") && a.v.containsKey("dtype")) s = e.cast(s, a.dtype("dtype"));
    boolean keep = a.b("keepdim");
    double ord = p == PyNone.NONE || "fro".equals(p) ? 2 : p instanceof String str ? Double.NaN : Aten.toDouble(p);
    if (Double.isNaN(ord)) throw a.fail("norm of order " + p + " is not supported");
    DType dt = Emit.dtype(s);
    if (ord == 2) return e.op("sqrt", reduce(x, "reduce_sum", e.op("mul", s, s), axes, keep));
    Value abs = e.op("abs", s);
    if (ord == 1) return reduce(x, "reduce_sum", abs, axes, keep);
    if (ord == Double.POSITIVE_INFINITY) return reduce(x, "reduce_max", abs, axes, keep);
    if (ord == Double.NEGATIVE_INFINITY) return reduce(x, "reduce_min", abs, axes, keep);
    if (ord == 0) throw a.fail("norm of order 0 is not supported");
    Value sum = reduce(x, "reduce_sum", e.op("pow", abs, e.scalar(ord, dt)), axes, keep);
    return e.op("pow", sum, e.scalar(1 / ord, dt));
  }

  private static Value roll(A a, Aten x, Value s, long shift, int d) {
    if (!(x.size(s, d) instanceof Long n)) throw a.fail("roll along a run-time dim");
    long k = n == 0 ? 0 : Math.floorMod(shift, n);
    if (k == 0) return s;
    Emit e = x.emit();
    Value tail = e.op("slice", attrs("starts", new long[] {n - k}, "ends", new long[] {n}, "axes", new long[] {d}), s);
    Value head = e.op("slice", attrs("starts", new long[] {0}, "ends", new long[] {n - k}, "axes", new long[] {d}), s);
    return e.b.op1("concat", attrs("axis", (long) d), tail, head);
  }

  private static List<Value> sort(A a, Aten x) {
    Value s = a.t("self");
    return x.emit().b.op("sort", List.of(s), attrs("axis", (long) Emit.axis(a.l("dim"), Emit.rank(s)),
        "descending", a.b("descending") ? 1L : 0L));
  }

  /** weight and bias of a per-channel affine norm, ones and zeros when absent (needs a static channel count). */
  private static Value[] affine(A a, Aten x, Value in, String w, String b) {
    Value weight = a.tOrNull(w);
    Value bias = a.tOrNull(b);
    if (weight != null && bias != null) return new Value[] {weight, bias};
    if (!(x.size(in, 1) instanceof Long c)) throw a.fail("a norm without weight needs a static channel count");
    DType dt = Emit.dtype(in);
    float[] ones = new float[(int) (long) c];
    Arrays.fill(ones, 1f);
    Emit e = x.emit();
    if (weight == null) weight = e.cast(e.constant(Tensor.ofFloats(new long[] {c}, ones)), dt);
    if (bias == null) bias = e.cast(e.constant(Tensor.ofFloats(new long[] {c}, new float[(int) (long) c])), dt);
    return new Value[] {weight, bias};
  }

  private static Object pad(A a, Aten x, String mode, Object value) {
    Value s = a.t("self");
    long[] p = a.ls("pad", 1);
    int r = Emit.rank(s);
    if (p.length % 2 != 0 || p.length / 2 > r) throw a.fail("pad needs pairs for at most " + r + " dims, got " + p.length + " values");
    long[] pads = new long[2 * r];
    for (int i = 0; i < p.length / 2; i++) {
      int d = r - 1 - i;
      pads[d] = p[2 * i];
      pads[r + d] = p[2 * i + 1];
    }
    String irMode = switch (mode) {
      case "constant" -> "constant";
      case "reflect" -> "reflect";
      case "replicate" -> "edge";
      case "circular" -> "wrap";
      default -> throw a.fail("pad mode '" + mode + "' is not supported");
    };
    Map<String, Attribute> at = attrs("pads", pads, "mode", irMode);
    if (irMode.equals("constant")) at.putAll(attrs("value", value == PyNone.NONE ? 0.0 : Aten.toDouble(value)));
    return x.emit().op("pad", at, s);
  }

  /**
   * upsample_*: {@code output_size} (a size list), or scale factors: a list in {@code scalesArg}
   * (the {@code .vec} overload) or one number per spatial dim in the arguments after it.
   */
  private static Object resize(A a, Aten x, Map<String, Attribute> at, String scalesArg) {
    Emit e = x.emit();
    Value s = a.t("self");
    int r = Emit.rank(s);
    int k = r - 2;
    if (!a.none("output_size")) {
      List<Object> dims = new ArrayList<>(x.sizes(s).subList(0, 2));
      dims.addAll(a.dims("output_size"));
      if (dims.size() != r) throw a.fail("output_size needs " + k + " sizes");
      return e.b.op1("resize", at, s, null, null, e.shapeVector(dims));
    }
    float[] scales = new float[r];
    scales[0] = 1;
    scales[1] = 1;
    List<?> list = Lowerer.sequence(a.get(scalesArg));
    String[] names = scalesArg.equals("a2") ? new String[] {"a2", "a3", "a4"} : new String[] {"a3", "a4", "a5"};
    for (int i = 0; i < k; i++) {
      Object f = list != null ? (i < list.size() ? list.get(i) : PyNone.NONE) : a.get(names[i]);
      if (f == PyNone.NONE || f == null) throw a.fail("upsample needs an output_size or " + k + " scale factors");
      scales[2 + i] = (float) Aten.toDouble(f);
    }
    return e.b.op1("resize", at, s, null, e.constant(Tensor.ofFloats(new long[] {r}, scales)));
  }
}
