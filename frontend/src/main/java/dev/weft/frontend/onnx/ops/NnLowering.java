package dev.weft.frontend.onnx.ops;

import dev.weft.bundle.DType;
import dev.weft.bundle.Tensor;
import dev.weft.frontend.onnx.ImportContext;
import dev.weft.frontend.onnx.OnnxNode;
import dev.weft.ir.Attribute;
import dev.weft.ir.GraphBuilder;
import dev.weft.ir.Shape;
import dev.weft.ir.Value;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Helpers shared by the NN handler libraries: attribute pass-through and result lists. */
final class NnLowering {
  private NnLowering() {}

  /** Copies the named ONNX int/ints/float/string attributes that are present, under the same names. */
  static Map<String, Attribute> pass(OnnxNode n, String... names) {
    Map<String, Attribute> m = new HashMap<>();
    for (String name : names) {
      var a = n.attr(name);
      if (a == null) continue;
      if (a.getIntsCount() > 0 || a.getType() == dev.weft.frontend.onnx.proto.OnnxProto.AttributeProto.AttributeType.INTS) {
        m.put(name, Attribute.of(n.attrInts(name, new long[0])));
      } else if (a.getFloatsCount() > 0 || a.getType() == dev.weft.frontend.onnx.proto.OnnxProto.AttributeProto.AttributeType.FLOATS) {
        m.put(name, new Attribute.Floats(n.attrFloats(name, new double[0])));
      } else if (a.getStringsCount() > 0 || a.getType() == dev.weft.frontend.onnx.proto.OnnxProto.AttributeProto.AttributeType.STRINGS) {
        m.put(name, new Attribute.Strs(n.attrStrings(name, List.of())));
      } else if (a.hasS() || a.getType() == dev.weft.frontend.onnx.proto.OnnxProto.AttributeProto.AttributeType.STRING) {
        m.put(name, Attribute.of(n.attrString(name, "")));
      } else if (a.hasF() || a.getType() == dev.weft.frontend.onnx.proto.OnnxProto.AttributeProto.AttributeType.FLOAT) {
        m.put(name, Attribute.of((double) n.attrFloat(name, 0)));
      } else {
        m.put(name, Attribute.of(n.attrInt(name, 0)));
      }
    }
    return m;
  }

  /** The IR results trimmed or padded (with nulls) to the ONNX node's output count. */
  static List<Value> outs(OnnxNode n, Value... vs) {
    List<Value> out = new ArrayList<>();
    for (int i = 0; i < n.outputCount(); i++) out.add(i < vs.length ? vs[i] : null);
    return out;
  }

  static List<Value> outs(OnnxNode n, List<Value> vs) { return outs(n, vs.toArray(new Value[0])); }

  static Value scalar(GraphBuilder b, DType t, double v) { return b.constant(Tensor.scalar(t, v)); }

  static DType dtype(Value v) { return v.tensorType().dtype(); }

  static int rank(OnnxNode n, ImportContext ctx, Value v) {
    Shape s = v.tensorType().shape();
    if (!s.isRanked()) throw ctx.fail(n, "operand %" + v.name() + " needs a known rank");
    return s.rank();
  }

  static long[] range(int from, int to) {
    long[] a = new long[Math.max(0, to - from)];
    for (int i = 0; i < a.length; i++) a[i] = from + i;
    return a;
  }

  static Value reduce(GraphBuilder b, String op, Value x, long[] axes, boolean keep) {
    return b.op1(op, Map.of("axes", Attribute.of(axes), "keepdims", Attribute.of(keep ? 1L : 0L)), x);
  }

  static Value transpose(GraphBuilder b, Value x, long... perm) {
    return b.op1("transpose", Map.of("perm", Attribute.of(perm)), x);
  }

  static Value reshape(ImportContext ctx, Value x, long... shape) {
    return ctx.builder().op1("reshape", x, ctx.constI64(shape));
  }

  /** Reshape y to like's shape (a constant when static, else through the shape op). */
  static Value reshapeLike(ImportContext ctx, Value y, Value like) {
    Shape s = like.tensorType().shape();
    if (s.isStatic()) return reshape(ctx, y, s.sizes());
    return ctx.builder().op1("reshape", y, ctx.builder().op1("shape_of", like));
  }

  static Value cast(GraphBuilder b, Value x, DType to) { return b.op1("cast", Map.of("to", Attribute.of(to)), x); }

  static long[] longs(Tensor t) { return t == null ? null : t.toLongArray(); }

  static String str(long[] v) { return Arrays.toString(v); }
}
