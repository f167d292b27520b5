package dev.weft.frontend.torchscript.lower;

import dev.weft.bundle.DType;
import dev.weft.bundle.Tensor;
import dev.weft.frontend.torchscript.lower.Vals.SymInt;
import dev.weft.ir.Attribute;
import dev.weft.ir.Constants;
import dev.weft.ir.Dim;
import dev.weft.ir.GraphBuilder;
import dev.weft.ir.TensorType;
import dev.weft.ir.Value;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** IR building helpers for the lowering: constants, casts, dims and shape vectors. */
final class Emit {
  final GraphBuilder b;

  Emit(GraphBuilder b) { this.b = b; }

  Value op(String name, Map<String, Attribute> attrs, Value... inputs) { return b.op1(name, attrs, inputs); }

  Value op(String name, Value... inputs) { return b.op1(name, inputs); }

  static Map<String, Attribute> attrs(Object... kv) {
    Map<String, Attribute> m = new LinkedHashMap<>();
    for (int i = 0; i < kv.length; i += 2) {
      Object v = kv[i + 1];
      Attribute a = switch (v) {
        case Attribute x -> x;
        case Long x -> Attribute.of((long) x);
        case Integer x -> Attribute.of((long) x);
        case Double x -> Attribute.of((double) x);
        case String x -> Attribute.of(x);
        case long[] x -> Attribute.of(x);
        case DType x -> Attribute.of(x);
        case Tensor x -> Attribute.of(x);
        default -> throw new IllegalArgumentException("attribute " + kv[i] + ": " + v);
      };
      m.put((String) kv[i], a);
    }
    return m;
  }

  Value constant(Tensor t) { return b.constant(t); }

  Value constant(Tensor t, String name) { return b.constant(t, name); }

  Value i64s(long... v) { return b.constant(Tensor.ofLongs(new long[] {v.length}, v)); }

  Value scalarI64(long v) { return b.constant(Tensor.ofLongs(new long[0], v)); }

  Value scalar(double v, DType dt) {
    if (dt == DType.BOOL) return b.constant(Tensor.ofBools(new long[0], v != 0));
    return b.constant(Tensor.scalar(dt, v));
  }

  Value cast(Value v, DType to) {
    if (dtype(v) == to) return v;
    Tensor c = Constants.valueOf(v);
    if (c != null && c.size() == 1 && c.dtype() != DType.STRING) return scalarLike(c, to, c.shape());
    return op("cast", attrs("to", to), v);
  }

  private Value scalarLike(Tensor c, DType to, long[] shape) {
    double d = c.getDouble(0);
    if (to.isInteger()) return b.constant(Tensor.of(to, shape, (double) c.getLong(0)));
    if (to == DType.BOOL) return b.constant(Tensor.ofBools(shape, d != 0));
    return b.constant(Tensor.of(to, shape, d));
  }

  static DType dtype(Value v) { return v.tensorType().dtype(); }

  static int rank(Value v) { return v.tensorType().rank(); }

  static int axis(long d, int rank) {
    long a = d < 0 ? d + rank : d;
    if (a < 0 || a >= Math.max(rank, 1)) throw new IllegalArgumentException("dim " + d + " out of range for rank " + rank);
    return (int) a;
  }

  /** Dim {@code d} of {@code v}: a Long when static, else a {@link SymInt} (shape_of + gather). */
  Object size(Value v, long d) {
    TensorType t = v.tensorType();
    int a = axis(d, t.rank());
    if (t.shape().dim(a) instanceof Dim.Static s) return s.size();
    Value shape = op("shape_of", v);
    return new SymInt(op("gather", attrs("axis", 0L), shape, scalarI64(a)));
  }

  /** A 1-D i64 shape from Longs and SymInts; null entries are not allowed. */
  Value shapeVector(List<Object> dims) {
    long[] all = new long[dims.size()];
    boolean allStatic = true;
    for (int i = 0; i < dims.size(); i++) {
      if (dims.get(i) instanceof Long l) all[i] = l;
      else allStatic = false;
    }
    if (allStatic) return i64s(all);
    List<Value> parts = new ArrayList<>();
    for (Object d : dims) {
      if (d instanceof Long l) parts.add(i64s(l));
      else parts.add(op("unsqueeze", attrs("axes", new long[] {0}), ((SymInt) d).value()));
    }
    return b.op1("concat", attrs("axis", 0L), parts.toArray(Value[]::new));
  }

  /** Longs when every entry is static, else null. */
  static long[] staticLongs(List<Object> dims) {
    long[] out = new long[dims.size()];
    for (int i = 0; i < out.length; i++) {
      if (!(dims.get(i) instanceof Long l)) return null;
      out[i] = l;
    }
    return out;
  }
}
