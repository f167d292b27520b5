package dev.weft.ir;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.bundle.DType;
import dev.weft.bundle.Tensor;
import dev.weft.ir.interp.Interpreter;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The registered elementwise ops against hand-computed values. */
class InterpreterTest {
  private static Tensor run1(String op, Tensor... args) {
    Graph g = new Graph("main");
    Value[] in = new Value[args.length];
    for (int i = 0; i < args.length; i++) {
      in[i] = g.addInput("x" + i, TensorType.of(args[i].dtype(), args[i].shape()));
    }
    g.addOutput(TestOps.builder(g).op1(op, in));
    new Verifier().verify(g);
    return (Tensor) new Interpreter().run(g, List.of((Object[]) args)).get(0);
  }

  private static Tensor f(float... v) { return Tensor.ofFloats(new long[] {v.length}, v); }

  private static void assertFloats(float[] expected, Tensor t) {
    assertEquals(DType.F32, t.dtype());
    float[] got = t.toFloatArray();
    assertEquals(expected.length, got.length);
    for (int i = 0; i < got.length; i++) {
      if (Float.isNaN(expected[i])) assertTrue(Float.isNaN(got[i]), "element " + i);
      else assertEquals(expected[i], got[i], Math.abs(expected[i]) * 1.3e-6f + 1e-7f, "element " + i);
    }
  }

  @Test
  void unaryFloatOps() {
    Tensor x = f(-2f, 0f, 1f, Float.NaN);
    assertFloats(new float[] {2f, -0f, -1f, Float.NaN}, run1("neg", x));
    assertFloats(new float[] {2f, 0f, 1f, Float.NaN}, run1("abs", x));
    assertFloats(new float[] {0f, 0f, 1f, Float.NaN}, run1("relu", x));   // relu propagates NaN
    Tensor p = f(0f, 1f, 4f);
    assertFloats(new float[] {1f, 2.7182817f, 54.59815f}, run1("exp", p));
    assertFloats(new float[] {Float.NEGATIVE_INFINITY, 0f, 1.3862944f}, run1("log", p));
    assertFloats(new float[] {0f, 1f, 2f}, run1("sqrt", p));
    assertFloats(new float[] {0f, 0.7615942f, 0.9993292f}, run1("tanh", p));
    assertFloats(new float[] {0.5f, 0.7310586f, 0.98201376f}, run1("sigmoid", p));
  }

  @Test
  void binaryFloatOpsBroadcast() {
    Tensor a = Tensor.ofFloats(new long[] {2, 3}, 1, 2, 3, 4, 5, 6);
    Tensor b = f(10, 20, 30);
    Tensor sum = run1("add", a, b);
    assertArrayEquals(new long[] {2, 3}, sum.shape());
    assertFloats(new float[] {11, 22, 33, 14, 25, 36}, sum);
    assertFloats(new float[] {-9, -18, -27, -6, -15, -24}, run1("sub", a, b));
    assertFloats(new float[] {10, 40, 90, 40, 100, 180}, run1("mul", a, b));
    assertFloats(new float[] {0.1f, 0.1f, 0.1f, 0.4f, 0.25f, 0.2f}, run1("div", a, b));
    assertFloats(new float[] {Float.NaN, 3f}, run1("max", f(Float.NaN, 3f), f(1f, 2f)));   // max/min propagate NaN
    assertFloats(new float[] {Float.NaN, 2f}, run1("min", f(1f, 3f), f(Float.NaN, 2f)));
  }

  @Test
  void integerOpsTruncateAndWrap() {
    Tensor a = Tensor.ofInts(new long[] {4}, 7, -7, 5, Integer.MAX_VALUE);
    Tensor b = Tensor.ofInts(new long[] {4}, 2, 2, 0, 1);
    assertArrayEquals(new long[] {3, -3, 0, Integer.MAX_VALUE}, run1("div", a, b).toLongArray());   // toward zero; x/0 -> 0
    assertArrayEquals(new long[] {9, -5, 5, Integer.MIN_VALUE}, run1("add", a, b).toLongArray());   // wraps at 32 bits
    Tensor i8 = Tensor.of(DType.I8, new long[] {2}, 127, -128);
    Tensor one = Tensor.of(DType.I8, new long[] {2}, 1, 1);
    assertArrayEquals(new long[] {-128, -127}, run1("add", i8, one).toLongArray());
    assertArrayEquals(new long[] {0, 0, 5, Integer.MAX_VALUE}, run1("relu", Tensor.ofInts(new long[] {4}, -1, 0, 5, Integer.MAX_VALUE)).toLongArray());
  }

  @Test
  void chainRunsWithValuesFreedAfterTheirLastUse() {
    // x feeds the first node and, much later, the last: it must survive the frees in between.
    Graph g = new Graph("main");
    Value x = g.addInput("x", TestOps.f32(3));
    GraphBuilder b = TestOps.builder(g);
    Value c = b.constant(Tensor.ofFloats(new long[] {3}, 1, 1, 1), "one");
    Value v = b.op1("neg", x);
    for (int i = 0; i < 20; i++) v = b.op1("add", v, c);   // -x + 20
    Value r = b.op1("relu", v);
    Value out = b.op1("mul", r, x);                         // relu(20 - x) * x
    g.addOutput(out);
    g.addOutput(v);
    new Verifier().verify(g);
    List<Object> res = new Interpreter().run(g, List.of(f(1, 30, -2)));
    assertFloats(new float[] {19, 0, -44}, (Tensor) res.get(0));
    assertFloats(new float[] {19, -10, 22}, (Tensor) res.get(1));
  }
}
