package dev.weft.ir.ops;

import static dev.weft.ir.ops.KernelHarness.assertClose;
import static dev.weft.ir.ops.KernelHarness.assertLongs;
import static dev.weft.ir.ops.KernelHarness.assertValues;
import static dev.weft.ir.ops.KernelHarness.f32;
import static dev.weft.ir.ops.KernelHarness.of;
import static dev.weft.ir.ops.KernelHarness.run;
import static dev.weft.ir.ops.KernelHarness.runExpanded;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.weft.bundle.DType;
import dev.weft.bundle.Tensor;
import dev.weft.ir.Attribute;
import dev.weft.ir.IrException;
import dev.weft.ir.TensorType;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

class ActivationCompositesTest {
  static List<Arguments> composites() {
    return List.of(
        Arguments.of("gelu", Map.of()),
        Arguments.of("gelu", Map.of("approximate", Attribute.of("tanh"))),
        Arguments.of("softplus", Map.of()),
        Arguments.of("softsign", Map.of()),
        Arguments.of("elu", Map.of("alpha", Attribute.of(0.7))),
        Arguments.of("selu", Map.of()),
        Arguments.of("celu", Map.of("alpha", Attribute.of(2.0))),
        Arguments.of("leaky_relu", Map.of()),
        Arguments.of("hard_sigmoid", Map.of()),
        Arguments.of("hard_swish", Map.of()),
        Arguments.of("mish", Map.of()),
        Arguments.of("thresholded_relu", Map.of("alpha", Attribute.of(0.5))),
        Arguments.of("shrink", Map.of("lambd", Attribute.of(1.0), "bias", Attribute.of(0.25))));
  }

  @ParameterizedTest(name = "{0} {1}")
  @MethodSource("composites")
  void kernelAgreesWithDecomposition(String op, Map<String, Attribute> attrs) {
    for (DType t : List.of(DType.F32, DType.F64)) {
      Tensor x = KernelHarness.random(t, op.hashCode(), 8, 4, 50);
      x.setDouble(2, Double.NaN);
      x.setDouble(3, 60);    // exp would overflow f32 in naive forms
      x.setDouble(4, -60);
      assertClose(run(op, attrs, x), runExpanded(op, attrs, x), 1e-5, 1e-6);
    }
  }

  @Test
  void handComputedValues() {
    Tensor x = of(DType.F64, -1, 0, 1);
    assertValues(run("gelu", x), -0.15865525393145707, 0, 0.8413447460685429);
    assertValues(run("gelu", Map.of("approximate", Attribute.of("tanh")), x), -0.15880800939172324, 0, 0.8411919906082768);
    assertValues(run("softplus", x), 0.31326168751822286, Math.log(2), 1.3132616875182228);
    assertValues(run("softplus", of(DType.F32, 100)), 100);
    assertValues(run("softsign", x), -0.5, 0, 0.5);
    assertValues(run("elu", x), Math.exp(-1) - 1, 0, 1);
    assertValues(run("selu", x), 1.0507009873554805 * 1.6732632423543772 * (Math.exp(-1) - 1), 0, 1.0507009873554805);
    assertValues(run("celu", Map.of("alpha", Attribute.of(2.0)), x), 2 * (Math.exp(-0.5) - 1), 0, 1);
    assertValues(run("leaky_relu", x), -0.01, 0, 1);
    assertValues(run("hard_sigmoid", of(DType.F64, -5, 0, 1, 5)), 0, 0.5, 0.7, 1);
    assertValues(run("hard_swish", of(DType.F64, -4, 1, 4)), 0, 1 * (1 / 6.0 + 0.5), 4);
    assertValues(run("mish", x), -0.30340146137410895, 0, 0.8650983882673103);
    assertValues(run("thresholded_relu", of(DType.F64, 0.5, 1, 2)), 0, 0, 2);
    assertValues(run("shrink", of(DType.F64, -2, -0.4, 0.4, 2)), -2, 0, 0, 2);
    assertValues(run("shrink", Map.of("bias", Attribute.of(1.5)), of(DType.F64, -2, 2)), -0.5, 0.5);
  }

  @Test
  void preluBroadcastsTheSlope() {
    Tensor x = KernelHarness.f32(new long[] {2, 3}, -1f, 2f, -3f, 4f, -5f, 6f);
    Tensor slope = KernelHarness.f32(new long[] {3}, 0.1f, 0.2f, 0.3f);
    assertValues(run("prelu", x, slope), -0.1, 2, -0.9, 4, -1, 6);
    assertClose(run("prelu", x, slope), runExpanded("prelu", Map.of(), x, slope), 1e-6, 0);
    assertLongs(run("prelu", of(DType.I32, -4, 4), of(DType.I32, 2)), -8, 4);
    assertThrows(IrException.class, () -> KernelHarness.infer("prelu", Map.of(), TensorType.of(DType.F32, 3), TensorType.of(DType.F32, 2, 3)));
  }

  @Test
  void clipWithOptionalBounds() {
    Tensor x = f32(-2f, 0.5f, 3f, Float.NaN);
    Tensor lo = Tensor.ofFloats(new long[] {}, 0f);
    Tensor hi = Tensor.ofFloats(new long[] {1}, 1f);
    assertValues(run("clip", x, lo, hi), 0, 0.5, 1, Double.NaN);
    assertValues(run("clip", x, null, hi), -2, 0.5, 1, Double.NaN);
    assertValues(run("clip", x, lo), 0, 0.5, 3, Double.NaN);
    assertValues(run("clip", x), -2, 0.5, 3, Double.NaN);
    assertValues(run("clip", x, hi, lo), 0, 0, 0, Double.NaN);   // lo > hi: everything becomes hi
    assertClose(run("clip", x, null, hi), runExpanded("clip", Map.of(), x, null, hi), 0, 0);
    assertClose(run("clip", x, hi, lo), runExpanded("clip", Map.of(), x, hi, lo), 0, 0);
    assertLongs(run("clip", of(DType.I8, -100, 5, 100), of(DType.I8, -10), of(DType.I8, 10)), -10, 5, 10);
    assertThrows(IrException.class, () -> KernelHarness.infer("clip", Map.of(), TensorType.of(DType.F32, 3), TensorType.of(DType.F32, 2)));
  }
}
