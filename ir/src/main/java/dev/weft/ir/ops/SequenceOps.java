package dev.weft.ir.ops;

import dev.weft.bundle.DType;
import dev.weft.bundle.Tensor;
import dev.weft.ir.Attribute;
import dev.weft.ir.Dim;
import dev.weft.ir.Graph;
import dev.weft.ir.InferContext;
import dev.weft.ir.OpDef;
import dev.weft.ir.OpLibrary;
import dev.weft.ir.SequenceType;
import dev.weft.ir.Shape;
import dev.weft.ir.TensorType;
import dev.weft.ir.Type;
import dev.weft.ir.interp.KernelContext;
import dev.weft.ir.interp.SequenceValue;
import java.util.ArrayList;
import java.util.List;

/**
 * Sequences of tensors (ONNX sequence ops). A sequence's static type is {@code seq<T>} where
 * {@code T} is the common type of its elements (differing dims become symbols). Positions may
 * be negative (counted from the end), as in ONNX.
 */
public final class SequenceOps implements OpLibrary {
  @Override
  public List<OpDef> ops() {
    return List.of(
        OpDef.core("sequence_construct").inputs(1, OpDef.VARIADIC)
            .infer(c -> {
              Type t = c.tensor(0);
              for (int i = 1; i < c.inputCount(); i++) t = TypeMerge.merge(c, t, c.tensor(i), "sequence element " + i);
              return List.of(new SequenceType(t));
            })
            .kernel(c -> {
              List<Tensor> items = new ArrayList<>();
              for (int i = 0; i < c.inputCount(); i++) items.add(c.tensor(i));
              return KernelContext.one(new SequenceValue(items));
            })
            .build(),
        OpDef.core("sequence_empty").inputs(0)
            .attr("dtype", Attribute.of(DType.F32))
            .infer(c -> List.of(new SequenceType(new TensorType(c.attrs().getDType("dtype"), Shape.unranked()))))
            .kernel(c -> KernelContext.one(new SequenceValue(List.of())))
            .build(),
        OpDef.core("sequence_at").inputs(2)
            .infer(c -> {
              checkPosition(c, 1);
              return List.of(seq(c, 0).element());
            })
            .kernel(c -> {
              List<Tensor> items = items(c, 0);
              return KernelContext.one(items.get(position(c, 1, items.size(), false)));
            })
            .build(),
        OpDef.core("sequence_insert").inputs(2, 3)
            .infer(c -> {
              if (c.hasInput(2)) checkPosition(c, 2);
              return List.of(new SequenceType(TypeMerge.merge(c, seq(c, 0).element(), c.tensor(1), "inserted tensor")));
            })
            .kernel(c -> {
              List<Tensor> items = new ArrayList<>(items(c, 0));
              int at = c.has(2) ? position(c, 2, items.size(), true) : items.size();
              items.add(at, c.tensor(1));
              return KernelContext.one(new SequenceValue(items));
            })
            .build(),
        OpDef.core("sequence_erase").inputs(1, 2)
            .infer(c -> {
              if (c.hasInput(1)) checkPosition(c, 1);
              return List.of(seq(c, 0));
            })
            .kernel(c -> {
              List<Tensor> items = new ArrayList<>(items(c, 0));
              if (items.isEmpty()) throw c.fail("cannot erase from an empty sequence");
              items.remove(c.has(1) ? position(c, 1, items.size(), false) : items.size() - 1);
              return KernelContext.one(new SequenceValue(items));
            })
            .build(),
        OpDef.core("sequence_length").inputs(1)
            .infer(c -> {
              seq(c, 0);
              return List.of(new TensorType(DType.I64, Shape.scalar()));
            })
            .kernel(c -> KernelContext.one(Tensor.ofLongs(new long[0], items(c, 0).size())))
            .build(),
        OpDef.core("split_to_sequence").inputs(1, 2)
            .attr("axis", Attribute.of(0L))
            .attr("keepdims", Attribute.of(1L))
            .infer(SequenceOps::inferSplit)
            .kernel(SequenceOps::split)
            .doc("Splits along axis: into pieces of the sizes in operand 1 (a 1-D list, or a scalar chunk"
                + " size with a shorter last piece), or without operand 1 into size-1 pieces, squeezed"
                + " unless keepdims.")
            .build(),
        OpDef.core("concat_from_sequence").inputs(1)
            .required("axis", Attribute.Kind.INT)
            .attr("new_axis", Attribute.of(0L))
            .infer(SequenceOps::inferConcat)
            .kernel(SequenceOps::concat)
            .build(),
        OpDef.core("sequence_map").inputs(1, OpDef.VARIADIC).outputs(1, OpDef.VARIADIC)
            .required("body", Attribute.Kind.GRAPH)
            .infer(SequenceOps::inferMap)
            .kernel(SequenceOps::map)
            .doc("Runs body once per element of operand 0; sequence operands give their i-th element,"
                + " tensor operands are passed whole; result j collects body output j.")
            .build());
  }

  static SequenceType seq(InferContext c, int i) {
    if (c.type(i) instanceof SequenceType s) return s;
    throw c.fail("operand " + i + " must be a sequence, got " + c.type(i));
  }

  static List<Tensor> items(KernelContext c, int i) {
    if (c.input(i) instanceof SequenceValue s) return s.items();
    throw c.fail("operand " + i + " is not a sequence");
  }

  private static void checkPosition(InferContext c, int i) {
    TensorType t = c.tensor(i);
    if (t.dtype() != DType.I32 && t.dtype() != DType.I64) throw c.fail("position must be i32 or i64, got " + t.dtype());
    if (t.shape().isStatic() && t.shape().elementCount() != 1) throw c.fail("position must be a scalar, got " + t.shape());
  }

  /** A position in [-n, n-1] (or [-n, n] when inserting), as an index. */
  private static int position(KernelContext c, int i, int n, boolean inserting) {
    long p = c.tensor(i).getLong(0);
    long q = p < 0 ? p + n : p;
    if (q < 0 || q > n || (q == n && !inserting)) throw c.fail("position " + p + " out of range for a sequence of " + n);
    return (int) q;
  }

  // ---- split / concat ----

  static List<Type> inferSplit(InferContext c) {
    TensorType x = c.tensor(0);
    boolean keep = c.attrs().getBool("keepdims");
    Shape s = x.shape();
    if (!s.isRanked()) return List.of(new SequenceType(x));
    int axis;
    try {
      axis = Blocks.axis(c.attrs().getInt("axis"), s.rank());
    } catch (IllegalArgumentException e) {
      throw c.fail(e.getMessage());
    }
    if (!c.hasInput(1)) {
      Shape e = keep ? replace(s, axis, Dim.of(1)) : TypeMerge.remove(s, axis);
      return List.of(new SequenceType(x.withShape(e)));
    }
    TensorType split = c.tensor(1);
    if (split.dtype() != DType.I32 && split.dtype() != DType.I64) throw c.fail("split must be i32 or i64");
    Tensor k = c.constant(1);
    Dim d = c.fresh();
    if (k != null && k.size() > 0) {
      long first = k.getLong(0);
      boolean equal = true;
      for (long i = 1; i < k.size(); i++) equal &= k.getLong(i) == first;
      if (equal && (k.rank() > 0 || (s.dim(axis).isStatic() && s.dim(axis).size() % first == 0))) d = Dim.of(first);
    }
    return List.of(new SequenceType(x.withShape(replace(s, axis, d))));
  }

  private static Shape replace(Shape s, int axis, Dim d) {
    List<Dim> dims = new ArrayList<>(s.dims());
    dims.set(axis, d);
    return new Shape(dims);
  }

  static Object[] split(KernelContext c) {
    Tensor x = c.tensor(0);
    int axis = Blocks.axis(c.attrs().getInt("axis"), x.rank());
    long len = x.dim(axis);
    List<Tensor> out = new ArrayList<>();
    if (!c.has(1)) {
      for (long i = 0; i < len; i++) {
        Tensor piece = Blocks.range(x, axis, i, i + 1);
        out.add(c.attrs().getBool("keepdims") ? piece : Blocks.take(x, axis, i));
      }
      return KernelContext.one(new SequenceValue(out));
    }
    Tensor split = c.tensor(1);
    List<Long> sizes = new ArrayList<>();
    if (split.rank() == 0) {
      long chunk = split.getLong(0);
      if (chunk <= 0) throw c.fail("split size must be positive, got " + chunk);
      for (long at = 0; at < len; at += chunk) sizes.add(Math.min(chunk, len - at));
    } else {
      long total = 0;
      for (long i = 0; i < split.size(); i++) {
        long v = split.getLong(i);
        if (v < 0) throw c.fail("negative split size " + v);
        sizes.add(v);
        total += v;
      }
      if (total != len) throw c.fail("split sizes sum to " + total + ", axis " + axis + " has " + len);
    }
    long at = 0;
    for (long size : sizes) {
      out.add(Blocks.range(x, axis, at, at + size));
      at += size;
    }
    return KernelContext.one(new SequenceValue(out));
  }

  static List<Type> inferConcat(InferContext c) {
    Type e = seq(c, 0).element();
    if (!(e instanceof TensorType t)) throw c.fail("concat_from_sequence needs a sequence of tensors, got " + e);
    boolean newAxis = c.attrs().getBool("new_axis");
    if (!t.shape().isRanked()) return List.of(t);
    int rank = t.rank() + (newAxis ? 1 : 0);
    int axis;
    try {
      axis = Blocks.axis(c.attrs().getInt("axis"), rank);
    } catch (IllegalArgumentException ex) {
      throw c.fail(ex.getMessage());
    }
    Shape s = newAxis ? TypeMerge.insert(t.shape(), axis, c.fresh()) : replace(t.shape(), axis, c.fresh());
    return List.of(t.withShape(s));
  }

  static Object[] concat(KernelContext c) {
    List<Tensor> items = items(c, 0);
    if (items.isEmpty()) throw c.fail("concat_from_sequence of an empty sequence");
    boolean newAxis = c.attrs().getBool("new_axis");
    Tensor first = items.get(0);
    int axis = Blocks.axis(c.attrs().getInt("axis"), first.rank() + (newAxis ? 1 : 0));
    if (newAxis) return KernelContext.one(Blocks.stack(items, axis, first.dtype(), first.shape()));
    return KernelContext.one(Blocks.concat(items, axis));
  }

  // ---- map ----

  static List<Type> inferMap(InferContext c) {
    seq(c, 0);
    Graph body = c.attrs().getGraph("body");
    if (body.inputs().size() != c.inputCount()) {
      throw c.fail("sequence_map body takes " + body.inputs().size() + " inputs, node has " + c.inputCount());
    }
    List<Type> out = new ArrayList<>();
    for (var v : body.outputs()) out.add(new SequenceType(v.type()));
    return out;
  }

  static Object[] map(KernelContext c) {
    Graph body = c.attrs().getGraph("body");
    List<Tensor> first = items(c, 0);
    int n = first.size();
    List<List<Tensor>> outs = new ArrayList<>();
    for (int j = 0; j < body.outputs().size(); j++) outs.add(new ArrayList<>());
    for (int i = 0; i < n; i++) {
      List<Object> args = new ArrayList<>();
      for (int k = 0; k < c.inputCount(); k++) {
        Object o = c.input(k);
        if (o instanceof SequenceValue s) {
          if (s.items().size() != n) throw c.fail("sequence operand " + k + " has " + s.items().size() + " elements, operand 0 has " + n);
          args.add(s.items().get(i));
        } else {
          args.add(o);
        }
      }
      List<Object> r = c.runSubgraph(body, args);
      for (int j = 0; j < r.size(); j++) {
        if (!(r.get(j) instanceof Tensor t)) throw c.fail("sequence_map body output " + j + " is not a tensor");
        outs.get(j).add(t);
      }
    }
    Object[] res = new Object[outs.size()];
    for (int j = 0; j < res.length; j++) res[j] = new SequenceValue(outs.get(j));
    return res;
  }
}
