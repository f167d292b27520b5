package dev.weft.codegen.lower.ops;

import dev.weft.bundle.DType;
import dev.weft.bundle.Tensor;
import dev.weft.codegen.kir.BinaryOp;
import dev.weft.codegen.kir.Expr;
import dev.weft.codegen.kir.ExprFactory;
import dev.weft.codegen.kir.Scalars;
import dev.weft.codegen.lower.LowerContext;
import dev.weft.codegen.lower.LoweringTable;
import dev.weft.ir.ops.ShapeMath;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Ops that read a window of their operand along some axes: concat, split, slice (ONNX clamping,
 * negative steps), pad (constant, reflect, edge, wrap; negative pads crop), compress with a
 * constant condition, reverse_sequence and trilu. Where an element may come from several
 * operands or from a fill value, every arm's load index is clamped into range, because both
 * arms of a select are evaluated.
 */
final class WindowLowerings {
  private WindowLowerings() {}

  static void register(LoweringTable t) {
    t.add("concat", (c, k, idx) -> concat(c, idx));
    t.add("split", WindowLowerings::split);
    t.add("slice", (c, k, idx) -> slice(c, idx));
    t.add("pad", (c, k, idx) -> pad(c, idx));
    t.add("compress", (c, k, idx) -> compress(c, idx));
    t.add("reverse_sequence", (c, k, idx) -> reverseSequence(c, idx));
    t.add("trilu", (c, k, idx) -> trilu(c, idx));
  }

  private static Expr concat(LowerContext c, Expr[] idx) {
    long[] out = c.outShape(0);
    int axis = IndexMath.axis(c, c.attrs().getInt("axis"), out.length);
    if (IndexMath.empty(out)) return IndexMath.zero(c, 0);
    ExprFactory f = c.f();
    Expr t = idx[axis];
    long total = out[axis];
    // Built from the last operand backwards: operand i covers [offset_i, offset_i + n_i).
    long[] offsets = new long[c.inputCount()];
    long at = 0;
    for (int i = 0; i < c.inputCount(); i++) {
      offsets[i] = at;
      at += c.inShape(i)[axis];
    }
    Expr r = null;
    for (int i = c.inputCount() - 1; i >= 0; i--) {
      long n = c.inShape(i)[axis];
      if (n == 0) continue;
      Expr[] src = idx.clone();
      src[axis] = IndexMath.clampKnown(f, f.sub(t, f.index(offsets[i])), -offsets[i], total - 1 - offsets[i], n);
      Expr v = c.in(i, src);
      r = r == null ? v : f.select(f.lt(t, f.index(offsets[i] + n)), v, r);
    }
    return r;
  }

  private static Expr split(LowerContext c, int output, Expr[] idx) {
    long[] in = c.inShape(0);
    int axis = IndexMath.axis(c, c.attrs().getInt("axis"), in.length);
    long offset = 0;
    for (int k = 0; k < output; k++) offset += c.outShape(k)[axis];
    if (IndexMath.empty(c.outShape(output))) return IndexMath.zero(c, output);
    Expr[] src = idx.clone();
    src[axis] = c.f().add(idx[axis], c.f().index(offset));
    return c.in(0, src);
  }

  private static Expr slice(LowerContext c, Expr[] idx) {
    long[] in = c.inShape(0);
    long[] starts = IndexMath.ints(c, "starts", 1);
    long[] ends = IndexMath.ints(c, "ends", 2);
    if (starts == null || ends == null) throw c.fail("slice needs starts and ends");
    long[] axes = IndexMath.ints(c, "axes", 3);
    if (axes == null) {
      axes = new long[starts.length];
      for (int i = 0; i < axes.length; i++) axes[i] = i;
    }
    long[] steps = IndexMath.ints(c, "steps", 4);
    if (ends.length != starts.length || axes.length != starts.length || (steps != null && steps.length != starts.length)) {
      throw c.fail("starts, ends, axes and steps differ in length");
    }
    int[] ax = IndexMath.axes(c, axes, in.length);
    if (IndexMath.empty(c.outShape(0))) return IndexMath.zero(c, 0);
    ExprFactory f = c.f();
    Expr[] src = idx.clone();
    for (int i = 0; i < ax.length; i++) {
      long step = steps == null ? 1 : steps[i];
      if (step == 0) throw c.fail("slice step is 0 on axis " + ax[i]);
      long[] s = ShapeMath.slice(in[ax[i]], starts[i], ends[i], step);
      if (in[ax[i]] == 0 && s[2] > 0) throw c.fail("slice takes " + s[2] + " elements from the empty axis " + ax[i]);
      src[ax[i]] = f.add(f.index(s[0]), f.mul(idx[ax[i]], f.index(s[1])));
    }
    return c.in(0, src);
  }

  private static Expr pad(LowerContext c, Expr[] idx) {
    long[] in = c.inShape(0);
    String mode = c.attrs().getString("mode");
    if (!List.of("constant", "reflect", "edge", "wrap").contains(mode)) throw c.fail("unknown pad mode '" + mode + "'");
    long[] pads = IndexMath.ints(c, "pads", 1);
    if (pads == null) throw c.fail("pad needs pads");
    long[] axes = IndexMath.ints(c, "axes", 3);
    int[] ax = IndexMath.axes(c, axes != null ? axes : identity(in.length), in.length);
    if (pads.length != 2 * ax.length) throw c.fail("pads has " + pads.length + " entries, expected " + 2 * ax.length);
    long[] out = c.outShape(0);
    if (IndexMath.empty(out)) return IndexMath.zero(c, 0);
    ExprFactory f = c.f();
    Expr[] src = idx.clone();
    Expr inside = f.bool(true);
    for (int i = 0; i < ax.length; i++) {
      int a = ax[i];
      long d = in[a];
      long begin = pads[i];
      if (d == 0) {
        if (!mode.equals("constant")) throw c.fail(mode + " padding of an empty axis " + a);
        return padValue(c);
      }
      Expr s = f.sub(idx[a], f.index(begin));
      // s lies in [-begin, out - 1 - begin]; only coordinates that can leave [0, d) cost a test.
      long lo = -begin;
      long hi = out[a] - 1 - begin;
      if (lo >= 0 && hi <= d - 1) {
        src[a] = s;
        continue;
      }
      src[a] = switch (mode) {
        case "constant" -> {
          if (lo < 0) inside = f.and(inside, f.le(f.index(0), s));
          if (hi > d - 1) inside = f.and(inside, f.lt(s, f.index(d)));
          yield IndexMath.clampKnown(f, s, lo, hi, d);
        }
        case "edge" -> IndexMath.clampKnown(f, s, lo, hi, d);
        case "wrap" -> IndexMath.floorMod(f, s, d);
        default -> reflect(f, s, d);
      };
    }
    Expr v = c.in(0, src);
    return mode.equals("constant") ? f.select(inside, v, padValue(c)) : v;
  }

  /** Reflection without repeating the edge: period 2(d-1), the second half mirrored. */
  private static Expr reflect(ExprFactory f, Expr s, long d) {
    if (d == 1) return f.index(0);
    long period = 2 * (d - 1);
    Expr m = IndexMath.floorMod(f, s, period);
    return f.select(f.lt(m, f.index(d)), m, f.sub(f.index(period), m));
  }

  /** Operand 2's first element when it has one, else the 'value' attribute, else zero (as the interpreter). */
  private static Expr padValue(LowerContext c) {
    ExprFactory f = c.f();
    if (c.inputCount() > 2 && c.has(2) && !IndexMath.empty(c.inShape(2))) {
      Expr[] zero = new Expr[c.inShape(2).length];
      Arrays.fill(zero, f.index(0));
      return c.in(2, zero);
    }
    DType t = ExprFactory.computeType(c.outDType(0));
    double v = c.attrs().has("value") ? c.attrs().getFloat("value") : 0;
    if (t.isFloat()) return f.constant(t, v);
    return f.constantLong(t, Scalars.wrap(t, (long) v));
  }

  private static long[] identity(int n) {
    long[] a = new long[n];
    for (int i = 0; i < n; i++) a[i] = i;
    return a;
  }

  private static Expr compress(LowerContext c, Expr[] idx) {
    Tensor cond = c.requireConstant(1, "condition");
    long[] in = c.inShape(0);
    boolean flat = !c.attrs().has("axis");
    long[] shape = flat ? new long[] {Tensor.elementCount(in)} : in;
    int axis = flat ? 0 : IndexMath.axis(c, c.attrs().getInt("axis"), in.length);
    if (cond.size() > shape[axis]) throw c.fail("condition has " + cond.size() + " entries, axis " + axis + " has " + shape[axis]);
    List<Long> keep = new ArrayList<>();
    for (long i = 0; i < cond.size(); i++) if (cond.getBool(i)) keep.add(i);
    if (c.outShape(0)[flat ? 0 : axis] != keep.size()) {
      throw c.fail("result has " + c.outShape(0)[flat ? 0 : axis] + " entries on axis " + axis + ", the condition keeps " + keep.size());
    }
    if (IndexMath.empty(c.outShape(0))) return IndexMath.zero(c, 0);
    long[] table = keep.stream().mapToLong(Long::longValue).toArray();
    Expr pick = IndexMath.table(c.f(), table, idx[axis]);
    if (flat) return c.in(0, c.f().delinear(pick, in));
    Expr[] src = idx.clone();
    src[axis] = pick;
    return c.in(0, src);
  }

  private static Expr reverseSequence(LowerContext c, Expr[] idx) {
    long[] in = c.inShape(0);
    long b = c.attrs().getInt("batch_axis");
    long t = c.attrs().getInt("time_axis");
    if (in.length < 2 || b == t || b < 0 || t < 0 || b > 1 || t > 1) throw c.fail("batch_axis and time_axis must be 0 and 1 in some order");
    if (IndexMath.empty(in)) return IndexMath.zero(c, 0);
    ExprFactory f = c.f();
    long steps = in[(int) t];
    // A length outside [0, T] is clamped (the interpreter rejects it).
    Expr len = f.clamp(f.cast(DType.I64, c.in(1, idx[(int) b])), 0, steps);
    Expr i = idx[(int) t];
    Expr[] src = idx.clone();
    src[(int) t] = f.select(f.lt(i, len), f.sub(f.sub(len, f.index(1)), i), i);
    return c.in(0, src);
  }

  private static Expr trilu(LowerContext c, Expr[] idx) {
    long[] in = c.inShape(0);
    if (in.length < 2) throw c.fail("trilu needs rank >= 2, got " + in.length);
    if (IndexMath.empty(in)) return IndexMath.zero(c, 0);
    ExprFactory f = c.f();
    Expr k = f.index(0);
    if (c.inputCount() > 1 && c.has(1)) {
      Expr[] zero = new Expr[c.inShape(1).length];
      Arrays.fill(zero, f.index(0));
      k = f.cast(DType.I64, c.in(1, zero));
    }
    Expr diff = f.sub(idx[in.length - 1], idx[in.length - 2]);
    Expr keep = c.attrs().getBool("upper") ? f.binary(BinaryOp.GE, diff, k) : f.le(diff, k);
    Expr x = c.in(0, idx);
    return f.select(keep, x, f.like(x, 0));
  }
}
