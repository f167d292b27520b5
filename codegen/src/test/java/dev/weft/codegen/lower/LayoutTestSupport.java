package dev.weft.codegen.lower;

import dev.weft.bundle.DType;
import dev.weft.bundle.Tensor;
import dev.weft.ir.Attribute;
import java.util.LinkedHashMap;
import java.util.Map;

/** Small builders for the layout lowering tests: attribute maps and constant operands. */
final class LayoutTestSupport {
  private LayoutTestSupport() {}

  /** Attributes from name/value pairs: Long or Integer, long[], Double, String, DType, Tensor. */
  static Map<String, Attribute> attrs(Object... kv) {
    Map<String, Attribute> m = new LinkedHashMap<>();
    for (int i = 0; i < kv.length; i += 2) {
      String name = (String) kv[i];
      Object v = kv[i + 1];
      Attribute a = switch (v) {
        case Long l -> Attribute.of((long) l);
        case Integer n -> Attribute.of((long) n);
        case long[] arr -> Attribute.of(arr);
        case Double d -> Attribute.of((double) d);
        case String s -> Attribute.of(s);
        case DType t -> Attribute.of(t);
        case Tensor t -> Attribute.of(t);
        default -> throw new IllegalArgumentException("attribute " + name + ": " + v);
      };
      m.put(name, a);
    }
    return m;
  }

  /** A constant 1-D i64 operand. */
  static LoweringCheck.Const longs(long... v) { return new LoweringCheck.Const(Tensor.ofLongs(new long[] {v.length}, v)); }

  /** A constant 1-D f32 operand. */
  static LoweringCheck.Const floats(float... v) { return new LoweringCheck.Const(Tensor.ofFloats(new long[] {v.length}, v)); }

  static LoweringCheck.Const constant(Tensor t) { return new LoweringCheck.Const(t); }

  static long[] s(long... dims) { return dims; }
}
