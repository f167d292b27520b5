package dev.weft.ir.ops;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.weft.bundle.Tensor;
import dev.weft.ir.Attribute;
import dev.weft.ir.Graph;
import dev.weft.ir.GraphBuilder;
import dev.weft.ir.Node;
import dev.weft.ir.OpRegistry;
import dev.weft.ir.Shape;
import dev.weft.ir.TensorType;
import dev.weft.ir.Value;
import dev.weft.ir.interp.Interpreter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;

/** Runs one op on concrete tensors, by its kernel or by its decomposition. */
final class NnTesting {
  private NnTesting() {}

  static List<Tensor> run(String op, Map<String, Attribute> attrs, Tensor... inputs) { return run(op, attrs, false, inputs); }

  static Tensor run1(String op, Map<String, Attribute> attrs, Tensor... inputs) { return run(op, attrs, inputs).get(0); }

  /** Runs op; with {@code decomposed}, replaces the node by its decomposition first. */
  static List<Tensor> run(String op, Map<String, Attribute> attrs, boolean decomposed, Tensor... inputs) {
    Graph g = new Graph("t");
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
    GraphBuilder b = new GraphBuilder(g);
    List<Value> outs = b.op(op, ins, attrs);
    if (decomposed) {
      Node n = b.lastNode();
      GraphBuilder eb = new GraphBuilder(g).insertBefore(n);
      outs = n.op().decomposition().expand(n, eb);
    }
    for (Value v : outs) g.addOutput(v);
    List<Tensor> res = new ArrayList<>();
    for (Object o : new Interpreter().run(g, args)) res.add((Tensor) o);
    return res;
  }

  static boolean available(String... ops) {
    for (String o : ops) if (OpRegistry.global().find(o) == null) return false;
    return true;
  }

  static Attribute ints(long... v) { return new Attribute.Ints(v); }

  static Tensor f(long[] shape, double... v) { return Tensor.of(dev.weft.bundle.DType.F32, shape, v); }

  static long[] s(long... d) { return d; }

  static Tensor random(long seed, long... shape) {
    Random r = new Random(seed);
    Tensor t = Tensor.zeros(dev.weft.bundle.DType.F32, shape);
    for (long i = 0; i < t.size(); i++) t.setFloat(i, (float) (r.nextGaussian()));
    return t;
  }

  static void assertTensor(Tensor actual, long[] shape, double... expected) {
    assertArrayEquals(shape, actual.shape(), "shape");
    assertEquals(expected.length, actual.size());
    for (int i = 0; i < expected.length; i++) {
      assertEquals(expected[i], actual.getDouble(i), 1e-5 + 1e-5 * Math.abs(expected[i]), "element " + i + " of " + actual);
    }
  }

  static void assertClose(Tensor expected, Tensor actual, double tol) {
    assertArrayEquals(expected.shape(), actual.shape(), "shape");
    for (long i = 0; i < expected.size(); i++) {
      double e = expected.getDouble(i), a = actual.getDouble(i);
      if (Double.isNaN(e) && Double.isNaN(a)) continue;
      assertEquals(e, a, tol + tol * Math.abs(e), "element " + i + ": " + Arrays.toString(expected.shape()));
    }
  }
}
