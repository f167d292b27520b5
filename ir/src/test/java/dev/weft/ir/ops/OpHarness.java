package dev.weft.ir.ops;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.weft.bundle.Tensor;
import dev.weft.ir.Attribute;
import dev.weft.ir.Graph;
import dev.weft.ir.GraphBuilder;
import dev.weft.ir.Shape;
import dev.weft.ir.TensorType;
import dev.weft.ir.Type;
import dev.weft.ir.Value;
import dev.weft.ir.interp.Interpreter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/** Builds one-node graphs and runs them in the interpreter, for op tests. */
final class OpHarness {
  private OpHarness() {}

  /** Runs {@code op} on the given tensors (null = absent operand); returns every result. */
  static List<Object> run(String op, Map<String, Attribute> attrs, Tensor... inputs) {
    Graph g = new Graph("test");
    List<Value> ins = new ArrayList<>();
    List<Object> args = new ArrayList<>();
    for (int i = 0; i < inputs.length; i++) {
      if (inputs[i] == null) {
        ins.add(null);
        continue;
      }
      ins.add(g.addInput("x" + i, new TensorType(inputs[i].dtype(), Shape.of(inputs[i].shape()))));
      args.add(inputs[i]);
    }
    List<Value> outs = new GraphBuilder(g).op(op, ins, attrs);
    for (Value v : outs) g.addOutput(v);
    return new Interpreter().run(g, args);
  }

  static Tensor run1(String op, Map<String, Attribute> attrs, Tensor... inputs) {
    return (Tensor) run(op, attrs, inputs).get(0);
  }

  /** The inferred result types of {@code op} on operands of the given types. */
  static List<Type> infer(String op, Map<String, Attribute> attrs, Type... types) {
    Graph g = new Graph("infer");
    List<Value> ins = new ArrayList<>();
    for (int i = 0; i < types.length; i++) ins.add(g.addInput("x" + i, types[i]));
    return new GraphBuilder(g).op(op, ins, attrs).stream().map(Value::type).toList();
  }

  static Tensor f32(long[] shape, float... v) { return Tensor.ofFloats(shape, v); }

  static Tensor i64(long... v) { return Tensor.ofLongs(new long[] {v.length}, v); }

  static long[] s(long... dims) { return dims; }

  static Attribute ints(long... v) { return Attribute.of(v); }

  static void assertFloats(Tensor t, long[] shape, float... expected) {
    assertArrayEquals(shape, t.shape(), "shape");
    assertArrayEquals(expected, t.toFloatArray(), "values " + Arrays.toString(t.toFloatArray()));
  }

  static void assertLongs(Tensor t, long[] shape, long... expected) {
    assertArrayEquals(shape, t.shape(), "shape");
    assertArrayEquals(expected, t.toLongArray(), "values " + Arrays.toString(t.toLongArray()));
  }

  static void assertShape(String expected, Type t) { assertEquals(expected, ((TensorType) t).shape().toString()); }
}
