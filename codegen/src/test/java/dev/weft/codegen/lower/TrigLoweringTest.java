package dev.weft.codegen.lower;

import static dev.weft.codegen.lower.LoweringCheck.check;

import dev.weft.bundle.DType;
import dev.weft.bundle.Tensor;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The circular and hyperbolic functions and softplus against the interpreter (which computes
 * in f64 and rounds): random arguments over each function's domain and beyond, special
 * values, and for sin/cos/tan arguments up to the f32 maximum, near multiples of pi/2 and
 * across every binade (the integer reduction path). rtol 1e-5, atol 1e-6 as for float
 * elementwise ops.
 */
class TrigLoweringTest {
  static final double RTOL = 1e-5;
  static final double ATOL = 1e-6;

  static Tensor uniform(long seed, double lo, double hi, int n) {
    Random r = new Random(seed);
    float[] v = new float[n];
    for (int i = 0; i < n; i++) v[i] = (float) (lo + (hi - lo) * r.nextDouble());
    return Tensor.ofFloats(new long[] {n}, v);
  }

  static Tensor specials() {
    float[] v = {Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, 0f, -0f, 1e-40f, -1e-40f, 1e-30f, -1e-8f, 1e-4f,
        0.4142f, 0.4143f, 0.5f, -0.5f, 0.49999997f, 0.50000006f, 0.99999994f, -0.99999994f, 1f, -1f, 1.0000001f, -1.0000001f,
        1.5f, 2.4142134f, 2.4142137f, 3f, 88f, 89f, 89.4f, -89.4f, 90f, 4096f, 4097f, 1e10f, -1e10f, 3.4e38f, -3.4e38f};
    return Tensor.ofFloats(new long[] {v.length}, v);
  }

  /** Large arguments: every binade up to 2^127, f32 neighbours of multiples of pi/2, and the 2^19 switch-over. */
  static Tensor largeArguments() {
    java.util.List<Float> v = new java.util.ArrayList<>();
    Random r = new Random(42);
    for (int e = -3; e <= 127; e++) {
      for (int k = 0; k < 3; k++) v.add((float) Math.scalb(1 + r.nextDouble(), e) * (r.nextBoolean() ? 1 : -1));
    }
    for (long k = 1; k < 2_000_000; k = k * 3 + 1) {
      float m = (float) (k * Math.PI / 2);
      v.add(m);
      v.add(Math.nextUp(m));
      v.add(Math.nextDown(m));
    }
    v.add(0x1p19f);
    v.add(Math.nextDown(0x1p19f));
    v.add(Float.MAX_VALUE);
    v.add(16367173f * 0x1p72f);
    float[] a = new float[v.size()];
    for (int i = 0; i < a.length; i++) a[i] = v.get(i);
    return Tensor.ofFloats(new long[] {a.length}, a);
  }

  @ParameterizedTest
  @ValueSource(strings = {"sin", "cos", "tan"})
  void circularIncludingHugeArguments(String op) {
    check(op, Map.of(), RTOL, ATOL, uniform(op.hashCode(), -20, 20, 400));
    check(op, Map.of(), RTOL, ATOL, specials());
    check(op, Map.of(), RTOL, ATOL, largeArguments());
  }

  @ParameterizedTest
  @ValueSource(strings = {"asin", "acos", "atanh"})
  void unitDomain(String op) {
    check(op, Map.of(), RTOL, ATOL, uniform(op.hashCode(), -1.1, 1.1, 400));
    check(op, Map.of(), RTOL, ATOL, uniform(op.hashCode() + 1, -1e-3, 1e-3, 100));
    check(op, Map.of(), RTOL, ATOL, specials());
  }

  @ParameterizedTest
  @ValueSource(strings = {"atan", "sinh", "cosh", "asinh", "acosh", "softplus"})
  void wideDomain(String op) {
    check(op, Map.of(), RTOL, ATOL, uniform(op.hashCode(), -30, 30, 400));
    check(op, Map.of(), RTOL, ATOL, uniform(op.hashCode() + 1, -1.5, 1.5, 200));
    check(op, Map.of(), RTOL, ATOL, uniform(op.hashCode() + 2, 0.9, 1.2, 100));
    check(op, Map.of(), RTOL, ATOL, uniform(op.hashCode() + 3, -100, 100, 200));
    check(op, Map.of(), RTOL, ATOL, op.equals("acosh") ? withoutHugeNegatives(specials()) : specials());
  }

  /**
   * The interpreter's acosh, log(x + sqrt(x^2 - 1)) in f64, gives -inf rather than NaN where
   * x^2 - 1 rounds to x^2 (x below about -1e8); the kernel gives NaN for every x < 1.
   */
  static Tensor withoutHugeNegatives(Tensor t) {
    float[] v = t.toFloatArray();
    float[] keep = new float[v.length];
    int n = 0;
    for (float x : v) if (!(x < -1e7f)) keep[n++] = x;
    return Tensor.ofFloats(new long[] {n}, java.util.Arrays.copyOf(keep, n));
  }

  @Test
  void acoshIsNaNBelowOne() {
    Tensor x = Tensor.ofFloats(new long[] {4}, -1e10f, -3e38f, Float.NEGATIVE_INFINITY, 0.99999994f);
    var lowered = GroupLowerer.lower("k", oneOp("acosh", x), null, "acosh");
    Tensor out = Tensor.zeros(DType.F32, 4);
    java.util.Map<dev.weft.codegen.kir.Buffer, Tensor> mem = new java.util.HashMap<>();
    for (var e : lowered.bindings().entrySet()) mem.put(e.getKey(), e.getValue().name().equals("x") ? x : out);
    for (var k : lowered.kernels()) dev.weft.codegen.kir.Evaluator.run(k, mem);
    for (int i = 0; i < 4; i++) org.junit.jupiter.api.Assertions.assertTrue(Float.isNaN(out.getFloat(i)), "acosh(" + x.getFloat(i) + ")");
  }

  private static dev.weft.ir.Graph oneOp(String op, Tensor x) {
    dev.weft.ir.Graph g = new dev.weft.ir.Graph(op);
    var in = g.addInput("x", new dev.weft.ir.TensorType(x.dtype(), dev.weft.ir.Shape.of(x.shape())));
    g.addOutput(new dev.weft.ir.GraphBuilder(g).op(op, java.util.List.of(in), Map.of()).get(0));
    return g;
  }

  /** f64 is computed in f32 (MathLib's stated precision), so results must stay inside the f32 range. */
  @Test
  void f64ArgumentsWithinTheStatedF32Precision() {
    Random r = new Random(7);
    double[] v = new double[200];
    for (int i = 0; i < v.length; i++) v[i] = (r.nextDouble() * 2 - 1) * (i < 100 ? 10 : 1000);
    Tensor x = Tensor.ofDoubles(new long[] {v.length}, v);
    for (String op : new String[] {"sin", "cos", "tan", "atan", "asinh"}) check(op, Map.of(), RTOL, 1e-5, x);
    Tensor small = Tensor.ofDoubles(new long[] {100}, java.util.Arrays.copyOf(v, 100));
    for (String op : new String[] {"sinh", "cosh", "softplus"}) check(op, Map.of(), RTOL, 1e-5, small);
  }
}
