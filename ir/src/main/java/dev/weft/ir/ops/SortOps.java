package dev.weft.ir.ops;

import static dev.weft.ir.InferContext.one;

import dev.weft.bundle.DType;
import dev.weft.bundle.Tensor;
import dev.weft.ir.Attribute;
import dev.weft.ir.Dim;
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
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Order-based ops: sort (stable; equal keys keep index order in both directions, as ONNX TopK
 * requires), top_k (a composite: sort then slice), cum_sum, cum_prod and unique. NaN sorts above every
 * number, as numpy does.
 */
public final class SortOps implements OpLibrary {
  @Override
  public List<OpDef> ops() {
    return List.of(
        OpDef.core("sort").inputs(1).outputs(2)
            .attr("axis", Attribute.of(-1L)).attr("descending", Attribute.of(0L))
            .infer(c -> {
              TensorType x = c.tensor(0);
              if (x.shape().isRanked()) IndexingOps.axis(c, c.attrs().getInt("axis"), x.rank());
              return List.of(x, x.withDType(DType.I64));
            })
            .kernel(c -> sortKernel(c, c.attrs().getBool("descending"), -1))
            .doc("Values and i64 indices along axis; stable.").build(),
        OpDef.composite("top_k").inputs(1, 2).outputs(2)
            .optional("k", Attribute.Kind.INT).attr("axis", Attribute.of(-1L))
            .attr("largest", Attribute.of(1L)).attr("sorted", Attribute.of(1L))
            .infer(SortOps::inferTopK)
            .kernel(c -> sortKernel(c, c.attrs().getBool("largest"), topK(c)))
            .decompose(SortOps::expandTopK)
            .doc("The k largest (smallest) along axis, always sorted; k as attribute or i64 operand 1.")
            .build(),
        cumulative("cum_sum").kernel(c -> cumulative(c, false)).build(),
        cumulative("cum_prod").kernel(c -> cumulative(c, true)).build(),
        OpDef.custom("unique").inputs(1).outputs(4)
            .attr("sorted", Attribute.of(1L)).optional("axis", Attribute.Kind.INT)
            .infer(SortOps::inferUnique).kernel(SortOps::unique).build());
  }

  static int compareDoubles(double a, double b) {
    if (a < b) return -1;
    if (a > b) return 1;
    boolean na = Double.isNaN(a);
    boolean nb = Double.isNaN(b);
    return na == nb ? 0 : na ? 1 : -1;
  }

  /** Compares elements {@code i} and {@code j} of {@code t}. */
  static int compare(Tensor t, long i, long j) {
    DType d = t.dtype();
    if (d == DType.STRING) return t.getString(i).compareTo(t.getString(j));
    if (d.isFloat()) return compareDoubles(t.getDouble(i), t.getDouble(j));
    if (d == DType.U64) return Long.compareUnsigned(t.getLong(i), t.getLong(j));
    return Long.compare(t.getLong(i), t.getLong(j));
  }

  static long topK(KernelContext c) {
    if (c.attrs().has("k")) return c.attrs().getInt("k");
    if (!c.has(1)) throw c.fail("top_k needs k");
    return c.tensor(1).getLong(0);
  }

  /** Sorts every line along axis; keeps the first {@code k} (all when k < 0). */
  static Object[] sortKernel(KernelContext c, boolean descending, long k) {
    Tensor x = c.tensor(0);
    int axis = ShapeMath.axis(c.attrs().getInt("axis"), x.rank());
    long[] shape = x.shape();
    long d = shape[axis];
    if (k > d || k < -1) throw c.fail("k = " + k + " is out of range for axis " + axis + " of size " + d);
    long keep = k < 0 ? d : k;
    long outer = ShapeMath.product(shape, 0, axis);
    long inner = ShapeMath.product(shape, axis + 1, shape.length);
    shape[axis] = keep;
    Tensor values = Tensor.zeros(x.dtype(), shape);
    Tensor indices = Tensor.zeros(DType.I64, shape);
    Integer[] order = new Integer[Math.toIntExact(d)];
    for (long o = 0; o < outer; o++) {
      for (long i = 0; i < inner; i++) {
        long base = o * d * inner + i;
        for (int p = 0; p < d; p++) order[p] = p;
        // Arrays.sort on objects is stable, so equal keys keep index order either way.
        Arrays.sort(order, (a, b) -> {
          int r = compare(x, base + a * inner, base + b * inner);
          return descending ? -r : r;
        });
        long outBase = o * keep * inner + i;
        for (int p = 0; p < keep; p++) {
          ShapeMath.copy1(x, base + order[p] * inner, values, outBase + p * inner);
          indices.setLong(outBase + p * inner, order[p]);
        }
      }
    }
    return new Object[] {values, indices};
  }

  static List<Type> inferTopK(InferContext c) {
    TensorType x = c.tensor(0);
    if (!c.attrs().has("k") && !c.hasInput(1)) throw c.fail("top_k needs k");
    if (!x.shape().isRanked()) return List.of(x, x.withDType(DType.I64));
    int axis = IndexingOps.axis(c, c.attrs().getInt("axis"), x.rank());
    long[] k = c.attrs().has("k") ? new long[] {c.attrs().getInt("k")} : ShapeMath.staticInts(c, "k", 1);
    List<Dim> dims = new ArrayList<>(x.shape().dims());
    Dim d = dims.get(axis);
    if (k != null) {
      if (k.length != 1 || k[0] < 0) throw c.fail("k must be one non-negative value, got " + Arrays.toString(k));
      if (d.isStatic() && k[0] > d.size()) throw c.fail("k = " + k[0] + " exceeds axis " + axis + " of size " + d);
    }
    dims.set(axis, k != null ? Dim.of(k[0]) : c.fresh());
    TensorType v = x.withShape(new Shape(dims));
    return List.of(v, v.withDType(DType.I64));
  }

  /** top_k = the first k of a stable sort along axis. */
  static List<Value> expandTopK(Node n, dev.weft.ir.GraphBuilder b) {
    long axis = n.attrs().getInt("axis");
    List<Value> sorted = b.op("sort", List.of(n.input(0)),
        Map.of("axis", Attribute.of(axis), "descending", Attribute.of(n.attrs().getInt("largest"))));
    List<Value> out = new ArrayList<>();
    for (Value v : sorted) {
      Value r;
      if (n.attrs().has("k")) {
        r = b.op1("slice", Map.of("starts", Attribute.of(new long[] {0}), "ends", Attribute.of(new long[] {n.attrs().getInt("k")}),
            "axes", Attribute.of(new long[] {axis})), v);
      } else {
        Value k = b.op1("reshape", Map.of("shape", Attribute.of(new long[] {1})), n.input(1));
        r = b.op("slice", List.of(v, b.constant(Tensor.ofLongs(new long[] {1}, 0)), k,
            b.constant(Tensor.ofLongs(new long[] {1}, axis))), Map.of()).get(0);
      }
      r.setType(n.output(out.size()).type());
      out.add(r);
    }
    return out;
  }

  /** cum_sum / cum_prod: axis as attribute or operand 1; exclusive starts from 0 (1), reverse scans backwards. */
  private static OpDef.Builder cumulative(String name) {
    return OpDef.core(name).inputs(1, 2).optional("axis", Attribute.Kind.INT)
        .attr("exclusive", Attribute.of(0L)).attr("reverse", Attribute.of(0L))
        .infer(c -> {
          if (!c.attrs().has("axis") && !c.hasInput(1)) throw c.fail(name + " needs an axis");
          return one(c.tensor(0));
        });
  }

  static Object[] cumulative(KernelContext c, boolean product) {
    Tensor x = c.tensor(0);
    long ax = c.attrs().has("axis") ? c.attrs().getInt("axis") : c.tensor(1).getLong(0);
    int axis = ShapeMath.axis(ax, Math.max(1, x.rank()));
    boolean exclusive = c.attrs().getBool("exclusive");
    boolean reverse = c.attrs().getBool("reverse");
    long[] shape = x.rank() == 0 ? new long[] {1} : x.shape();
    long d = shape[axis];
    long outer = ShapeMath.product(shape, 0, axis);
    long inner = ShapeMath.product(shape, axis + 1, shape.length);
    Tensor y = Tensor.zeros(x.dtype(), x.shape());
    boolean floats = x.dtype().isFloat();
    for (long o = 0; o < outer; o++) {
      for (long i = 0; i < inner; i++) {
        double fs = product ? 1 : 0;
        long is = product ? 1 : 0;
        for (long p = 0; p < d; p++) {
          long q = reverse ? d - 1 - p : p;
          long at = (o * d + q) * inner + i;
          if (exclusive) {
            if (floats) y.setDouble(at, fs);
            else y.setLong(at, is);
          }
          if (product) {
            if (floats) fs *= x.getDouble(at);
            else is *= x.getLong(at);
          } else if (floats) {
            fs += x.getDouble(at);
          } else {
            is += x.getLong(at);
          }
          if (!exclusive) {
            if (floats) y.setDouble(at, fs);
            else y.setLong(at, is);
          }
        }
      }
    }
    return new Object[] {y};
  }

  static List<Type> inferUnique(InferContext c) {
    TensorType x = c.tensor(0);
    Dim n = c.fresh();
    TensorType idx = new TensorType(DType.I64, new Shape(List.of(n)));
    if (!c.attrs().has("axis")) {
      Dim total = x.shape().isStatic() ? Dim.of(x.shape().elementCount()) : c.fresh();
      return List.of(x.withShape(new Shape(List.of(n))), idx, new TensorType(DType.I64, new Shape(List.of(total))), idx);
    }
    if (!x.shape().isRanked()) return List.of(x, idx, new TensorType(DType.I64, new Shape(List.of(c.fresh()))), idx);
    int axis = IndexingOps.axis(c, c.attrs().getInt("axis"), x.rank());
    List<Dim> dims = new ArrayList<>(x.shape().dims());
    Dim d = dims.get(axis);
    dims.set(axis, n);
    return List.of(x.withShape(new Shape(dims)), idx, new TensorType(DType.I64, new Shape(List.of(d))), idx);
  }

  static Object[] unique(KernelContext c) {
    Tensor x = c.tensor(0);
    boolean flat = !c.attrs().has("axis");
    if (flat) x = x.reshape(x.size());
    final Tensor data = x;
    int axis = flat ? 0 : ShapeMath.axis(c.attrs().getInt("axis"), x.rank());
    long[] shape = x.shape();
    long d = shape[axis];
    long outer = ShapeMath.product(shape, 0, axis);
    long inner = ShapeMath.product(shape, axis + 1, shape.length);
    // Slice k along axis, compared element by element in row-major order.
    java.util.Comparator<Integer> bySlice = (a, b) -> {
      for (long o = 0; o < outer; o++) {
        for (long i = 0; i < inner; i++) {
          int r = compare(data, (o * d + a) * inner + i, (o * d + b) * inner + i);
          if (r != 0) return r;
        }
      }
      return 0;
    };
    // Stable sort of the slices groups equal ones, the first of each group being its first occurrence.
    Integer[] all = new Integer[Math.toIntExact(d)];
    for (int k = 0; k < d; k++) all[k] = k;
    Arrays.sort(all, bySlice);
    List<Integer> firsts = new ArrayList<>();
    List<Long> counts = new ArrayList<>();
    int[] group = new int[all.length];
    for (int p = 0; p < all.length; p++) {
      if (p == 0 || bySlice.compare(all[p - 1], all[p]) != 0) {
        firsts.add(all[p]);
        counts.add(0L);
      }
      counts.set(firsts.size() - 1, counts.get(firsts.size() - 1) + 1);
      group[all[p]] = firsts.size() - 1;
    }
    int m = firsts.size();
    Integer[] order = new Integer[m];
    for (int u = 0; u < m; u++) order[u] = u;
    if (!c.attrs().getBool("sorted")) Arrays.sort(order, (a, b) -> Integer.compare(firsts.get(a), firsts.get(b)));
    int[] rank = new int[m];
    for (int p = 0; p < m; p++) rank[order[p]] = p;
    long[] outShape = x.shape();
    outShape[axis] = m;
    long[][] coord = SliceOps.identity(outShape);
    Tensor idx = Tensor.zeros(DType.I64, m);
    Tensor cnt = Tensor.zeros(DType.I64, m);
    for (int p = 0; p < m; p++) {
      coord[axis][p] = firsts.get(order[p]);
      idx.setLong(p, firsts.get(order[p]));
      cnt.setLong(p, counts.get(order[p]));
    }
    Tensor inv = Tensor.zeros(DType.I64, d);
    for (int k = 0; k < d; k++) inv.setLong(k, rank[group[k]]);
    return new Object[] {ShapeMath.gatherAxes(c, x, outShape, coord, null), idx, inv, cnt};
  }
}
