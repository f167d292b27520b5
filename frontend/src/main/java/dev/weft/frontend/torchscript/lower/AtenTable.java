package dev.weft.frontend.torchscript.lower;

import static dev.weft.frontend.torchscript.lower.Emit.attrs;

import dev.weft.bundle.DType;
import dev.weft.bundle.Tensor;
import dev.weft.frontend.torchscript.PyNone;
import dev.weft.frontend.torchscript.PyTuple;
import dev.weft.frontend.torchscript.lower.Aten.A;
import dev.weft.frontend.torchscript.lower.Vals.Device;
import dev.weft.frontend.torchscript.lower.Vals.SymInt;
import dev.weft.ir.Value;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The aten signature table: one row per op with its schema's argument names and defaults, and
 * the lowering onto IR core ops and composites. Ops that only matter in training or for memory
 * layout fold away: {@code contiguous}, {@code dropout} (eval), {@code detach}, {@code clone},
 * {@code warn}, {@code format}, {@code size}/{@code dim}/{@code len} on static shapes,
 * {@code Int}/{@code NumToTensor}/{@code ScalarImplicit}, {@code device}, {@code __is__}.
 */
public final class AtenTable {
  interface Handler {
    Object lower(A a, Aten x);
  }

  record Row(Sig sig, Handler handler) {}

  static final Map<String, Row> ROWS = new LinkedHashMap<>();

  /** The aten op names the table covers. */
  public static Set<String> names() { return Collections.unmodifiableSet(ROWS.keySet()); }

  /** The prim ops the lowering understands. */
  public static final Set<String> PRIMS = Set.of("NumToTensor", "device", "dtype", "unchecked_unwrap_optional",
      "RaiseException", "min", "max", "is_cuda", "is_nested", "requires_grad", "is_quantized", "is_mkldnn");

  static void row(String name, String params, Handler h) { ROWS.put(name, new Row(Sig.parse(name, params), h)); }

  static {
    // Arithmetic: Python numbers fold, run-time sizes become i64 IR, tensors promote like torch.
    for (String op : List.of("add", "add_", "sub", "sub_")) {
      String base = op.replace("_", "");
      row(op, "self, other, alpha=1", (a, x) -> addSub(a, x, base, a.get("self"), a.get("other")));
    }
    row("rsub", "self, other, alpha=1", (a, x) -> addSub(a, x, "sub", a.get("other"), a.get("self")));
    for (String op : List.of("mul", "mul_")) row(op, "self, other", (a, x) -> arith(a, x, "mul"));
    for (String op : List.of("div", "div_")) row(op, "self, other, rounding_mode=None", AtenTable::div);
    row("floordiv", "self, other", (a, x) -> arith(a, x, "floordiv"));
    row("remainder", "self, other", (a, x) -> arith(a, x, "remainder"));
    row("pow", "self, exponent", (a, x) -> {
      Object s = a.get("self");
      Object p = a.get("exponent");
      if (Aten.scalars(s, p)) return x.arith("pow", s, p);
      Value base = x.tensor(s, null);
      return x.emit().op("pow", base, x.tensor(p, Emit.dtype(base)));
    });
    row("neg", "self", (a, x) -> x.unary(dev.weft.frontend.torchscript.source.Ast.UnaryOp.MINUS, a.get("self"), a.f, a.at));
    for (String[] c : new String[][] {{"eq", "equal"}, {"ne", "equal"}, {"lt", "less"}, {"gt", "greater"},
        {"le", "less_equal"}, {"ge", "greater_equal"}}) {
      row(c[0], "self, other", (a, x) -> {
        Object l = a.get("self");
        Object r = a.get("other");
        if (Aten.scalars(l, r)) {
          Boolean folded = Aten.cmp(c[0], l, r);
          if (folded == null) throw a.fail("comparison of run-time sizes (" + c[0] + ") cannot be folded");
          return folded;
        }
        if (!(l instanceof Value || r instanceof Value) && c[0].equals("eq")) return l.equals(r);
        if (!(l instanceof Value || r instanceof Value) && c[0].equals("ne")) return !l.equals(r);
        Value v = x.tbin(c[1], l, r, Aten.promote(l, r));
        return c[0].equals("ne") ? x.emit().op("not", v) : v;
      });
    }
    row("__is__", "self, obj", (a, x) -> identical(a.get("self"), a.get("obj")));
    row("__isnot__", "self, obj", (a, x) -> !identical(a.get("self"), a.get("obj")));
    row("__not__", "self", (a, x) -> !a.b("self"));

    // Python-level conversions and queries.
    row("Int", "a", (a, x) -> toInt(a, x));
    row("ScalarImplicit", "a", (a, x) -> toInt(a, x));
    row("Float", "a", (a, x) -> a.get("a") instanceof Value ? a.fail("float() of a tensor") : Aten.toDouble(a.get("a")));
    row("Bool", "a", (a, x) -> a.b("a"));
    row("size", "self, dim=None", (a, x) -> a.none("dim") ? x.sizes(a.t("self")) : x.size(a.t("self"), a.l("dim")));
    row("dim", "self", (a, x) -> (long) Emit.rank(a.t("self")));
    row("numel", "self", (a, x) -> {
      long n = 1;
      for (Object d : x.sizes(a.t("self"))) {
        if (!(d instanceof Long l)) throw a.fail("numel of a run-time shape");
        n *= l;
      }
      return n;
    });
    row("len", "a", (a, x) -> x.len(a.get("a"), a.f, a.at));
    row("__getitem__", "list, idx", (a, x) -> x.getItem(a.get("list"), a.get("idx"), a.f, a.at));
    row("format", "self, a0=None, a1=None, a2=None, a3=None, a4=None, a5=None, a6=None, a7=None", AtenTable::format);
    row("warn", "message, stacklevel=2", (a, x) -> PyNone.NONE);
    row("device", "type", (a, x) -> new Device(String.valueOf(a.get("type"))));

    // Layout-only and training-only ops fold away.
    row("contiguous", "self, memory_format=0", (a, x) -> a.t("self"));
    row("detach", "self", (a, x) -> a.t("self"));
    row("clone", "self, memory_format=None", (a, x) -> a.t("self"));
    for (String op : List.of("dropout", "dropout_", "feature_dropout", "alpha_dropout")) {
      row(op, "input, p, train", (a, x) -> {
        if (a.b("train")) throw a.fail(op + " in training mode");
        return a.t("input");
      });
    }
    row("to", "self, a1=None, a2=None, a3=False, a4=False, memory_format=None, dtype=None, device=None, layout=None, "
        + "pin_memory=None, non_blocking=False, copy=False", AtenTable::to);

    // Elementwise.
    for (String[] u : new String[][] {{"relu", "relu"}, {"relu_", "relu"}, {"tanh", "tanh"}, {"tanh_", "tanh"},
        {"sigmoid", "sigmoid"}, {"sigmoid_", "sigmoid"}, {"exp", "exp"}, {"log", "log"}, {"sqrt", "sqrt"},
        {"rsqrt", "rsqrt"}, {"erf", "erf"}, {"abs", "abs"}, {"sin", "sin"}, {"cos", "cos"}, {"floor", "floor"},
        {"ceil", "ceil"}, {"reciprocal", "reciprocal"}}) {
      row(u[0], "self", (a, x) -> {
        Object s = a.get("self");
        if (Aten.scalars(s) && !Aten.hasSym(s)) {
          double v = Aten.toDouble(s);
          return switch (u[1]) {
            case "sqrt" -> Math.sqrt(v);
            case "exp" -> Math.exp(v);
            case "log" -> Math.log(v);
            case "tanh" -> Math.tanh(v);
            case "abs" -> s instanceof Long l ? (Object) Math.abs(l) : Math.abs(v);
            default -> throw a.fail(u[0] + " of a number");
          };
        }
        return x.emit().op(u[1], a.t("self"));
      });
    }
    row("gelu", "self, approximate='none'", (a, x) ->
        x.emit().op("gelu", attrs("approximate", (String) a.get("approximate")), a.t("self")));
    for (String op : List.of("hardtanh", "hardtanh_")) {
      row(op, "self, min_val=-1., max_val=1.", (a, x) -> clip(x, a.t("self"), a.get("min_val"), a.get("max_val")));
    }
    for (String op : List.of("clamp", "clamp_", "clip")) {
      row(op, "self, min=None, max=None", (a, x) -> clip(x, a.t("self"), a.get("min"), a.get("max")));
    }
    row("bitwise_not", "self", (a, x) -> {
      Value s = a.t("self");
      return x.emit().op(Emit.dtype(s) == DType.BOOL ? "not" : "bitwise_not", s);
    });
    row("logical_not", "self", (a, x) -> x.emit().op("not", x.emit().cast(a.t("self"), DType.BOOL)));
    for (String op : List.of("masked_fill", "masked_fill_")) {
      row(op, "self, mask, value", (a, x) -> {
        Value s = a.t("self");
        Value fill = x.emit().cast(x.tensor(a.get("value"), Emit.dtype(s)), Emit.dtype(s));
        return x.emit().op("select", x.emit().cast(a.t("mask"), DType.BOOL), fill, s);
      });
    }
    row("where", "condition, self, other", (a, x) -> {
      DType dt = Aten.promote(a.get("self"), a.get("other"));
      return x.emit().op("select", x.emit().cast(a.t("condition"), DType.BOOL),
          x.emit().cast(x.tensor(a.get("self"), dt), dt), x.emit().cast(x.tensor(a.get("other"), dt), dt));
    });

    // NN.
    row("linear", "input, weight, bias=None", (a, x) -> {
      Emit e = x.emit();
      Value w = a.t("weight");
      Value wt = Emit.rank(w) == 2 ? e.op("transpose", attrs("perm", new long[] {1, 0}), w) : w;
      Value y = e.op("matmul", a.t("input"), wt);
      return a.none("bias") ? y : e.op("add", y, a.t("bias"));
    });
    for (String op : List.of("matmul", "bmm", "mm")) row(op, "self, other", (a, x) -> x.emit().op("matmul", a.t("self"), a.t("other")));
    row("_convolution", "input, weight, bias, stride, padding, dilation, transposed, output_padding, groups, "
        + "benchmark=False, deterministic=False, cudnn_enabled=True, allow_tf32=True", (a, x) ->
        conv(a, x, a.b("transposed"), a.ls("output_padding", Emit.rank(a.t("weight")) - 2)));
    for (String op : List.of("conv1d", "conv2d", "conv3d")) {
      row(op, "input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1", (a, x) -> conv(a, x, false, null));
    }
    row("batch_norm", "input, weight, bias, running_mean, running_var, training, momentum, eps, cudnn_enabled",
        (a, x) -> {
          if (a.b("training")) throw a.fail("batch_norm in training mode");
          Emit e = x.emit();
          Value in = a.t("input");
          Value mean = a.t("running_mean");
          Value var = a.t("running_var");
          Value scale = a.none("weight") ? e.op("add", e.op("mul", var, e.scalar(0, Emit.dtype(var))), e.scalar(1, Emit.dtype(var))) : a.t("weight");
          Value bias = a.none("bias") ? e.op("mul", mean, e.scalar(0, Emit.dtype(mean))) : a.t("bias");
          return e.op("batch_norm", attrs("epsilon", a.d("eps")), in, scale, bias, mean, var);
        });
    row("layer_norm", "input, normalized_shape, weight=None, bias=None, eps=1e-05, cudnn_enable=True", (a, x) -> {
      int n = a.ls("normalized_shape", 1).length;
      List<Value> ins = new ArrayList<>();
      ins.add(a.t("input"));
      Value w = a.tOrNull("weight");
      Value b = a.tOrNull("bias");
      if (w == null && b != null) throw a.fail("layer_norm with a bias but no weight");
      if (w != null) ins.add(w);
      if (b != null) ins.add(b);
      return x.emit().b.op("layer_norm", ins, attrs("axis", (long) -n, "epsilon", a.d("eps"))).get(0);
    });
    row("softmax", "self, dim, dtype=None", (a, x) -> softmax(a, x, "softmax"));
    row("log_softmax", "self, dim, dtype=None", (a, x) -> softmax(a, x, "log_softmax"));
    row("embedding", "weight, indices, padding_idx=-1, scale_grad_by_freq=False, sparse=False", (a, x) ->
        x.emit().op("gather", attrs("axis", 0L), a.t("weight"), a.t("indices")));
    row("adaptive_avg_pool2d", "self, output_size", AtenTable::adaptiveAvgPool);
    row("max_pool2d", "self, kernel_size, stride=[], padding=0, dilation=1, ceil_mode=False", (a, x) -> pool(a, x, true));
    row("avg_pool2d", "self, kernel_size, stride=[], padding=0, ceil_mode=False, count_include_pad=True, "
        + "divisor_override=None", (a, x) -> pool(a, x, false));
    for (String op : List.of("mean", "sum")) {
      row(op, "self, dim=None, keepdim=False, dtype=None", (a, x) -> {
        Value s = a.t("self");
        if (!a.none("dtype")) s = x.emit().cast(s, a.dtype("dtype"));
        Map<String, dev.weft.ir.Attribute> at = attrs("keepdims", a.b("keepdim") ? 1L : 0L);
        if (!a.none("dim")) at.putAll(attrs("axes", a.ls("dim", 1)));
        return x.emit().op(op.equals("mean") ? "reduce_mean" : "reduce_sum", at, s);
      });
    }

    // Shapes and indexing.
    for (String op : List.of("view", "reshape")) row(op, "self, size", (a, x) -> reshape(x, a.t("self"), a.dims("size")));
    row("flatten", "self, start_dim=0, end_dim=-1", AtenTable::flatten);
    row("unsqueeze", "self, dim", (a, x) -> {
      Value s = a.t("self");
      return x.emit().op("unsqueeze", attrs("axes", new long[] {Emit.axis(a.l("dim"), Emit.rank(s) + 1)}), s);
    });
    row("squeeze", "self, dim=None", (a, x) -> {
      Value s = a.t("self");
      if (a.none("dim")) return x.emit().op("squeeze", s);
      int d = Emit.axis(a.l("dim"), Emit.rank(s));
      if (!Long.valueOf(1).equals(x.size(s, d))) return s;      // torch: squeezing a non-1 dim is a no-op
      return x.emit().op("squeeze", attrs("axes", new long[] {d}), s);
    });
    row("permute", "self, dims", (a, x) -> {
      Value s = a.t("self");
      long[] perm = a.ls("dims", 1);
      for (int i = 0; i < perm.length; i++) perm[i] = Emit.axis(perm[i], Emit.rank(s));
      return x.emit().op("transpose", attrs("perm", perm), s);
    });
    row("transpose", "self, dim0, dim1", (a, x) -> {
      Value s = a.t("self");
      int r = Emit.rank(s);
      long[] perm = new long[r];
      for (int i = 0; i < r; i++) perm[i] = i;
      int d0 = Emit.axis(a.l("dim0"), r);
      int d1 = Emit.axis(a.l("dim1"), r);
      perm[d0] = d1;
      perm[d1] = d0;
      return x.emit().op("transpose", attrs("perm", perm), s);
    });
    row("t", "self", (a, x) -> Emit.rank(a.t("self")) < 2 ? a.t("self")
        : x.emit().op("transpose", attrs("perm", new long[] {1, 0}), a.t("self")));
    row("slice", "self, dim=0, start=None, end=None, step=1", AtenTable::slice);
    row("select", "self, dim, index", (a, x) -> {
      Value s = a.t("self");
      int d = Emit.axis(a.l("dim"), Emit.rank(s));
      Object idx = a.get("index");
      Value i = idx instanceof SymInt si ? si.value() : x.emit().scalarI64(a.l("index"));
      return x.emit().op("gather", attrs("axis", (long) d), s, i);
    });
    row("split", "self, split_size, dim=0", (a, x) -> {
      Value s = a.t("self");
      int d = Emit.axis(a.l("dim"), Emit.rank(s));
      Object len = x.size(s, d);
      if (!(len instanceof Long n)) throw a.fail("split along a run-time dim");
      Object ss = a.get("split_size");
      List<Long> sizes = new ArrayList<>();
      if (ss instanceof Long step) {
        for (long o = 0; o < n; o += step) sizes.add(Math.min(step, n - o));
      } else {
        for (long v : a.ls("split_size", 1)) sizes.add(v);
      }
      return split(x, s, d, sizes);
    });
    row("chunk", "self, chunks, dim=0", (a, x) -> {
      Value s = a.t("self");
      int d = Emit.axis(a.l("dim"), Emit.rank(s));
      if (!(x.size(s, d) instanceof Long n)) throw a.fail("chunk along a run-time dim");
      long each = (n + a.l("chunks") - 1) / a.l("chunks");
      List<Long> sizes = new ArrayList<>();
      for (long o = 0; o < n; o += each) sizes.add(Math.min(each, n - o));
      return split(x, s, d, sizes);
    });
    row("expand", "self, size, implicit=False", (a, x) -> {
      Value s = a.t("self");
      List<Object> dims = a.dims("size");
      int off = dims.size() - Emit.rank(s);
      for (int i = 0; i < dims.size(); i++) {
        if (Long.valueOf(-1).equals(dims.get(i))) dims.set(i, x.size(s, i - off));
      }
      long[] st = Emit.staticLongs(dims);
      return st != null ? x.emit().op("broadcast", attrs("shape", st), s) : x.emit().op("broadcast", s, x.emit().shapeVector(dims));
    });
    row("expand_as", "self, other", (a, x) -> x.emit().op("broadcast", a.t("self"), x.emit().op("shape_of", a.t("other"))));
    row("cat", "tensors, dim=0", (a, x) -> {
      List<?> ts = Lowerer.sequence(a.get("tensors"));
      if (ts == null || ts.isEmpty()) throw a.fail("cat needs a non-empty list of tensors");
      DType dt = Aten.promote(ts.toArray());
      Value[] ins = new Value[ts.size()];
      for (int i = 0; i < ins.length; i++) ins[i] = x.emit().cast(x.tensor(ts.get(i), dt), dt);
      return x.emit().b.op1("concat", attrs("axis", (long) Emit.axis(a.l("dim"), Emit.rank(ins[0]))), ins);
    });
    row("stack", "tensors, dim=0", (a, x) -> {
      List<?> ts = Lowerer.sequence(a.get("tensors"));
      if (ts == null || ts.isEmpty()) throw a.fail("stack needs a non-empty list of tensors");
      int r = Emit.rank(x.tensor(ts.get(0), null)) + 1;
      long d = Emit.axis(a.l("dim"), r);
      Value[] ins = new Value[ts.size()];
      for (int i = 0; i < ins.length; i++) ins[i] = x.emit().op("unsqueeze", attrs("axes", new long[] {d}), x.tensor(ts.get(i), null));
      return x.emit().b.op1("concat", attrs("axis", d), ins);
    });

    // Creation.
    row("arange", "a0, a1=None, a2=None, dtype=None, layout=None, device=None, pin_memory=None", AtenTable::arange);
    for (String op : List.of("zeros_like", "ones_like")) {
      row(op, "self, dtype=None, layout=None, device=None, pin_memory=None, memory_format=None", (a, x) -> {
        Value s = a.t("self");
        DType dt = a.none("dtype") ? Emit.dtype(s) : a.dtype("dtype");
        return fill(x, x.sizes(s), dt, op.startsWith("ones") ? 1 : 0);
      });
    }
    for (String op : List.of("zeros", "ones")) {
      row(op, "size, dtype=None, layout=None, device=None, pin_memory=None", (a, x) -> {
        DType dt = a.none("dtype") ? DType.F32 : a.dtype("dtype");
        return fill(x, a.dims("size"), dt, op.equals("ones") ? 1 : 0);
      });
    }
    AtenCommonOps.register();
    AtenAttention.register();
    AtenPython.register();
  }

  private AtenTable() {}

  // ---- handlers ----

  private static boolean identical(Object a, Object b) {
    if (a == PyNone.NONE || b == PyNone.NONE) return a == b;
    return a == b || a.equals(b);
  }

  private static Object arith(A a, Aten x, String op) {
    Object l = a.get("self");
    Object r = a.get("other");
    if (Aten.scalars(l, r)) return x.arith(op, l, r);
    DType dt = Aten.promote(l, r);
    String ir = switch (op) {
      case "floordiv", "remainder" -> throw a.fail(op + " on tensors is not supported");
      default -> op;
    };
    return x.tbin(ir, l, r, dt);
  }

  private static Object addSub(A a, Aten x, String op, Object l, Object r) {
    if (op.equals("add") && Lowerer.sequence(l) instanceof List<?> ll && Lowerer.sequence(r) instanceof List<?> rl) {
      List<Object> out = new ArrayList<>(ll);       // add.t: list concatenation
      out.addAll(rl);
      return l instanceof PyTuple ? new PyTuple(out) : out;
    }
    if (op.equals("add") && l instanceof String ls && r instanceof String rs) return ls + rs;
    Object alpha = a.get("alpha");
    if (!Long.valueOf(1).equals(alpha) && !Double.valueOf(1).equals(alpha)) {
      r = Aten.scalars(r) ? x.arith("mul", r, alpha) : x.tbin("mul", r, alpha, Aten.promote(r, alpha));
    }
    if (Aten.scalars(l, r)) return x.arith(op, l, r);
    return x.tbin(op, l, r, Aten.promote(l, r));
  }

  private static Object div(A a, Aten x) {
    Object l = a.get("self");
    Object r = a.get("other");
    Object mode = a.get("rounding_mode");
    if (Aten.scalars(l, r)) return x.arith(mode == PyNone.NONE ? "div" : "floordiv", l, r);
    DType dt = Aten.promote(l, r);
    if (mode == PyNone.NONE) {
      if (!dt.isFloat()) dt = DType.F32;
      return x.tbin("div", l, r, dt);
    }
    Value q = x.tbin("div", l, r, dt);
    if (dt.isFloat()) return x.emit().op("trunc".equals(mode) ? "trunc" : "floor", q);
    if ("trunc".equals(mode)) return q;
    throw a.fail("integer floor division of tensors is not supported");
  }

  private static Object toInt(A a, Aten x) {
    Object v = a.get("a");
    return switch (v) {
      case Long l -> l;
      case Double d -> (long) (double) d;
      case Boolean b -> b ? 1L : 0L;
      case SymInt s -> s;
      case Value t -> {
        if (Emit.rank(t) != 0) throw a.fail("int() of a tensor of rank " + Emit.rank(t));
        try {
          yield Aten.toLong(t);
        } catch (IllegalArgumentException ex) {
          yield new SymInt(x.emit().cast(t, DType.I64));
        }
      }
      default -> throw a.fail("int() of " + Lowerer.describe(v));
    };
  }

  private static Object format(A a, Aten x) {
    String fmt = String.valueOf(a.get("self"));
    StringBuilder sb = new StringBuilder();
    int arg = 0;
    for (int i = 0; i < fmt.length(); i++) {
      if (fmt.startsWith("{}", i) && arg < 8) {
        sb.append(Lowerer.describe(a.get("a" + arg++)));
        i++;
      } else {
        sb.append(fmt.charAt(i));
      }
    }
    return sb.toString();
  }

  private static Object to(A a, Aten x) {
    Value s = a.t("self");
    DType dt = null;
    if (!a.none("dtype")) dt = a.dtype("dtype");
    Object a1 = a.get("a1");
    if (dt == null) {
      if (a1 instanceof Long code) dt = Aten.dtypeFromCode(code);
      else if (a1 instanceof Value other) dt = Emit.dtype(other);
      else if ((a1 instanceof Device || a1 instanceof String) && a.get("a2") instanceof Long code) dt = Aten.dtypeFromCode(code);
    }
    return dt == null ? s : x.emit().cast(s, dt);
  }

  static Value clip(Aten x, Value s, Object min, Object max) {
    DType dt = Emit.dtype(s);
    Value lo = min == PyNone.NONE ? null : x.emit().cast(x.tensor(min, dt), dt);
    Value hi = max == PyNone.NONE ? null : x.emit().cast(x.tensor(max, dt), dt);
    if (lo == null) return hi == null ? s : x.emit().op("min", s, hi);
    if (hi == null) return x.emit().op("max", s, lo);
    return x.emit().b.op1("clip", Map.of(), s, lo, hi);
  }

  static Object conv(A a, Aten x, boolean transposed, long[] outputPadding) {
    Value in = a.t("input");
    Value w = a.t("weight");
    int k = Emit.rank(w) - 2;
    if (a.get("padding") instanceof String) throw a.fail("string padding ('same'/'valid') is not supported");
    long[] stride = a.ls("stride", k);
    long[] pad = a.ls("padding", k);
    long[] dil = a.ls("dilation", k);
    long[] pads = new long[2 * k];
    for (int i = 0; i < k; i++) {
      pads[i] = pad[i];
      pads[k + i] = pad[i];
    }
    Map<String, dev.weft.ir.Attribute> at = attrs("strides", stride, "pads", pads, "dilations", dil, "group", a.l("groups"));
    if (transposed) at.putAll(attrs("output_padding", outputPadding));
    Value b = a.tOrNull("bias");
    Value[] ins = b == null ? new Value[] {in, w} : new Value[] {in, w, b};
    return x.emit().b.op1(transposed ? "conv_transpose" : "conv", at, ins);
  }

  private static Object softmax(A a, Aten x, String op) {
    Value s = a.t("self");
    if (!a.none("dtype")) s = x.emit().cast(s, a.dtype("dtype"));
    return x.emit().op(op, attrs("axis", a.l("dim")), s);
  }

  private static Object adaptiveAvgPool(A a, Aten x) {
    Value s = a.t("self");
    long[] out = a.ls("output_size", 2);
    int r = Emit.rank(s);
    if (out[0] == 1 && out[1] == 1) {
      return x.emit().op("reduce_mean", attrs("axes", new long[] {r - 2, r - 1}, "keepdims", 1L), s);
    }
    long[] kernel = new long[2];
    for (int i = 0; i < 2; i++) {
      if (!(x.size(s, r - 2 + i) instanceof Long n) || n % out[i] != 0) {
        throw a.fail("adaptive_avg_pool2d needs static spatial dims divisible by the output size");
      }
      kernel[i] = n / out[i];
    }
    return x.emit().op("avg_pool", attrs("kernel_shape", kernel, "strides", kernel), s);
  }

  private static Object pool(A a, Aten x, boolean max) {
    Value s = a.t("self");
    long[] kernel = a.ls("kernel_size", 2);
    long[] stride = a.ls("stride", 2);
    if (stride.length == 0) stride = kernel;
    long[] pad = a.ls("padding", 2);
    Map<String, dev.weft.ir.Attribute> at = attrs("kernel_shape", kernel, "strides", stride,
        "pads", new long[] {pad[0], pad[1], pad[0], pad[1]}, "ceil_mode", a.b("ceil_mode") ? 1L : 0L);
    if (max) {
      at.putAll(attrs("dilations", a.ls("dilation", 2)));
      return x.emit().b.op("max_pool", List.of(s), at).get(0);
    }
    if (!a.none("divisor_override")) throw a.fail("avg_pool2d divisor_override is not supported");
    at.putAll(attrs("count_include_pad", a.b("count_include_pad") ? 1L : 0L));
    return x.emit().op("avg_pool", at, s);
  }

  static Value reshape(Aten x, Value s, List<Object> dims) {
    long[] st = Emit.staticLongs(dims);
    boolean zero = false;
    for (Object d : dims) if (Long.valueOf(0).equals(d)) zero = true;
    Map<String, dev.weft.ir.Attribute> at = attrs("allowzero", zero ? 1L : 0L);
    if (st != null) {
      at.putAll(attrs("shape", st));
      return x.emit().op("reshape", at, s);
    }
    return x.emit().op("reshape", at, s, x.emit().shapeVector(dims));
  }

  private static Object flatten(A a, Aten x) {
    Value s = a.t("self");
    int r = Emit.rank(s);
    if (r == 0) return reshape(x, s, List.of(1L));
    int start = Emit.axis(a.l("start_dim"), r);
    int end = Emit.axis(a.l("end_dim"), r);
    if (start > end) throw a.fail("flatten start_dim after end_dim");
    if (start == end) return s;
    List<Object> dims = new ArrayList<>();
    for (int i = 0; i < start; i++) dims.add(x.size(s, i));
    long prod = 1;
    boolean known = true;
    for (int i = start; i <= end; i++) {
      if (x.size(s, i) instanceof Long l) prod *= l;
      else known = false;
    }
    dims.add(known ? prod : -1L);
    for (int i = end + 1; i < r; i++) dims.add(x.size(s, i));
    return reshape(x, s, dims);
  }

  private static Object slice(A a, Aten x) {
    if (Lowerer.sequence(a.get("self")) instanceof List<?> list) return sliceList(a, list);
    Value s = a.t("self");
    int d = Emit.axis(a.l("dim"), Emit.rank(s));
    Object start = a.none("start") ? (Object) 0L : a.get("start");
    Object end = a.none("end") ? (Object) Long.MAX_VALUE : a.get("end");
    long step = a.l("step");
    if (Long.valueOf(0).equals(start) && Long.valueOf(Long.MAX_VALUE).equals(end) && step == 1) return s;
    if (start instanceof Long st && end instanceof Long en) {
      return x.emit().op("slice", attrs("starts", new long[] {st}, "ends", new long[] {en}, "axes", new long[] {d},
          "steps", new long[] {step}), s);
    }
    Emit e = x.emit();
    return e.b.op1("slice", Map.of(), s, e.shapeVector(List.of(start)), e.shapeVector(List.of(end)), e.i64s(d), e.i64s(step));
  }

  /** slice.t on a Python list: list[start:end:step] (the second argument is start; there is no dim). */
  private static Object sliceList(A a, List<?> list) {
    int n = list.size();
    Object st = a.get("dim");          // slice.t(l, start=None, end=None, step=1) binds positionally to dim, start, end
    Object en = a.get("start");
    Object sp = a.get("end");
    long step = sp == PyNone.NONE ? 1 : Aten.toLong(sp);
    if (step != 1) throw a.fail("list slice with step " + step + " is not supported");
    long from = st == PyNone.NONE ? 0 : Aten.toLong(st);
    long to = en == PyNone.NONE ? n : Aten.toLong(en);
    from = Math.max(0, Math.min(n, from < 0 ? from + n : from));
    to = Math.max(from, Math.min(n, to < 0 ? to + n : to));
    return new ArrayList<Object>(list.subList((int) from, (int) to));
  }

  private static Object split(Aten x, Value s, int d, List<Long> sizes) {
    long[] sz = sizes.stream().mapToLong(Long::longValue).toArray();
    List<Value> parts = x.emit().b.op("split", List.of(s), attrs("axis", (long) d, "num_outputs", (long) sz.length, "sizes", sz));
    return new ArrayList<Object>(parts);
  }

  private static Object arange(A a, Aten x) {
    List<Object> pos = new ArrayList<>();
    for (String n : List.of("a0", "a1", "a2")) if (!a.none(n)) pos.add(a.get(n));
    Object start = pos.size() == 1 ? 0L : pos.get(0);
    Object end = pos.size() == 1 ? pos.get(0) : pos.get(1);
    Object step = pos.size() == 3 ? pos.get(2) : 1L;
    DType dt = a.none("dtype") ? (Aten.promote(start, end, step).isFloat() ? DType.F32 : DType.I64) : a.dtype("dtype");
    Emit e = x.emit();
    return e.op("iota", e.cast(x.tensor(start, dt), dt), e.cast(x.tensor(end, dt), dt), e.cast(x.tensor(step, dt), dt));
  }

  static Object fill(Aten x, List<Object> dims, DType dt, double value) {
    Tensor v = dt == DType.BOOL ? Tensor.ofBools(new long[] {1}, value != 0) : Tensor.of(dt, new long[] {1}, value);
    long[] st = Emit.staticLongs(dims);
    if (st != null) return x.emit().op("fill", attrs("shape", st, "value", v));
    return x.emit().op("fill", attrs("value", v), x.emit().shapeVector(dims));
  }

  static PyTuple tuple(Object... xs) { return new PyTuple(List.of(xs)); }
}
