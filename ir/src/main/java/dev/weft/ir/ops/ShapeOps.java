package dev.weft.ir.ops;

import static dev.weft.ir.InferContext.one;

import dev.weft.bundle.Tensor;
import dev.weft.ir.Attribute;
import dev.weft.ir.Dim;
import dev.weft.ir.InferContext;
import dev.weft.ir.OpDef;
import dev.weft.ir.OpLibrary;
import dev.weft.ir.Shape;
import dev.weft.ir.TensorType;
import dev.weft.ir.Type;
import dev.weft.ir.interp.KernelContext;
import java.util.ArrayList;
import java.util.List;

/**
 * Shape-changing core ops whose result is the operand's elements rearranged: reshape (and its
 * named forms squeeze/unsqueeze/flatten, kept only where a dim is symbolic), transpose,
 * broadcast, concat, split and tile. Shape-like arguments are static attributes when known,
 * else i64 operands; shape inference keeps symbolic dims whenever the result dim is provably
 * one of them.
 */
public final class ShapeOps implements OpLibrary {
  @Override
  public List<OpDef> ops() {
    return List.of(
        OpDef.core("reshape").inputs(1, 2)
            .optional("shape", Attribute.Kind.INTS)
            .attr("allowzero", Attribute.of(0L))
            .infer(ShapeOps::inferReshape)
            .kernel(c -> {
              Tensor x = c.tensor(0);
              long[] target = ShapeMath.ints(c, "shape", 1);
              return new Object[] {x.reshape(ShapeMath.reshape(x.shape(), target, c.attrs().getBool("allowzero")))};
            })
            .doc("ONNX Reshape: 0 copies the input dim unless allowzero, one -1 is inferred. "
                + "Target as attribute 'shape' or i64 operand 1.")
            .build(),
        OpDef.core("squeeze").inputs(1, 2).optional("axes", Attribute.Kind.INTS)
            .infer(ReshapeForms::inferSqueeze).kernel(ReshapeForms::squeeze).build(),
        OpDef.core("unsqueeze").inputs(1, 2).optional("axes", Attribute.Kind.INTS)
            .infer(ReshapeForms::inferUnsqueeze).kernel(ReshapeForms::unsqueeze).build(),
        OpDef.core("flatten").inputs(1).attr("axis", Attribute.of(1L))
            .infer(ReshapeForms::inferFlatten).kernel(ReshapeForms::flatten).build(),
        OpDef.core("transpose").inputs(1).optional("perm", Attribute.Kind.INTS)
            .infer(ShapeOps::inferTranspose).kernel(ShapeOps::transpose).build(),
        OpDef.core("broadcast").inputs(1, 2).optional("shape", Attribute.Kind.INTS)
            .infer(ShapeOps::inferBroadcast).kernel(ShapeOps::broadcast)
            .doc("ONNX Expand: the operand broadcast (both ways) with the target shape.").build(),
        OpDef.core("concat").inputs(1, OpDef.VARIADIC).required("axis", Attribute.Kind.INT)
            .infer(ShapeOps::inferConcat).kernel(ShapeOps::concat).build(),
        OpDef.core("split").inputs(1, 2).outputs(1, OpDef.VARIADIC)
            .attr("axis", Attribute.of(0L))
            .required("num_outputs", Attribute.Kind.INT)
            .optional("sizes", Attribute.Kind.INTS)
            .infer(ShapeOps::inferSplit).kernel(ShapeOps::split)
            .doc("Without sizes, chunks of ceil(dim/num_outputs), the last one smaller (ONNX Split-18).")
            .build(),
        OpDef.core("tile").inputs(1, 2).optional("repeats", Attribute.Kind.INTS)
            .infer(ShapeOps::inferTile).kernel(ShapeOps::tile).build());
  }

  // ---- reshape ----

  static List<Type> inferReshape(InferContext c) {
    TensorType x = c.tensor(0);
    boolean allowzero = c.attrs().getBool("allowzero");
    if (!ShapeMath.given(c, "shape", 1)) throw c.fail("reshape needs a target shape (attribute 'shape' or operand 1)");
    long[] target = ShapeMath.staticInts(c, "shape", 1);
    if (target == null) {
      long n = ShapeMath.length(c, 1);
      return one(x.withShape(n < 0 ? Shape.unranked() : new Shape(ShapeMath.freshDims(c, n))));
    }
    Shape in = x.shape();
    List<Dim> out = new ArrayList<>();
    int inferAt = -1;
    for (int i = 0; i < target.length; i++) {
      long t = target[i];
      if (t == 0 && !allowzero) {
        if (!in.isRanked()) out.add(c.fresh());
        else if (i >= in.rank()) throw c.fail("shape entry " + i + " is 0 (copy) but the operand has rank " + in.rank());
        else out.add(in.dim(i));
      } else if (t == -1) {
        if (inferAt >= 0) throw c.fail("more than one -1 in shape " + java.util.Arrays.toString(target));
        inferAt = i;
        out.add(null);
      } else if (t < 0) {
        throw c.fail("invalid dim " + t + " in shape " + java.util.Arrays.toString(target));
      } else {
        out.add(Dim.of(t));
      }
    }
    if (inferAt >= 0) {
      List<Dim> known = new ArrayList<>(out);
      known.remove(inferAt);
      out.set(inferAt, in.isRanked() ? ShapeMath.quotient(in.dims(), known, c) : c.fresh());
    } else if (in.isStatic() && new Shape(out).isStatic()
        && in.elementCount() != new Shape(out).elementCount()) {
      throw c.fail("cannot reshape " + in + " to " + new Shape(out));
    }
    return one(x.withShape(new Shape(out)));
  }

  // ---- transpose ----

  static int[] perm(long[] perm, int rank) {
    int[] p = new int[rank];
    if (perm == null) {
      for (int i = 0; i < rank; i++) p[i] = rank - 1 - i;
      return p;
    }
    if (perm.length != rank) throw new IllegalArgumentException("perm has " + perm.length + " entries for rank " + rank);
    boolean[] seen = new boolean[rank];
    for (int i = 0; i < rank; i++) {
      if (perm[i] < 0 || perm[i] >= rank || seen[(int) perm[i]]) {
        throw new IllegalArgumentException("perm " + java.util.Arrays.toString(perm) + " is not a permutation");
      }
      p[i] = (int) perm[i];
      seen[p[i]] = true;
    }
    return p;
  }

  static List<Type> inferTranspose(InferContext c) {
    TensorType x = c.tensor(0);
    if (!x.shape().isRanked()) return one(x);
    int[] p;
    try {
      p = perm(c.attrs().getIntsOr("perm", null), x.rank());
    } catch (IllegalArgumentException e) {
      throw c.fail(e.getMessage());
    }
    List<Dim> out = new ArrayList<>();
    for (int i : p) out.add(x.shape().dim(i));
    return one(x.withShape(new Shape(out)));
  }

  static Object[] transpose(KernelContext c) {
    Tensor x = c.tensor(0);
    return new Object[] {permute(x, perm(c.attrs().getIntsOr("perm", null), x.rank()))};
  }

  /** {@code x} with its dims permuted: result dim i is operand dim p[i]. */
  static Tensor permute(Tensor x, int[] p) {
    long[] inSt = ShapeMath.strides(x.shape());
    long[] shape = new long[p.length];
    long[] st = new long[p.length];
    for (int i = 0; i < p.length; i++) {
      shape[i] = x.dim(p[i]);
      st[i] = inSt[p[i]];
    }
    Tensor y = Tensor.zeros(x.dtype(), shape);
    ShapeMath.walk(shape, st, 0, (o, s) -> ShapeMath.copy1(x, s, y, o));
    return y;
  }

  // ---- broadcast ----

  static List<Type> inferBroadcast(InferContext c) {
    TensorType x = c.tensor(0);
    if (!ShapeMath.given(c, "shape", 1)) throw c.fail("broadcast needs a target shape");
    long[] target = ShapeMath.staticInts(c, "shape", 1);
    if (target != null) {
      for (long d : target) if (d < 0) throw c.fail("negative dim in target shape " + java.util.Arrays.toString(target));
      try {
        return one(x.withShape(Broadcast.shapes(x.shape(), Shape.of(target))));
      } catch (RuntimeException e) {
        throw c.fail(e.getMessage());
      }
    }
    long n = ShapeMath.length(c, 1);
    if (n < 0 || !x.shape().isRanked()) return one(x.withShape(Shape.unranked()));
    int rank = (int) Math.max(n, x.rank());
    List<Dim> out = new ArrayList<>();
    for (int i = 0; i < rank; i++) {
      int k = i - (rank - x.rank());
      Dim d = k >= 0 ? x.shape().dim(k) : null;
      // A static dim above 1 survives any target (the target dim must be 1 or equal).
      out.add(d != null && d.isStatic() && d.size() > 1 ? d : c.fresh());
    }
    return one(x.withShape(new Shape(out)));
  }

  static Object[] broadcast(KernelContext c) {
    Tensor x = c.tensor(0);
    long[] target = ShapeMath.ints(c, "shape", 1);
    long[] shape = Broadcast.sizes(x.shape(), target);
    if (java.util.Arrays.equals(shape, x.shape())) return new Object[] {x};
    Tensor y = ShapeMath.alloc(c, x.dtype(), shape);
    long[] map = Broadcast.indexMap(x.shape(), shape);
    for (int i = 0; i < map.length; i++) ShapeMath.copy1(x, map[i], y, i);
    return new Object[] {y};
  }

  // ---- concat ----

  static List<Type> inferConcat(InferContext c) {
    TensorType first = c.tensor(0);
    Elementwise.sameDType(c, 0, c.inputCount() - 1);
    int rank = -1;
    for (int i = 0; i < c.inputCount(); i++) {
      Shape s = c.shape(i);
      if (!s.isRanked()) continue;
      if (rank >= 0 && s.rank() != rank) throw c.fail("operand " + i + " has rank " + s.rank() + ", expected " + rank);
      rank = s.rank();
    }
    if (rank < 0) return one(first.withShape(Shape.unranked()));
    if (rank == 0) throw c.fail("cannot concatenate scalars");
    int axis;
    try {
      axis = ShapeMath.axis(c.attrs().getInt("axis"), rank);
    } catch (IllegalArgumentException e) {
      throw c.fail(e.getMessage());
    }
    List<Dim> out = new ArrayList<>();
    for (int d = 0; d < rank; d++) {
      Dim acc = null;
      long sum = 0;
      boolean symbolic = false;
      for (int i = 0; i < c.inputCount(); i++) {
        Shape s = c.shape(i);
        if (!s.isRanked()) {
          symbolic = true;
          continue;
        }
        Dim di = s.dim(d);
        if (d == axis) {
          if (di.isStatic()) sum += di.size();
          else symbolic = true;
          acc = acc == null ? di : acc;
        } else {
          acc = acc == null ? di : ShapeMath.unify(acc, di, c, "dim " + d + " of operand " + i);
        }
      }
      if (d == axis) {
        // One operand with a symbolic dim and the rest empty keeps the symbol.
        if (!symbolic) acc = Dim.of(sum);
        else if (c.inputCount() == 1) acc = c.shape(0).isRanked() ? c.shape(0).dim(d) : c.fresh();
        else acc = c.fresh();
      }
      out.add(acc == null ? c.fresh() : acc);
    }
    return one(first.withShape(new Shape(out)));
  }

  static Object[] concat(KernelContext c) {
    Tensor x0 = c.tensor(0);
    int rank = x0.rank();
    int axis = ShapeMath.axis(c.attrs().getInt("axis"), rank);
    long[] shape = x0.shape();
    long total = 0;
    for (int i = 0; i < c.inputCount(); i++) {
      Tensor t = c.tensor(i);
      if (t.rank() != rank) throw c.fail("operand " + i + " has rank " + t.rank() + ", expected " + rank);
      for (int d = 0; d < rank; d++) {
        if (d != axis && t.dim(d) != shape[d]) {
          throw c.fail("operand " + i + " has shape " + java.util.Arrays.toString(t.shape()) + ", expected dim " + d + " = " + shape[d]);
        }
      }
      total += t.dim(axis);
    }
    shape[axis] = total;
    Tensor y = Tensor.zeros(x0.dtype(), shape);
    long outer = ShapeMath.product(shape, 0, axis);
    long inner = ShapeMath.product(shape, axis + 1, rank);
    long at = 0;
    for (long o = 0; o < outer; o++) {
      for (int i = 0; i < c.inputCount(); i++) {
        Tensor t = c.tensor(i);
        long block = t.dim(axis) * inner;
        ShapeMath.copy(t, o * block, y, at, block);
        at += block;
      }
    }
    return new Object[] {y};
  }

  // ---- split ----

  /** Chunk sizes when none are given: ceil(dim/n) each, the last one what is left. */
  static long[] evenSizes(long dim, int n) {
    long chunk = (dim + n - 1) / n;
    long[] s = new long[n];
    long left = dim;
    for (int i = 0; i < n; i++) {
      s[i] = Math.min(chunk, left);
      left -= s[i];
    }
    return s;
  }

  static List<Type> inferSplit(InferContext c) {
    TensorType x = c.tensor(0);
    long n = c.attrs().getInt("num_outputs");
    if (n < 1) throw c.fail("num_outputs must be at least 1, got " + n);
    List<Type> out = new ArrayList<>();
    if (!x.shape().isRanked()) {
      for (int i = 0; i < n; i++) out.add(x);
      return out;
    }
    int axis;
    try {
      axis = ShapeMath.axis(c.attrs().getInt("axis"), x.rank());
    } catch (IllegalArgumentException e) {
      throw c.fail(e.getMessage());
    }
    Dim d = x.shape().dim(axis);
    long[] sizes = ShapeMath.staticInts(c, "sizes", 1);
    boolean dynamic = sizes == null && ShapeMath.given(c, "sizes", 1);
    if (sizes != null) {
      if (sizes.length != n) throw c.fail("sizes has " + sizes.length + " entries for " + n + " outputs");
      long sum = 0;
      for (long s : sizes) {
        if (s < 0) throw c.fail("negative split size " + s);
        sum += s;
      }
      if (d.isStatic() && sum != d.size()) throw c.fail("split sizes sum to " + sum + ", axis " + axis + " has " + d);
    } else if (!dynamic && d.isStatic()) {
      sizes = evenSizes(d.size(), (int) n);
    }
    for (int i = 0; i < n; i++) {
      List<Dim> dims = new ArrayList<>(x.shape().dims());
      dims.set(axis, sizes != null ? Dim.of(sizes[i]) : n == 1 ? d : c.fresh());
      out.add(x.withShape(new Shape(dims)));
    }
    return out;
  }

  static Object[] split(KernelContext c) {
    Tensor x = c.tensor(0);
    int n = c.attrs().getInt32("num_outputs");
    int axis = ShapeMath.axis(c.attrs().getInt("axis"), x.rank());
    long[] sizes = ShapeMath.ints(c, "sizes", 1);
    if (sizes == null) sizes = evenSizes(x.dim(axis), n);
    long sum = 0;
    for (long s : sizes) sum += s;
    if (sizes.length != n || sum != x.dim(axis)) {
      throw c.fail("split sizes " + java.util.Arrays.toString(sizes) + " do not cover axis " + axis + " of size " + x.dim(axis));
    }
    long outer = ShapeMath.product(x.shape(), 0, axis);
    long inner = ShapeMath.product(x.shape(), axis + 1, x.rank());
    Object[] out = new Object[n];
    long offset = 0;
    for (int i = 0; i < n; i++) {
      long[] shape = x.shape();
      shape[axis] = sizes[i];
      Tensor y = Tensor.zeros(x.dtype(), shape);
      long block = sizes[i] * inner;
      for (long o = 0; o < outer; o++) ShapeMath.copy(x, o * x.dim(axis) * inner + offset, y, o * block, block);
      offset += block;
      out[i] = y;
    }
    return out;
  }

  // ---- tile ----

  static List<Type> inferTile(InferContext c) {
    TensorType x = c.tensor(0);
    if (!ShapeMath.given(c, "repeats", 1)) throw c.fail("tile needs repeats");
    if (!x.shape().isRanked()) return one(x);
    long[] reps = ShapeMath.staticInts(c, "repeats", 1);
    List<Dim> out = new ArrayList<>();
    if (reps != null && reps.length != x.rank()) throw c.fail("repeats has " + reps.length + " entries for rank " + x.rank());
    for (int i = 0; i < x.rank(); i++) {
      Dim d = x.shape().dim(i);
      if (reps == null) out.add(c.fresh());
      else if (reps[i] < 0) throw c.fail("negative repeat " + reps[i]);
      else if (reps[i] == 1) out.add(d);
      else out.add(d.isStatic() ? Dim.of(Math.multiplyExact(d.size(), reps[i])) : reps[i] == 0 ? Dim.of(0) : c.fresh());
    }
    return one(x.withShape(new Shape(out)));
  }

  static Object[] tile(KernelContext c) {
    Tensor x = c.tensor(0);
    long[] reps = ShapeMath.ints(c, "repeats", 1);
    if (reps.length != x.rank()) throw c.fail("repeats has " + reps.length + " entries for rank " + x.rank());
    long[] shape = new long[x.rank()];
    long[][] coord = new long[x.rank()][];
    for (int a = 0; a < shape.length; a++) {
      if (reps[a] < 0) throw c.fail("negative repeat " + reps[a]);
      shape[a] = Math.multiplyExact(x.dim(a), reps[a]);
      coord[a] = new long[Math.toIntExact(shape[a])];
      for (int o = 0; o < coord[a].length; o++) coord[a][o] = o % x.dim(a);
    }
    return new Object[] {ShapeMath.gatherAxes(c, x, shape, coord, null)};
  }
}
