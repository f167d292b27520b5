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

class ElementwiseLoweringTest {
  static final double RTOL = 1e-5;
  static final double ATOL = 1e-6;

  /** Special values every float unary op must get right (NaN, infinities, signed zero, tiny, huge). */
  static Tensor specials() {
    float[] v = {Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, 0f, -0f, 1e-40f, -1e-40f, 1e-30f, 0.3f,
        -0.3f, 0.62f, 0.63f, 1f, -1f, 2.5f, -2.5f, 9f, 10f, -10f, 80f, 88f, 89f, -100f, -104f, -110f, 1e20f, 3.4e38f};
    return Tensor.ofFloats(new long[] {v.length}, v);
  }

  @ParameterizedTest
  @ValueSource(strings = {"neg", "abs", "sqrt", "rsqrt", "reciprocal", "floor", "ceil", "round", "exp", "log", "tanh",
      "sigmoid", "erf", "relu", "sign", "is_nan"})
  void floatUnaryMatchesInterpreter(String op) {
    check(op, Map.of(), RTOL, ATOL, random(DType.F32, op.hashCode(), 12, 3, 37));
    check(op, Map.of(), RTOL, ATOL, specials());
  }

  @Test
  void binaryBroadcasts() {
    Tensor a = random(DType.F32, 1, 5, 2, 3, 4);
    Tensor b = random(DType.F32, 2, 5, 3, 1);
    for (String op : new String[] {"add", "sub", "mul", "div", "max", "min", "less", "greater_equal", "equal"}) {
      check(op, Map.of(), RTOL, ATOL, a, b);
    }
    check("pow", Map.of(), 1e-4, 1e-5, random(DType.F32, 3, 3, 4, 5), random(DType.F32, 4, 3, 5));
  }

  @Test
  void integerArithmeticWrapsAndTruncates() {
    Tensor a = random(DType.I32, 5, 1000, 40);
    Tensor b = random(DType.I32, 6, 7, 40);
    for (String op : new String[] {"add", "sub", "mul", "div", "max", "min"}) check(op, Map.of(), 0, 0, a, b);
    check("mod", Map.of("fmod", Attribute.of(0L)), 0, 0, a, b);
    check("mod", Map.of("fmod", Attribute.of(1L)), 0, 0, a, b);
    Tensor x = random(DType.I8, 7, 120, 30);
    check("mul", Map.of(), 0, 0, x, x);
  }

  @Test
  void castsAndSelect() {
    Tensor x = specials();
    check("cast", Map.of("to", Attribute.of(DType.I32)), 0, 0, x);
    check("cast", Map.of("to", Attribute.of(DType.BOOL)), 0, 0, x);
    check("cast", Map.of("to", Attribute.of(DType.F64)), 0, 0, x);
    check("select", Map.of(), 0, 0, random(DType.BOOL, 9, 1, 4, 1), random(DType.F32, 10, 3, 4, 5), random(DType.F32, 11, 3, 5));
  }
}
