package dev.weft.ir.ops;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.bundle.DType;
import dev.weft.bundle.Tensor;
import dev.weft.ir.Attribute;
import dev.weft.ir.Graph;
import dev.weft.ir.GraphBuilder;
import dev.weft.ir.Node;
import dev.weft.ir.OpDef;
import dev.weft.ir.Shape;
import dev.weft.ir.TensorType;
import dev.weft.ir.Type;
import dev.weft.ir.Value;
import dev.weft.ir.interp.Interpreter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;

/** Runs one op on concrete tensors, directly or through its decomposition, and compares results. */
final class KernelHarness {
  private KernelHarness() {}

  /** Runs {@code op} on the inputs (null = absent optional operand) with its own kernel. */
  static Tensor run(String op, Map<String, Attribute> attrs, Tensor... inputs) { return run(op, attrs, false, inputs); }

  static Tensor run(String op, Tensor... inputs) { return run(op, Map.of(), false, inputs); }

  /** Runs {@code op} after expanding it into its decomposition, checking only core ops remain. */
  static Tensor runExpanded(String op, Map<String, Attribute> attrs, Tensor... inputs) { return run(op, attrs, true, inputs); }

  static Tensor run(String op, Map<String, Attribute> attrs, boolean expand, Tensor... inputs) {
    List<Type> types = new ArrayList<>();
    for (Tensor t : inputs) types.add(t == null ? null : new TensorType(t.dtype(), Shape.of(t.shape())));
    Graph g = graph(op, attrs, expand, types);
    List<Object> args = new ArrayList<>();
    for (Tensor t : inputs) if (t != null) args.add(t);
    return (Tensor) new Interpreter().run(g, args).get(0);
  }

  /** A graph of one op over inputs of the given types (null = absent operand). */
  static Graph graph(String op, Map<String, Attribute> attrs, boolean expand, List<Type> types) {
    Graph g = new Graph("test");
    List<Value> ins = new ArrayList<>();
    for (int i = 0; i < types.size(); i++) ins.add(types.get(i) == null ? null : g.addInput("x" + i, types.get(i)));
    GraphBuilder b = new GraphBuilder(g);
    Value out = b.op(op, ins, attrs).get(0);
    g.addOutput(out);
    if (expand) {
      Node n = out.producer();
      List<Value> repl = n.op().decomposition().expand(n, new GraphBuilder(g).insertBefore(n));
      out.replaceAllUsesWith(repl.get(0));
      g.remove(n);
      for (Node m : g.nodes()) {
        assertEquals(OpDef.Category.CORE, m.op().category(), op + " decomposes into non-core op " + m.opName());
      }
    }
    return g;
  }

  /** The inferred result type of {@code op} over the given operand types. */
  static TensorType infer(String op, Map<String, Attribute> attrs, TensorType... types) {
    return graph(op, attrs, false, Arrays.asList((Type[]) types)).outputs().get(0).tensorType();
  }

  static Tensor f32(long[] shape, float... v) { return Tensor.ofFloats(shape, v); }

  static Tensor f32(float... v) { return Tensor.ofFloats(new long[] {v.length}, v); }

  static Tensor i64(long... v) { return Tensor.ofLongs(new long[] {v.length}, v); }

  static Tensor of(DType t, double... v) { return Tensor.of(t, new long[] {v.length}, v); }

  static long[] shape(long... s) { return s; }

  /** Random floats in [-range, range] plus a few special values. */
  static Tensor random(DType t, long seed, double range, long... shape) {
    Random r = new Random(seed);
    Tensor x = Tensor.zeros(t, shape);
    for (long i = 0; i < x.size(); i++) x.setDouble(i, (r.nextDouble() * 2 - 1) * range);
    if (x.size() > 3) {
      x.setDouble(0, 0.0);
      x.setDouble(1, -0.0);
    }
    return x;
  }

  /** |a - e| <= atol + rtol |e| elementwise, NaN where NaN expected, same dtype and shape. */
  static void assertClose(Tensor expected, Tensor actual, double rtol, double atol) {
    assertEquals(expected.dtype(), actual.dtype(), "dtype");
    assertArrayEquals(expected.shape(), actual.shape(), "shape");
    for (long i = 0; i < expected.size(); i++) {
      double e = expected.getDouble(i);
      double a = actual.getDouble(i);
      if (Double.isNaN(e)) {
        assertTrue(Double.isNaN(a), "element " + i + ": expected NaN, got " + a);
      } else if (Double.isInfinite(e)) {
        assertEquals(e, a, "element " + i);
      } else {
        assertTrue(Math.abs(a - e) <= atol + rtol * Math.abs(e), "element " + i + ": expected " + e + ", got " + a);
      }
    }
  }

  static void assertValues(Tensor actual, double... expected) {
    assertEquals(expected.length, actual.size(), "element count");
    for (int i = 0; i < expected.length; i++) {
      double a = actual.getDouble(i);
      if (Double.isNaN(expected[i])) assertTrue(Double.isNaN(a), "element " + i + ": expected NaN, got " + a);
      else assertEquals(expected[i], a, Math.abs(expected[i]) * 1e-6 + 1e-7, "element " + i);
    }
  }

  static void assertLongs(Tensor actual, long... expected) { assertArrayEquals(expected, actual.toLongArray()); }
}
