package dev.weft.ir.ops;

import static dev.weft.ir.ops.NnTesting.*;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.weft.bundle.DType;
import dev.weft.bundle.Tensor;
import dev.weft.ir.Attribute;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class QuantOpsTest {
  @Test
  void roundsHalfToEvenAndSaturates() {
    Tensor y = run1("quantize_linear", Map.of(), f(s(6), 0.5, 1.5, 2.5, -0.5, 300, -300), f(s(), 1), Tensor.of(DType.I8, s(), 0));
    assertEquals(DType.I8, y.dtype());
    assertTensor(y, s(6), 0, 2, 2, 0, 127, -128);
    Tensor u = run1("quantize_linear", Map.of(), f(s(3), -20, 1.5, 250), f(s(), 1), Tensor.of(DType.U8, s(), 10));
    assertTensor(u, s(3), 0, 12, 255);
  }

  @Test
  void defaultsToU8AndHonoursOutputDtype() {
    assertEquals(DType.U8, run1("quantize_linear", Map.of(), f(s(1), 3), f(s(), 2)).dtype());
    Tensor y = run1("quantize_linear", Map.of("output_dtype", Attribute.of(DType.I4)), f(s(2), 10, -10), f(s(), 1));
    assertTensor(y, s(2), 7, -8);
  }

  @Test
  void perAxisAndBlocked() {
    assertTensor(run1("quantize_linear", Map.of(), f(s(2, 2), 1, 2, 3, 4), f(s(2), 1, 2)), s(2, 2), 1, 1, 3, 2);
    Tensor y = run1("quantize_linear", Map.of("block_size", Attribute.of(2L)), f(s(1, 4), 1, 2, 3, 4), f(s(1, 2), 1, 2));
    assertTensor(y, s(1, 4), 1, 2, 2, 2);
  }

  @Test
  void dequantize() {
    Tensor y = run1("dequantize_linear", Map.of(), Tensor.of(DType.U8, s(3), 0, 10, 255), f(s(), 0.5), Tensor.of(DType.U8, s(), 10));
    assertEquals(DType.F32, y.dtype());
    assertTensor(y, s(3), -5, 0, 122.5);
  }

  @Test
  void dynamicQuantizeUsesTheRangeIncludingZero() {
    List<Tensor> r = run("dynamic_quantize_linear", Map.of(), f(s(3), 0, 2, -3));
    // range [-3, 2]: scale 5/255, zero point round(3 / scale) = 153.
    assertTensor(r.get(1), s(), 5.0 / 255);
    assertTensor(r.get(2), s(), 153);
    assertTensor(r.get(0), s(3), 153, 255, 0);
  }
}
