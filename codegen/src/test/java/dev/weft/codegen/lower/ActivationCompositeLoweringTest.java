package dev.weft.codegen.lower;

import static dev.weft.codegen.lower.LoweringCheck.check;
import static dev.weft.codegen.lower.LoweringCheck.random;

import dev.weft.bundle.DType;
import dev.weft.bundle.Tensor;
import dev.weft.ir.Attribute;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Activation composites lower through their decompositions onto the elementwise rules; checked
 * against the interpreter's own kernels (f64 math) at the elementwise tolerance rtol 1e-5, atol 1e-6.
 */
class ActivationCompositeLoweringTest {
  static final double RTOL = 1e-5;
  static final double ATOL = 1e-6;

  /** Special values plus a spread of ordinary ones (NaN, infinities, signed zero, tiny, the kinks). */
  static Tensor values() {
    float[] v = {Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, 0f, -0f, 1e-30f, -1e-30f, 1e-3f, -1e-3f, 0.3f,
        -0.3f, 0.5f, -0.5f, 1f, -1f, 2.5f, -2.5f, 3f, -3f, 6f, -6f, 9f, -10f, 20f, -20f, 40f, -40f, 88f, -100f, 1e20f, -1e20f};
    return Tensor.ofFloats(new long[] {v.length}, v);
  }

  @ParameterizedTest
  @ValueSource(strings = {"softplus", "softsign", "elu", "selu", "celu", "leaky_relu", "hard_sigmoid", "hard_swish", "mish",
      "thresholded_relu", "shrink"})
  void defaults(String op) {
    check(op, Map.of(), RTOL, ATOL, values());
    check(op, Map.of(), RTOL, ATOL, random(DType.F32, op.hashCode(), 8, 3, 17));
    check(op, Map.of(), 1e-3, 1e-3, random(DType.F16, op.hashCode() + 1, 8, 2, 9));
  }

  @Test
  void gelu() {
    for (String form : new String[] {"none", "tanh"}) {
      check("gelu", Map.of("approximate", Attribute.of(form)), RTOL, ATOL, values());
      check("gelu", Map.of("approximate", Attribute.of(form)), RTOL, ATOL, random(DType.F32, form.hashCode(), 6, 5, 13));
    }
  }

  @Test
  void attributeVariants() {
    Tensor x = random(DType.F32, 3, 5, 4, 11);
    check("elu", Map.of("alpha", Attribute.of(0.5)), RTOL, ATOL, x);
    check("selu", Map.of("alpha", Attribute.of(1.5), "gamma", Attribute.of(2.0)), RTOL, ATOL, x);
    check("celu", Map.of("alpha", Attribute.of(2.0)), RTOL, ATOL, x);
    check("leaky_relu", Map.of("alpha", Attribute.of(0.2)), RTOL, ATOL, x);
    check("hard_sigmoid", Map.of("alpha", Attribute.of(0.3), "beta", Attribute.of(0.4)), RTOL, ATOL, x);
    check("thresholded_relu", Map.of("alpha", Attribute.of(2.0)), RTOL, ATOL, x);
    check("shrink", Map.of("lambd", Attribute.of(1.5), "bias", Attribute.of(0.5)), RTOL, ATOL, x);
    check("shrink", Map.of("lambd", Attribute.of(2.0), "bias", Attribute.of(1.0)), 0, 0, random(DType.I32, 4, 10, 20));
    // f64: MathLib evaluates exp in f32 and widens (documented ~1e-7 relative), so not 1e-12
    check("elu", Map.of(), 1e-6, 1e-7, random(DType.F64, 5, 5, 9));
  }

  @Test
  void prelu() {
    Tensor x = random(DType.F32, 6, 4, 2, 3, 4);
    check("prelu", Map.of(), RTOL, ATOL, x, random(DType.F32, 7, 1, 3, 1));
    check("prelu", Map.of(), RTOL, ATOL, x, random(DType.F32, 8, 1, 4));
    check("prelu", Map.of(), RTOL, ATOL, x, Tensor.scalar(DType.F32, 0.25));
    check("prelu", Map.of(), RTOL, ATOL, values(), Tensor.ofFloats(new long[] {1}, 0.1f));
    check("prelu", Map.of(), 0, 0, random(DType.I32, 9, 50, 3, 5), random(DType.I32, 10, 3, 5));
  }

  @Test
  void clipWithOptionalBounds() {
    Tensor x = values();
    Tensor lo = Tensor.scalar(DType.F32, -2);
    Tensor hi = Tensor.ofFloats(new long[] {1}, 3f);
    check("clip", Map.of(), 0, 0, x, lo, hi);
    check("clip", Map.of(), 0, 0, x, lo, null);
    check("clip", Map.of(), 0, 0, x, null, hi);
    check("clip", Map.of(), 0, 0, x);
    check("clip", Map.of(), 0, 0, x, hi, lo); // lo > hi: everything becomes hi
    check("clip", Map.of(), 0, 0, random(DType.F32, 11, 8, 3, 4), new LoweringCheck.Const(Tensor.scalar(DType.F32, 0)),
        new LoweringCheck.Const(Tensor.scalar(DType.F32, 6)));
    check("clip", Map.of(), 0, 0, random(DType.I32, 12, 100, 5, 3), Tensor.scalar(DType.I32, -10), Tensor.scalar(DType.I32, 20));
    check("clip", Map.of(), 0, 0, random(DType.U8, 13, 250, 9), Tensor.scalar(DType.U8, 20), Tensor.scalar(DType.U8, 200));
    check("clip", Map.of(), 0, 0, Tensor.zeros(DType.F32, 0, 3), lo, hi);
  }
}
