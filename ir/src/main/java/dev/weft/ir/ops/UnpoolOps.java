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
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * {@code max_unpool} (composite): x [N, C, D...] and the flat indices max_pool returned (into
 * the whole result, N and C included) scatter into zeros of the default shape, (in - 1) * stride
 * - pad_begin - pad_end + kernel per spatial dim. With operand 2 (i64, ONNX's output_shape, no
 * smaller than the default) the result is zero-padded at the end of each dim to that shape, as
 * ONNX's reference does. Decomposition: fill, reshape to 1-D, scatter_elements, reshape, pad.
 */
public final class UnpoolOps implements OpLibrary {
  @Override
  public List<OpDef> ops() {
    return List.of(OpDef.composite("max_unpool").inputs(2, 3).required("kernel_shape", Attribute.Kind.INTS)
        .optional("strides", Attribute.Kind.INTS).optional("pads", Attribute.Kind.INTS)
        .infer(UnpoolOps::infer).kernel(UnpoolOps::kernel).decompose(UnpoolOps::expand)
        .doc("Scatter x into zeros at indices (flat over the output); output shape as operand 2 or from the pool geometry.").build());
  }

  /** Per spatial dim i: out = in * strides[i] + delta[i]. */
  record Geometry(long[] strides, long[] delta) {
    static Geometry of(Attrs a, int spatial) {
      long[] k = a.getInts("kernel_shape");
      long[] s = a.getIntsOr("strides", ones(spatial)), p = a.getIntsOr("pads", new long[2 * spatial]);
      if (k.length != spatial || s.length != spatial || p.length != 2 * spatial) {
        throw new IllegalArgumentException("kernel_shape, strides and pads do not fit " + spatial + " spatial dims");
      }
      long[] delta = new long[spatial];
      for (int i = 0; i < spatial; i++) delta[i] = k[i] - s[i] - p[i] - p[i + spatial];
      return new Geometry(s, delta);
    }
  }

  private static long[] ones(int n) {
    long[] v = new long[n];
    Arrays.fill(v, 1);
    return v;
  }

  static List<Type> infer(InferContext c) {
    TensorType x = c.tensor(0);
    if (!c.dtype(1).isInteger()) throw c.fail("indices must be an integer tensor, got " + c.dtype(1));
    if (c.hasInput(2) && c.dtype(2) != DType.I64) throw c.fail("output_shape must be i64, got " + c.dtype(2));
    Shape s = x.shape();
    if (!s.isRanked()) return List.of(x);
    if (s.rank() < 3) throw c.fail("x must be [N, C, D...], got " + s);
    Geometry g;
    try {
      g = Geometry.of(c.attrs(), s.rank() - 2);
    } catch (IllegalArgumentException e) {
      throw c.fail(e.getMessage());
    }
    List<Dim> out = new ArrayList<>();
    if (c.hasInput(2)) {
      Tensor shape = c.constant(2);
      if (shape != null) {
        if (shape.size() != s.rank()) throw c.fail("output_shape must have " + s.rank() + " values, got " + shape.size());
        return List.of(x.withShape(Shape.of(shape.toLongArray())));
      }
      for (int i = 0; i < s.rank(); i++) out.add(c.fresh());
      return List.of(x.withShape(new Shape(out)));
    }
    out.add(s.dims().get(0));
    out.add(s.dims().get(1));
    for (int i = 2; i < s.rank(); i++) {
      Dim d = s.dims().get(i);
      out.add(d.isStatic() ? Dim.of(d.size() * g.strides[i - 2] + g.delta[i - 2]) : c.fresh());
    }
    return List.of(x.withShape(new Shape(out)));
  }

  static long[] inferredShape(Attrs a, long[] in) {
    Geometry g = Geometry.of(a, in.length - 2);
    long[] out = in.clone();
    for (int i = 2; i < in.length; i++) out[i] = in[i] * g.strides[i - 2] + g.delta[i - 2];
    return out;
  }

  static Object[] kernel(KernelContext c) {
    Tensor x = c.tensor(0), idx = c.tensor(1);
    if (idx.size() != x.size()) throw c.fail("indices has " + idx.size() + " elements, x has " + x.size());
    long[] inferred = inferredShape(c.attrs(), x.shape());
    Tensor y = Tensor.zeros(x.dtype(), inferred);
    long total = y.size();
    for (long i = 0; i < x.size(); i++) {
      long at = idx.getLong(i);
      if (at < 0 || at >= total) throw c.fail("index " + at + " is out of range for an output of " + total + " elements");
      ShapeMath.copy1(x, i, y, at);
    }
    if (!c.has(2)) return KernelContext.one(y);
    long[] shape = c.tensor(2).toLongArray();
    if (shape.length != inferred.length) throw c.fail("output_shape must have " + inferred.length + " values, got " + shape.length);
    for (int i = 0; i < shape.length; i++) {
      if (shape[i] < inferred[i]) throw c.fail("output_shape " + Arrays.toString(shape) + " is smaller than " + Arrays.toString(inferred));
    }
    // As ONNX's reference: unpool into the default shape, then zero-pad at the end of each dim.
    Tensor out = Tensor.zeros(x.dtype(), shape);
    long[] at = new long[shape.length];
    for (long i = 0; i < total; i++) {
      long rem = i, flat = 0;
      for (int d = shape.length - 1; d >= 0; d--) {
        at[d] = rem % inferred[d];
        rem /= inferred[d];
      }
      for (int d = 0; d < shape.length; d++) flat = flat * shape[d] + at[d];
      ShapeMath.copy1(y, i, out, flat);
    }
    return KernelContext.one(out);
  }

  static List<Value> expand(Node n, GraphBuilder b) {
    Value x = n.input(0), idx = n.input(1);
    TensorType in = x.tensorType();
    int r = in.rank();
    Value shape;
    if (in.shape().isStatic()) {
      shape = b.constant(Tensor.ofLongs(new long[] {r}, inferredShape(n.attrs(), in.shape().sizes())));
    } else {
      Geometry g = Geometry.of(n.attrs(), r - 2);
      long[] mul = ones(r), add = new long[r];
      System.arraycopy(g.strides, 0, mul, 2, r - 2);
      System.arraycopy(g.delta, 0, add, 2, r - 2);
      shape = b.op1("add", b.op1("mul", b.op1("shape_of", x), b.constant(Tensor.ofLongs(new long[] {r}, mul))),
          b.constant(Tensor.ofLongs(new long[] {r}, add)));
    }
    DType dt = in.dtype();
    Value zeros = b.op1("fill", Map.of("value", Attribute.of(Tensor.zeros(dt, new long[] {1}))), shape);
    Value i64 = idx.tensorType().dtype() == DType.I64 ? idx : NnSupport.cast(b, idx, DType.I64);
    Value scattered = b.op1("scatter_elements", Map.of("axis", Attribute.of(0L)), NnSupport.reshape(b, zeros, -1),
        NnSupport.reshape(b, i64, -1), NnSupport.reshape(b, x, -1));
    Value y = b.op1("reshape", scattered, shape);
    if (n.input(2) == null) return List.of(y);
    Value pads = b.op1("concat", Map.of("axis", Attribute.of(0L)), b.constant(Tensor.ofLongs(new long[] {r}, new long[r])),
        b.op1("sub", n.input(2), shape));
    Value padded = b.op1("pad", y, pads);
    // The padded shape is known only through operand 2's value; restate it for the node's result type.
    return List.of(n.output(0).tensorType().shape().isStatic() ? NnSupport.reshape(b, padded, n.output(0).tensorType().shape().sizes()) : padded);
  }
}
