package dev.weft.codegen.lower;

import static dev.weft.codegen.lower.LoweringCheck.check;
import static dev.weft.codegen.lower.LoweringCheck.random;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.bundle.DType;
import dev.weft.bundle.Tensor;
import dev.weft.ir.Attribute;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** (De)quantization against the interpreter: quantized integers exactly, dequantized floats at rtol 1e-6. */
class QuantLoweringTest {
  static Map<String, Attribute> attrs(long axis, long block) {
    Map<String, Attribute> m = new HashMap<>();
    m.put("axis", Attribute.of(axis));
    m.put("block_size", Attribute.of(block));
    return m;
  }

  static Tensor positive(long seed, long... shape) {
    Tensor t = random(DType.F32, seed, 1, shape);
    for (long i = 0; i < t.size(); i++) t.setDouble(i, 0.01 + Math.abs(t.getDouble(i)) * 0.1);
    return t;
  }

  @Test
  void quantizePerTensor() {
    Tensor x = random(DType.F32, 1, 40, 2, 3, 5);
    check("quantize_linear", attrs(1, 0), 0, 0, x, Tensor.scalar(DType.F32, 0.25), Tensor.of(DType.U8, new long[0], 128));
    check("quantize_linear", attrs(1, 0), 0, 0, x, Tensor.scalar(DType.F32, 0.1), Tensor.of(DType.I8, new long[] {1}, -5));
    check("quantize_linear", attrs(1, 0), 0, 0, x, Tensor.scalar(DType.F32, 0.05)); // u8 by default
    check("quantize_linear", attrs(1, 0), 0, 0, x, Tensor.scalar(DType.F32, 1e-4), Tensor.of(DType.I32, new long[0], 1 << 30));
    check("quantize_linear", attrs(1, 0), 0, 0, x, Tensor.scalar(DType.F32, 0.001), Tensor.of(DType.I16, new long[0], 7));
    check("quantize_linear", attrs(1, 0), 0, 0, x, Tensor.scalar(DType.F32, 0.001), Tensor.of(DType.U16, new long[0], 30000));
    Map<String, Attribute> i8 = attrs(1, 0);
    i8.put("output_dtype", Attribute.of(DType.I8));
    check("quantize_linear", i8, 0, 0, x, Tensor.scalar(DType.F32, 0.3));
  }

  @Test
  void quantizeRoundsHalfToEvenSaturatesAndZeroesNaN() {
    Tensor x = Tensor.ofFloats(new long[] {12}, 0.5f, 1.5f, 2.5f, -0.5f, -1.5f, -2.5f, Float.NaN, Float.POSITIVE_INFINITY,
        Float.NEGATIVE_INFINITY, 1e9f, -1e9f, 127.5f);
    for (DType zt : new DType[] {DType.U8, DType.I8, DType.I32}) {
      check("quantize_linear", attrs(1, 0), 0, 0, x, Tensor.scalar(DType.F32, 1), Tensor.of(zt, new long[0], 0));
    }
    check("quantize_linear", attrs(0, 0), 0, 0, random(DType.F16, 2, 30, 3, 4), Tensor.scalar(DType.F16, 0.5), Tensor.of(DType.I8, new long[0], 3));
    check("quantize_linear", attrs(0, 0), 0, 0, random(DType.F64, 3, 30, 3, 4), Tensor.scalar(DType.F64, 0.7), Tensor.of(DType.U8, new long[0], 3));
  }

  @Test
  void quantizePerAxisAndBlocked() {
    Tensor x = random(DType.F32, 4, 20, 2, 3, 5);
    check("quantize_linear", attrs(1, 0), 0, 0, x, positive(5, 3), random(DType.U8, 6, 255, 3));
    check("quantize_linear", attrs(-1, 0), 0, 0, x, positive(7, 5), random(DType.I8, 8, 100, 5));
    check("quantize_linear", attrs(0, 0), 0, 0, x, positive(9, 2));
    check("quantize_linear", attrs(1, 2), 0, 0, x, positive(10, 2, 2, 5), random(DType.I8, 11, 100, 2, 2, 5));
    check("quantize_linear", attrs(-1, 3), 0, 0, x, positive(12, 2, 3, 2), random(DType.U8, 13, 255, 2, 3, 2));
    check("quantize_linear", attrs(1, 0), 0, 0, Tensor.zeros(DType.F32, 0, 3), positive(14, 3));
  }

  @Test
  void dequantize() {
    Tensor q8 = random(DType.U8, 20, 255, 2, 3, 5);
    Tensor s = positive(21, 3);
    check("dequantize_linear", attrs(1, 0), 1e-6, 0, q8, Tensor.scalar(DType.F32, 0.02), Tensor.of(DType.U8, new long[0], 128));
    check("dequantize_linear", attrs(1, 0), 1e-6, 0, q8, s, random(DType.U8, 22, 255, 3));
    check("dequantize_linear", attrs(1, 0), 1e-6, 0, q8, Tensor.scalar(DType.F32, 0.02));
    check("dequantize_linear", attrs(-1, 2), 1e-6, 0, q8, positive(23, 2, 3, 3), random(DType.U8, 24, 255, 2, 3, 3));
    check("dequantize_linear", attrs(0, 0), 1e-6, 0, random(DType.I8, 25, 127, 2, 7), positive(26, 2), random(DType.I8, 27, 127, 2));
    check("dequantize_linear", attrs(0, 0), 1e-6, 0, random(DType.I32, 28, 2e9, 4, 3), Tensor.scalar(DType.F32, 1e-3),
        Tensor.of(DType.I32, new long[0], -2e9));
    check("dequantize_linear", attrs(0, 0), 1e-12, 0, random(DType.I8, 29, 127, 4), Tensor.scalar(DType.F64, 0.1));
    check("dequantize_linear", attrs(0, 0), 1e-3, 0, random(DType.I8, 30, 127, 4), Tensor.scalar(DType.F16, 0.1));
    Map<String, Attribute> f16 = attrs(1, 0);
    f16.put("output_dtype", Attribute.of(DType.F16));
    check("dequantize_linear", f16, 1e-3, 0, q8, s);
  }

  @Test
  void dynamicQuantizeThroughItsDecomposition() {
    check("dynamic_quantize_linear", Map.of(), 0, 0, random(DType.F32, 40, 6, 3, 7));
    check("dynamic_quantize_linear", Map.of(), 0, 0, positive(41, 5, 2));
    Tensor neg = random(DType.F32, 42, 3, 9);
    for (long i = 0; i < neg.size(); i++) neg.setDouble(i, -Math.abs(neg.getDouble(i)) - 0.5);
    check("dynamic_quantize_linear", Map.of(), 0, 0, neg);
    check("dynamic_quantize_linear", Map.of(), 0, 0, Tensor.zeros(DType.F32, 4)); // scale 0
  }

  @Test
  void subByteTypesAreRefusedWithAMessage() {
    Tensor x = random(DType.F32, 50, 4, 6);
    LoweringException e = assertThrows(LoweringException.class,
        () -> check("quantize_linear", attrs(1, 0), 0, 0, x, Tensor.scalar(DType.F32, 0.5), Tensor.zeros(DType.U4)));
    assertTrue(e.getMessage().contains("quantize_linear") && e.getMessage().contains("u4"), e.getMessage());
  }
}
