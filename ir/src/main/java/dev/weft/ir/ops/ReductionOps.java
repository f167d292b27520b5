package dev.weft.ir.ops;

import dev.weft.bundle.DType;
import dev.weft.bundle.Tensor;
import dev.weft.ir.Attribute;
import dev.weft.ir.Attrs;
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
import dev.weft.ir.ops.Elementwise.Domain;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Reductions. Core: {@code reduce_sum}, {@code reduce_prod}, {@code reduce_max},
 * {@code reduce_min}, {@code argmax}, {@code argmin}. Composites: {@code reduce_mean} (sum over
 * count) and {@code reduce_log_sum_exp} (max-shifted, so it does not overflow).
 *
 * <p>The {@code axes} attribute lists the reduced axes (negative counts from the end); absent
 * means every axis, empty means none (the identity). Axes may instead be operand 1 (an i64
 * vector known only at run time), with ONNX's meaning: empty is every axis, or none when
 * {@code noop_with_empty_axes=1}. Over an empty set, sum is 0, prod 1, max -inf (the
 * least value for integers), min +inf (the greatest), log_sum_exp -inf, mean NaN. Floats
 * accumulate in double; NaN propagates through max and min.
 */
public final class ReductionOps implements OpLibrary {
  private enum Kind { SUM, PROD, MAX, MIN }

  @Override
  public List<OpDef> ops() {
    List<OpDef> ops = new ArrayList<>();
    ops.add(reduction(OpDef.core("reduce_sum"), Domain.NUMERIC).kernel(c -> reduce(c, Kind.SUM)).build());
    ops.add(reduction(OpDef.core("reduce_prod"), Domain.NUMERIC).kernel(c -> reduce(c, Kind.PROD)).build());
    ops.add(reduction(OpDef.core("reduce_max"), Domain.NUMERIC_OR_BOOL).kernel(c -> reduce(c, Kind.MAX)).build());
    ops.add(reduction(OpDef.core("reduce_min"), Domain.NUMERIC_OR_BOOL).kernel(c -> reduce(c, Kind.MIN)).build());
    ops.add(reduction(OpDef.composite("reduce_mean"), Domain.NUMERIC)
        .kernel(ReductionOps::mean).decompose(ReductionOps::expandMean).build());
    ops.add(reduction(OpDef.composite("reduce_log_sum_exp"), Domain.FLOAT)
        .kernel(ReductionOps::logSumExp).decompose(ReductionOps::expandLogSumExp).build());
    ops.add(arg(OpDef.core("argmax")).kernel(c -> arg(c, true)).build());
    ops.add(arg(OpDef.core("argmin")).kernel(c -> arg(c, false)).build());
    return ops;
  }

  private static OpDef.Builder reduction(OpDef.Builder b, Domain d) {
    return b.inputs(1, 2).optional("axes", Attribute.Kind.INTS).attr("keepdims", Attribute.of(1L))
        .attr("noop_with_empty_axes", Attribute.of(0L))
        .infer(c -> {
          Elementwise.check(c, 0, d);
          boolean keep = c.attrs().getBool("keepdims");
          if (!c.hasInput(1)) return List.of(reducedType(c, c.attrs().getIntsOr("axes", null), keep));
          return List.of(dynamicReducedType(c, keep, c.attrs().getBool("noop_with_empty_axes")));
        });
  }

  /** Result type when the axes are an operand: exact if it is a constant, else fresh dims. */
  private static TensorType dynamicReducedType(InferContext c, boolean keep, boolean noop) {
    if (c.attrs().has("axes")) throw c.fail("axes are given both as an attribute and as operand 1");
    TensorType at = c.tensor(1);
    if (at.dtype() != DType.I64) throw c.fail("axes operand must be i64, got " + at.dtype());
    if (at.shape().isRanked() && at.rank() != 1) throw c.fail("axes operand must be 1-D, got " + at.shape());
    Tensor k = c.constant(1);
    if (k != null) return reducedType(c, operandAxes(k.toLongArray(), noop), keep);
    TensorType in = c.tensor(0);
    Shape s = in.shape();
    if (!s.isRanked()) return in;
    List<Dim> out = new ArrayList<>();
    if (keep) {
      for (Dim dim : s.dims()) out.add(dim.isStatic() && dim.size() == 1 ? dim : c.fresh());
      return in.withShape(new Shape(out));
    }
    if (!at.shape().isStatic()) return in.withShape(Shape.unranked());
    long count = at.shape().dim(0).size();
    if (count == 0) return noop ? in : in.withShape(Shape.scalar());
    if (count > s.rank()) throw c.fail(count + " axes for an operand of rank " + s.rank());
    for (int i = 0; i < s.rank() - count; i++) out.add(c.fresh());
    return in.withShape(new Shape(out));
  }

  /** Axes given as an operand, ONNX-style: empty means all axes, or none with noop_with_empty_axes. */
  static long[] operandAxes(long[] v, boolean noop) { return v.length == 0 && !noop ? null : v; }

  /** The reduced axes a kernel applies: operand 1 when present, else the attribute (null = all). */
  static long[] axesOf(KernelContext c) {
    if (c.has(1)) return operandAxes(c.tensor(1).toLongArray(), c.attrs().getBool("noop_with_empty_axes"));
    return c.attrs().getIntsOr("axes", null);
  }

  private static OpDef.Builder arg(OpDef.Builder b) {
    return b.inputs(1).attr("axis", Attribute.of(0L)).attr("keepdims", Attribute.of(1L))
        .attr("select_last_index", Attribute.of(0L))
        .infer(c -> {
          Elementwise.check(c, 0, Domain.NUMERIC_OR_BOOL);
          TensorType t = reducedType(c, new long[] {c.attrs().getInt("axis")}, c.attrs().getBool("keepdims"));
          return List.of(t.withDType(DType.I64));
        })
        .doc("Index (i64) of the first (or, with select_last_index, last) extreme along axis; NaN counts as the extreme.");
  }

  static TensorType reducedType(InferContext c, long[] axes, boolean keepdims) {
    TensorType in = c.tensor(0);
    Shape s = in.shape();
    if (!s.isRanked()) {
      return in.withShape(axes == null && !keepdims ? Shape.scalar() : axes != null && axes.length == 0 ? s : Shape.unranked());
    }
    boolean[] reduced;
    try {
      reduced = reducedAxes(axes, s.rank());
    } catch (IllegalArgumentException e) {
      throw c.fail(e.getMessage());
    }
    List<Dim> out = new ArrayList<>();
    for (int i = 0; i < s.rank(); i++) {
      if (!reduced[i]) out.add(s.dim(i));
      else if (keepdims) out.add(Dim.of(1));
    }
    return in.withShape(new Shape(out));
  }

  /** Marks the reduced axes; null axes = all. Rejects out-of-range and repeated axes. */
  static boolean[] reducedAxes(long[] axes, int rank) {
    boolean[] r = new boolean[rank];
    if (axes == null) {
      Arrays.fill(r, true);
      return r;
    }
    for (long a : axes) {
      if (a < -rank || a >= rank) throw new IllegalArgumentException("axis " + a + " is out of range for rank " + rank);
      int k = (int) (a < 0 ? a + rank : a);
      if (r[k]) throw new IllegalArgumentException("axis " + a + " is repeated");
      r[k] = true;
    }
    return r;
  }

  /** The input shape with reduced axes set to 1. */
  static long[] keptShape(long[] shape, boolean[] reduced) {
    long[] k = shape.clone();
    for (int i = 0; i < k.length; i++) if (reduced[i]) k[i] = 1;
    return k;
  }

  private static long[] outShape(long[] shape, boolean[] reduced, boolean keepdims) {
    if (keepdims) return keptShape(shape, reduced);
    List<Long> out = new ArrayList<>();
    for (int i = 0; i < shape.length; i++) if (!reduced[i]) out.add(shape[i]);
    return out.stream().mapToLong(Long::longValue).toArray();
  }

  /** For each input element, its output cell (null: no axis is reduced). */
  private static long[] cells(long[] shape, boolean[] reduced) {
    return Broadcast.indexMap(keptShape(shape, reduced), shape);
  }

  private static Object[] reduce(KernelContext c, Kind kind) {
    Tensor x = c.tensor(0);
    Attrs a = c.attrs();
    long[] shape = x.shape();
    boolean[] reduced = reducedAxes(axesOf(c), shape.length);
    long[] outShape = outShape(shape, reduced, a.getBool("keepdims"));
    long[] cell = cells(shape, reduced);
    int outN = Math.toIntExact(Tensor.elementCount(outShape));
    int n = Math.toIntExact(x.size());
    DType t = x.dtype();
    Tensor y = Tensor.zeros(t, outShape);
    if (t.isFloat()) {
      double init = switch (kind) {
        case SUM -> 0; case PROD -> 1; case MAX -> Double.NEGATIVE_INFINITY; case MIN -> Double.POSITIVE_INFINITY;
      };
      double[] acc = new double[outN];
      Arrays.fill(acc, init);
      double[] v = x.toDoubleArray();
      for (int i = 0; i < n; i++) {
        int o = cell == null ? i : (int) cell[i];
        acc[o] = switch (kind) {
          case SUM -> acc[o] + v[i];
          case PROD -> acc[o] * v[i];
          case MAX -> ScalarMath.nanMax(acc[o], v[i]);
          case MIN -> ScalarMath.nanMin(acc[o], v[i]);
        };
      }
      if (t == DType.F32) {
        float[] f = new float[outN];
        for (int i = 0; i < outN; i++) f[i] = (float) acc[i];
        return new Object[] {Tensor.ofFloats(outShape, f)};
      }
      for (int i = 0; i < outN; i++) y.setDouble(i, acc[i]);
      return new Object[] {y};
    }
    boolean unsigned = t.kind() != DType.Kind.SIGNED;
    long init = switch (kind) {
      case SUM -> 0; case PROD -> 1; case MAX -> minValue(t); case MIN -> maxValue(t);
    };
    long[] acc = new long[outN];
    Arrays.fill(acc, init);
    for (int i = 0; i < n; i++) {
      int o = cell == null ? i : (int) cell[i];
      long v = x.getLong(i);
      acc[o] = switch (kind) {
        case SUM -> acc[o] + v;
        case PROD -> acc[o] * v;
        case MAX -> (unsigned ? Long.compareUnsigned(v, acc[o]) > 0 : v > acc[o]) ? v : acc[o];
        case MIN -> (unsigned ? Long.compareUnsigned(v, acc[o]) < 0 : v < acc[o]) ? v : acc[o];
      };
    }
    for (int i = 0; i < outN; i++) y.setLong(i, acc[i]);
    return new Object[] {y};
  }

  /** Least value of an integer or bool dtype (as stored by setLong). */
  static long minValue(DType t) {
    if (t.kind() != DType.Kind.SIGNED) return 0;
    return -(1L << (Math.min(t.bits(), 64) - 1));
  }

  /** Greatest value of an integer or bool dtype; u64's is all ones (-1 as a long). */
  static long maxValue(DType t) {
    if (t == DType.BOOL) return 1;
    if (t.kind() == DType.Kind.SIGNED) return t.bits() == 64 ? Long.MAX_VALUE : (1L << (t.bits() - 1)) - 1;
    return t.bits() == 64 ? -1L : (1L << t.bits()) - 1;
  }

  private static Object[] mean(KernelContext c) {
    Tensor x = c.tensor(0);
    long[] shape = x.shape();
    boolean[] reduced = reducedAxes(axesOf(c), shape.length);
    long count = 1;
    for (int i = 0; i < shape.length; i++) if (reduced[i]) count *= shape[i];
    Tensor sum = (Tensor) reduce(c, Kind.SUM)[0];
    Tensor y = Tensor.zeros(x.dtype(), sum.shape());
    for (long i = 0; i < y.size(); i++) {
      if (x.dtype().isFloat()) y.setDouble(i, sum.getDouble(i) / count);
      else y.setLong(i, ScalarMath.div(sum.getLong(i), count));
    }
    return new Object[] {y};
  }

  private static Object[] logSumExp(KernelContext c) {
    Tensor x = c.tensor(0);
    Attrs a = c.attrs();
    long[] shape = x.shape();
    boolean[] reduced = reducedAxes(axesOf(c), shape.length);
    long[] outShape = outShape(shape, reduced, a.getBool("keepdims"));
    long[] cell = cells(shape, reduced);
    int outN = Math.toIntExact(Tensor.elementCount(outShape));
    double[] v = x.toDoubleArray();
    double[] max = new double[outN];
    Arrays.fill(max, Double.NEGATIVE_INFINITY);
    for (int i = 0; i < v.length; i++) {
      int o = cell == null ? i : (int) cell[i];
      max[o] = ScalarMath.nanMax(max[o], v[i]);
    }
    // An infinite max shifts by 0 instead (inf - inf would be NaN), as the decomposition does.
    for (int o = 0; o < outN; o++) if (Double.isInfinite(max[o])) max[o] = 0;
    double[] sum = new double[outN];
    for (int i = 0; i < v.length; i++) {
      int o = cell == null ? i : (int) cell[i];
      sum[o] += Math.exp(v[i] - max[o]);
    }
    Tensor y = Tensor.zeros(x.dtype(), outShape);
    for (int o = 0; o < outN; o++) y.setDouble(o, Math.log(sum[o]) + max[o]);
    return new Object[] {y};
  }

  /** A reduction over the same axes (attribute or operand) as composite {@code n}. */
  private static Value reduceLike(GraphBuilder b, String op, Node n, boolean keepdims, Value x) {
    Map<String, Attribute> m = new HashMap<>();
    if (n.attribute("axes") != null) m.put("axes", n.attribute("axes"));
    m.put("keepdims", Attribute.of(keepdims ? 1L : 0L));
    m.put("noop_with_empty_axes", Attribute.of(n.attrs().getInt("noop_with_empty_axes")));
    List<Value> in = n.input(1) == null ? List.of(x) : List.of(x, n.input(1));
    return b.op(op, in, m).get(0);
  }

  private static List<Value> expandMean(Node n, GraphBuilder b) {
    Value x = n.input(0);
    boolean keep = n.attrs().getBool("keepdims");
    TensorType t = x.tensorType();
    Value sum = reduceLike(b, "reduce_sum", n, keep, x);
    Value count = null;
    Shape s = t.shape();
    if (s.isRanked() && n.input(1) == null) {
      boolean[] reduced = reducedAxes(n.attrs().getIntsOr("axes", null), s.rank());
      long k = 1;
      for (int i = 0; i < s.rank() && k >= 0; i++) {
        if (reduced[i]) k = s.dim(i).isStatic() ? k * s.dim(i).size() : -1;
      }
      if (k >= 0) count = b.constant(Tensor.scalar(t.dtype(), k));
    }
    if (count == null) {
      // Symbolic extent: count ones shaped like x (cast(x, bool) | !cast(x, bool) is all true).
      Value nz = b.op1("cast", Map.of("to", Attribute.of(DType.BOOL)), x);
      Value ones = b.op1("cast", Map.of("to", Attribute.of(t.dtype())), b.op1("or", nz, b.op1("not", nz)));
      count = reduceLike(b, "reduce_sum", n, keep, ones);
    }
    return List.of(b.op1("div", sum, count));
  }

  private static List<Value> expandLogSumExp(Node n, GraphBuilder b) {
    Value x = n.input(0);
    DType dt = x.tensorType().dtype();
    boolean keep = n.attrs().getBool("keepdims");
    Value max = reduceLike(b, "reduce_max", n, true, x);
    Value shift = b.op1("select", b.op1("is_inf", max), b.constant(Tensor.scalar(dt, 0)), max);
    Value sum = reduceLike(b, "reduce_sum", n, keep, b.op1("exp", b.op1("sub", x, shift)));
    // Reducing the kept size-1 axes again gives the shift in the result's shape.
    Value shiftOut = reduceLike(b, "reduce_max", n, keep, shift);
    return List.of(b.op1("add", b.op1("log", sum), shiftOut));
  }

  private static Object[] arg(KernelContext c, boolean isMax) {
    Tensor x = c.tensor(0);
    long[] shape = x.shape();
    int rank = shape.length;
    long ax = c.attrs().getInt("axis");
    int axis = (int) (ax < 0 ? ax + rank : ax);
    boolean last = c.attrs().getBool("select_last_index");
    long len = shape[axis];
    if (len == 0) throw c.fail("argmax/argmin over an empty axis " + axis);
    long inner = 1;
    for (int i = axis + 1; i < rank; i++) inner *= shape[i];
    long outer = x.size() / (len * inner);
    boolean[] reduced = new boolean[rank];
    reduced[axis] = true;
    Tensor y = Tensor.zeros(DType.I64, outShape(shape, reduced, c.attrs().getBool("keepdims")));
    boolean floats = x.dtype().isFloat();
    boolean unsigned = x.dtype().kind() != DType.Kind.SIGNED;
    for (long o = 0; o < outer; o++) {
      for (long in = 0; in < inner; in++) {
        long base = o * len * inner + in;
        long best = 0;
        for (long k = 1; k < len; k++) {
          long i = base + k * inner;
          long j = base + best * inner;
          int cmp;
          if (floats) {
            double v = x.getDouble(i);
            double w = x.getDouble(j);
            // NaN is the extreme; the first NaN wins unless select_last_index.
            if (Double.isNaN(w)) cmp = Double.isNaN(v) ? 0 : -1;
            else if (Double.isNaN(v)) cmp = 1;
            else if (v == w) cmp = 0;
            else cmp = (isMax ? v > w : v < w) ? 1 : -1;
          } else {
            long v = x.getLong(i);
            long w = x.getLong(j);
            cmp = unsigned ? Long.compareUnsigned(v, w) : Long.compare(v, w);
            if (!isMax) cmp = -cmp;
          }
          if (cmp > 0 || (cmp == 0 && last)) best = k;
        }
        y.setLong(o * inner + in, best);
      }
    }
    return new Object[] {y};
  }
}
