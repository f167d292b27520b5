package dev.weft.frontend.torchscript.lower;

import static dev.weft.frontend.torchscript.lower.AtenTable.row;
import static dev.weft.frontend.torchscript.lower.Emit.attrs;

import dev.weft.bundle.DType;
import dev.weft.bundle.Tensor;
import dev.weft.frontend.torchscript.lower.Aten.A;
import dev.weft.ir.Value;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Python-level builtins that scripted library code (nn.MultiheadAttention's fast-path checks,
 * F.interpolate, F.group_norm) runs before any tensor work: list building and queries, string
 * find, and the grad/autocast/device queries, which fold for an inference graph on the CPU
 * (grad and autocast off, nothing nested, quantized or on CUDA).
 */
final class AtenPython {
  private AtenPython() {}

  static void register() {
    row("list", "l", (a, x) -> {
      List<?> s = Lowerer.sequence(a.get("l"));
      if (s == null) throw a.fail("list() of " + Lowerer.describe(a.get("l")));
      return new ArrayList<Object>(s);
    });
    row("append", "self, el", (a, x) -> {
      if (!(a.get("self") instanceof ArrayList<?> l)) throw a.fail("append to " + Lowerer.describe(a.get("self")));
      @SuppressWarnings("unchecked")
      List<Object> list = (List<Object>) l;
      if (list.size() >= 1 << 16) throw a.fail("list grows beyond " + (1 << 16) + " items");
      list.add(a.get("el"));
      return list;
    });
    row("__contains__", "dict, key", (a, x) -> {
      Object c = a.get("dict");
      if (c instanceof Map<?, ?> m) return m.containsKey(a.get("key"));
      List<?> s = Lowerer.sequence(c);
      if (s == null) throw a.fail("'in' on " + Lowerer.describe(c));
      return s.contains(a.get("key"));
    });
    row("find", "self, substr, start=0, end=-1", (a, x) -> {
      if (!(a.get("self") instanceof String s) || !(a.get("substr") instanceof String sub)) throw a.fail("find() on non-strings");
      int n = s.length();
      int start = (int) Math.max(0, Math.min(n, norm(a.l("start"), n)));
      int end = (int) Math.max(0, Math.min(n, a.l("end") == -1 ? n : norm(a.l("end"), n)));
      int i = s.indexOf(sub, start);
      return i >= 0 && i + sub.length() <= end ? (long) i : -1L;
    });
    for (String op : List.of("all", "any")) {
      row(op, "self, dim=None, keepdim=False", (a, x) -> {
        List<?> s = Lowerer.sequence(a.get("self"));
        if (s != null) {
          for (Object o : s) {
            boolean b = x.lowerer().truthy(o, a.f, a.at);
            if (b != op.equals("all")) return !op.equals("all");
          }
          return op.equals("all");
        }
        Value t = x.emit().cast(a.t("self"), DType.BOOL);
        String red = op.equals("all") ? "reduce_min" : "reduce_max";
        if (a.none("dim")) return x.emit().op(red, attrs("keepdims", 0L), t);
        long d = Emit.axis(a.l("dim"), Emit.rank(t));
        return x.emit().op(red, attrs("axes", new long[] {d}, "keepdims", a.b("keepdim") ? 1L : 0L), t);
      });
    }
    for (String op : List.of("is_grad_enabled", "is_autocast_enabled", "is_autocast_cpu_enabled")) row(op, "", (a, x) -> false);
    row("tensor", "t, dtype=None, device=None, requires_grad=False", AtenPython::tensor);
    row("is_floating_point", "self", (a, x) -> Emit.dtype(a.t("self")).isFloat());
    row("__range_length", "lo, hi, step", (a, x) -> {
      long lo = a.l("lo");
      long hi = a.l("hi");
      long step = a.l("step");
      if (step == 0) throw a.fail("range() step is 0");
      if (step > 0 && lo < hi) return 1 + (hi - 1 - lo) / step;
      if (step < 0 && lo > hi) return 1 + (lo - 1 - hi) / -step;
      return 0L;
    });
    row("__derive_index", "index, start, step", (a, x) -> a.l("start") + a.l("index") * a.l("step"));
    for (String op : List.of("logical_or", "logical_and", "logical_xor")) {
      row(op, "self, other", (a, x) -> x.emit().op(op.substring(8), x.emit().cast(a.t("self"), DType.BOOL),
          x.emit().cast(a.t("other"), DType.BOOL)));
    }
  }

  /** torch.tensor(data): a constant from nested lists of Python numbers. */
  private static Object tensor(A a, Aten x) {
    List<Long> shape = new ArrayList<>();
    Object d = a.get("t");
    while (Lowerer.sequence(d) instanceof List<?> l) {
      shape.add((long) l.size());
      if (l.isEmpty()) break;
      d = l.get(0);
    }
    List<Object> flat = new ArrayList<>();
    flatten(a, a.get("t"), 0, shape, flat);
    DType dt = DType.BOOL;
    for (Object o : flat) {
      if (o instanceof Double) dt = DType.F32;
      else if (o instanceof Long && dt == DType.BOOL) dt = DType.I64;
      else if (!(o instanceof Double || o instanceof Long || o instanceof Boolean)) throw a.fail("tensor() of " + Lowerer.describe(o));
    }
    if (flat.isEmpty()) dt = DType.F32;
    if (!a.none("dtype")) dt = a.dtype("dtype");
    long[] sh = shape.stream().mapToLong(Long::longValue).toArray();
    double[] v = new double[flat.size()];
    for (int i = 0; i < v.length; i++) v[i] = Aten.toDouble(flat.get(i));
    Tensor t = dt == DType.BOOL ? boolTensor(sh, v) : Tensor.of(dt, sh, v);
    return x.emit().constant(t);
  }

  private static Tensor boolTensor(long[] shape, double[] v) {
    boolean[] b = new boolean[v.length];
    for (int i = 0; i < v.length; i++) b[i] = v[i] != 0;
    return Tensor.ofBools(shape, b);
  }

  private static void flatten(A a, Object d, int depth, List<Long> shape, List<Object> out) {
    List<?> l = Lowerer.sequence(d);
    if (depth == shape.size()) {
      if (l != null) throw a.fail("tensor() of a ragged list");
      if (out.size() >= 1 << 20) throw a.fail("tensor() of more than " + (1 << 20) + " numbers");
      out.add(d);
      return;
    }
    if (l == null || l.size() != shape.get(depth)) throw a.fail("tensor() of a ragged list");
    for (Object o : l) flatten(a, o, depth + 1, shape, out);
  }

  private static long norm(long i, int n) { return i < 0 ? i + n : i; }

}
