package dev.weft.codegen.emit;

import static dev.weft.codegen.lower.LoweringCheck.check;
import static dev.weft.codegen.lower.LoweringCheck.random;

import dev.weft.bundle.DType;
import dev.weft.bundle.Tensor;
import dev.weft.ir.Attribute;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/** Emitted host code against the interpreter, with and without rounding intrinsics. */
class CompiledElementwiseTest {
  static Tensor specials() {
    float[] v = {Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, 0f, -0f, 1e-40f, -1e-40f, 1e-30f, 0.3f,
        -0.3f, 0.5f, 1.5f, 2.5f, -2.5f, 0.62f, 0.63f, 1f, -1f, 9f, 10f, -10f, 80f, 88f, 89f, -100f, -104f, -110f, 1e20f, 3.4e38f, 8388609f};
    return Tensor.ofFloats(new long[] {v.length}, v);
  }

  @ParameterizedTest
  @ValueSource(strings = {"neg", "abs", "sqrt", "rsqrt", "reciprocal", "floor", "ceil", "round", "exp", "log", "tanh",
      "sigmoid", "erf", "relu", "sign", "is_nan"})
  void unaryOps(String op) {
    for (boolean intrinsics : new boolean[] {false, true}) {
      check(HostJit.runner(intrinsics), op, Map.of(), 1e-5, 1e-6, random(DType.F32, op.hashCode(), 12, 3, 37));
      check(HostJit.runner(intrinsics), op, Map.of(), 1e-5, 1e-6, specials());
    }
  }

  @Test
  void binaryAndIntegerOps() {
    var run = HostJit.runner(false);
    Tensor a = random(DType.F32, 1, 5, 2, 3, 4);
    Tensor b = random(DType.F32, 2, 5, 3, 1);
    for (String op : new String[] {"add", "sub", "mul", "div", "max", "min", "less", "greater_equal", "equal"}) {
      check(run, op, Map.of(), 1e-6, 0, a, b);
    }
    check(run, "max", Map.of(), 0, 0, specials(), specials());
    check(run, "pow", Map.of(), 1e-4, 1e-5, random(DType.F32, 3, 3, 4, 5), random(DType.F32, 4, 3, 5));
    Tensor x = random(DType.I32, 5, 1000, 40);
    Tensor y = random(DType.I32, 6, 7, 40);
    for (String op : new String[] {"add", "sub", "mul", "div", "max", "min"}) check(run, op, Map.of(), 0, 0, x, y);
    check(run, "mod", Map.of("fmod", Attribute.of(0L)), 0, 0, x, y);
    check(run, "mod", Map.of("fmod", Attribute.of(1L)), 0, 0, x, y);
    check(run, "mod", Map.of("fmod", Attribute.of(1L)), 1e-6, 0, random(DType.F32, 8, 100, 50), random(DType.F32, 9, 7, 50));
    check(run, "cast", Map.of("to", Attribute.of(DType.I32)), 0, 0, specials());
    check(run, "cast", Map.of("to", Attribute.of(DType.U8)), 0, 0, specials());
    check(run, "cast", Map.of("to", Attribute.of(DType.BOOL)), 0, 0, specials());
    check(run, "cast", Map.of("to", Attribute.of(DType.F16)), 0, 0, specials());
    check(run, "cast", Map.of("to", Attribute.of(DType.BF16)), 0, 0, specials());
    Tensor half = Tensor.zeros(DType.F16, 30);
    Tensor sp = specials();
    for (long i = 0; i < 30; i++) half.setDouble(i, sp.getDouble(i));
    check(run, "cast", Map.of("to", Attribute.of(DType.F32)), 0, 0, half);
    check(run, "select", Map.of(), 0, 0, random(DType.BOOL, 9, 1, 4, 1), random(DType.F32, 10, 3, 4, 5), random(DType.F32, 11, 3, 5));
  }
}
