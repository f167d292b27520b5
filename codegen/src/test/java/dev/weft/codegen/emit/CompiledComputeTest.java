package dev.weft.codegen.emit;

import static dev.weft.codegen.lower.LoweringCheck.check;
import static dev.weft.codegen.lower.LoweringCheck.random;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.weft.bundle.DType;
import dev.weft.bundle.Tensor;
import dev.weft.codegen.lower.LoweringCheck.Runner;
import dev.weft.ir.Attribute;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The compute lowerings (reductions, matmul, conv, pools, attention, quantization, composites)
 * emitted for the host, JIT-compiled and run against the interpreter, at the tolerances of their
 * evaluator tests. This is what exercises the emitter's hoisting of row reductions, nested
 * reductions (conv windows, attention scores), i64 MIN reductions (max_pool indices) and
 * clamped-and-selected padded loads.
 */
class CompiledComputeTest {
  static final double RTOL = 1e-4;
  static final double ATOL = 1e-5;
  static final Runner RUN = HostJit.runner(false);

  static Map<String, Attribute> attrs(Object... kv) {
    Map<String, Attribute> m = new HashMap<>();
    for (int i = 0; i < kv.length; i += 2) {
      Object v = kv[i + 1];
      m.put((String) kv[i], switch (v) {
        case long[] l -> Attribute.of(l);
        case Long l -> Attribute.of(l);
        case Double d -> Attribute.of(d);
        case DType t -> Attribute.of(t);
        default -> Attribute.of((String) v);
      });
    }
    return m;
  }

  static Tensor t(long seed, long... shape) { return random(DType.F32, seed, 2, shape); }

  @Test
  void reductions() {
    Tensor x = t(1, 3, 5, 1, 7);
    for (String op : new String[] {"reduce_sum", "reduce_max", "reduce_min", "reduce_prod", "reduce_mean", "reduce_log_sum_exp"}) {
      check(RUN, op, attrs("axes", new long[] {1, -1}, "keepdims", 0L), RTOL, ATOL, x);
      check(RUN, op, attrs("keepdims", 1L), RTOL, ATOL, x);
    }
    check(RUN, "reduce_sum", attrs("axes", new long[] {1}, "keepdims", 0L), 0, 0, random(DType.I8, 2, 120, 4, 9));
    check(RUN, "reduce_max", attrs("axes", new long[] {1}, "keepdims", 0L), 0, 0, random(DType.BOOL, 3, 1, 4, 6));
    check(RUN, "reduce_min", attrs("axes", new long[] {1}, "keepdims", 1L), 0, 0, Tensor.zeros(DType.F32, 3, 0, 2));
  }

  @Test
  void rowNormalizers() {
    Tensor x = t(4, 3, 4, 9);
    check(RUN, "softmax", attrs("axis", 1L), RTOL, ATOL, x);
    check(RUN, "log_softmax", attrs("axis", -1L), RTOL, ATOL, x);
    check(RUN, "layer_norm", attrs("axis", -1L), RTOL, ATOL, x, t(5, 9), t(6, 9));
    check(RUN, "rms_norm", attrs("axis", 1L), RTOL, ATOL, x);
    check(RUN, "lp_normalization", attrs("axis", 1L, "p", 1L), RTOL, ATOL, x);
    check(RUN, "group_norm", attrs("num_groups", 2L), RTOL, ATOL, t(7, 2, 4, 3, 3), t(8, 4), t(9, 4));
  }

  /**
   * Tiled matmuls (several output columns per work item, their dot products one fused loop) on
   * odd column counts: the clamped remainder, N below the tile, a constant (transposed) weight,
   * batch and an integer product with zero points.
   */
  @Test
  void tiledMatmul() {
    for (int tile : new int[] {4, 8, 16}) {
      for (long n : new long[] {1, 7, tile + 1, 2L * tile}) {
        check(RUN, tile, "matmul", attrs(), RTOL, ATOL, t(20 + n, 3, 37), t(21 + n, 37, n));
        check(RUN, tile, "matmul", attrs(), RTOL, ATOL, t(22 + n, 2, 1, 3, 9), new dev.weft.codegen.lower.LoweringCheck.Const(t(23 + n, 9, n)));
        check(RUN, tile, "matmul", attrs(), RTOL, ATOL, t(24 + n, 1, 1, 64), new dev.weft.codegen.lower.LoweringCheck.Const(t(25 + n, 64, n)));
      }
      check(RUN, tile, "matmul", attrs("result_type", DType.I32), 0, 0, random(DType.U8, 26, 255, 2, 4, 6),
          new dev.weft.codegen.lower.LoweringCheck.Const(random(DType.I8, 27, 127, 6, tile + 3)), random(DType.U8, 28, 255, 4),
          random(DType.I8, 29, 127, tile + 3));
    }
  }

  @Test
  void matmul() {
    check(RUN, "matmul", attrs(), RTOL, ATOL, t(10, 2, 1, 3, 5), t(11, 4, 5, 6));
    check(RUN, "matmul", attrs(), RTOL, ATOL, t(12, 5), t(13, 5));
    check(RUN, "matmul", attrs(), RTOL, ATOL, t(14, 3, 0), t(15, 0, 2));
    check(RUN, "matmul", attrs("result_type", DType.I32), 0, 0, random(DType.U8, 16, 255, 2, 4, 6), random(DType.I8, 17, 127, 6, 3),
        random(DType.U8, 18, 255, 4), random(DType.I8, 19, 127, 3));
  }

  @Test
  void convolutions() {
    check(RUN, "conv", attrs("strides", new long[] {2, 1}, "pads", new long[] {1, 0, 2, 1}, "dilations", new long[] {1, 2}, "group", 2L),
        RTOL, ATOL, t(20, 1, 4, 9, 8), t(21, 6, 2, 3, 3), t(22, 6));
    check(RUN, "conv", attrs("auto_pad", "SAME_LOWER"), RTOL, ATOL, t(23, 2, 3, 7), t(24, 2, 3, 4));
    check(RUN, "conv_transpose", attrs("strides", new long[] {2, 3}, "output_padding", new long[] {1, 0}, "group", 2L), RTOL, ATOL,
        t(25, 1, 4, 3, 3), t(26, 4, 2, 3, 2), t(27, 4));
  }

  @Test
  void pools() {
    Tensor x = t(30, 2, 2, 7, 6);
    Map<String, Attribute> w = attrs("kernel_shape", new long[] {3, 2}, "strides", new long[] {2, 1}, "pads", new long[] {1, 0, 1, 1},
        "ceil_mode", 1L);
    Map<String, Attribute> mp = new HashMap<>(w);
    mp.put("return_indices", Attribute.of(1L));
    mp.put("storage_order", Attribute.of(1L));
    check(RUN, "max_pool", mp, 0, 0, x);
    Map<String, Attribute> ap = new HashMap<>(w);
    ap.put("count_include_pad", Attribute.of(1L));
    check(RUN, "avg_pool", ap, RTOL, ATOL, x);
    check(RUN, "avg_pool", w, RTOL, ATOL, x);
    Map<String, Attribute> lp = new HashMap<>(w);
    lp.put("p", Attribute.of(3L));
    check(RUN, "lp_pool", lp, RTOL, ATOL, x);
  }

  @Test
  void attention() {
    Tensor q = t(40, 1, 4, 5, 3);
    Tensor k = t(41, 1, 2, 6, 3);
    Tensor v = t(42, 1, 2, 6, 4);
    check(RUN, "attention", attrs("is_causal", 1L, "causal_offset", -1L, "softcap", 2.0), RTOL, ATOL, q, k, v);
    check(RUN, "attention", attrs("qk_output_mode", 3L), RTOL, ATOL, q, k, v, random(DType.BOOL, 43, 1, 5, 6));
    check(RUN, "attention", attrs("scale", 0.5), RTOL, ATOL, q, k, v, random(DType.F32, 44, 3, 1, 1, 5, 6));
  }

  @Test
  void quantization() {
    Tensor x = random(DType.F32, 50, 30, 2, 3, 5);
    check(RUN, "quantize_linear", attrs("axis", 1L), 0, 0, x, random(DType.F32, 51, 0.5, 3), random(DType.I8, 52, 100, 3));
    check(RUN, "quantize_linear", attrs("axis", -1L, "block_size", 2L), 0, 0, x, random(DType.F32, 53, 0.5, 2, 3, 3),
        random(DType.U8, 54, 255, 2, 3, 3));
    check(RUN, "dequantize_linear", attrs("axis", 0L), 1e-6, 0, random(DType.I32, 55, 1e9, 4, 3), random(DType.F32, 56, 1, 4),
        random(DType.I32, 57, 1e9, 4));
    check(RUN, "dynamic_quantize_linear", attrs(), 0, 0, random(DType.F32, 58, 5, 3, 7));
  }

  /**
   * Exact ties of x / scale in compiled dynamic_quantize_linear round half to even, as the ONNX
   * spec and the interpreter do: a range of [0, 255] makes the scale exactly 1 and the zero point
   * 0, so y is round_half_even(x) (half away from zero would give 1, 3, 5, 101, 255 here), and
   * [-255, 0] gives zero point 255. (A dynamically quantized encoder's outputs hinge on such
   * ties: minilm-l6-v2-q at 1x64 has x / scale exactly 10.5 in one layer's input.)
   */
  @Test
  void dynamicQuantizationRoundsExactTiesHalfToEven() {
    // both ways ROUND_EVEN is emitted: the llvm.rint intrinsic (the CPU target) and the libm-free fallback
    for (Runner run : List.of(HostJit.runner(true), RUN)) {
      Tensor up = Tensor.ofFloats(new long[] {8}, 0f, 0.5f, 1.5f, 2.5f, 4.5f, 100.5f, 254.5f, 255f);
      List<Tensor> r = check(run, "dynamic_quantize_linear", attrs(), 0, 0, up);
      assertEquals(1f, r.get(1).toFloatArray()[0]);
      assertEquals(List.of(0L, 0L, 2L, 2L, 4L, 100L, 254L, 255L), longs(r.get(0)));
      Tensor down = Tensor.ofFloats(new long[] {6}, -255f, -0.5f, -1.5f, -2.5f, -100.5f, 0f);
      r = check(run, "dynamic_quantize_linear", attrs(), 0, 0, down);
      assertEquals(255L, r.get(2).getLong(0));
      assertEquals(List.of(0L, 255L, 253L, 253L, 155L, 255L), longs(r.get(0)));
    }
  }

  private static List<Long> longs(Tensor t) {
    List<Long> out = new java.util.ArrayList<>();
    for (int i = 0; i < Tensor.elementCount(t.shape()); i++) out.add(t.getLong(i));
    return out;
  }

  @Test
  void activationComposites() {
    Tensor x = t(60, 4, 13);
    check(RUN, "gelu", attrs("approximate", "tanh"), 1e-5, 1e-6, x);
    check(RUN, "gelu", attrs(), 1e-5, 1e-6, x);
    check(RUN, "mish", attrs(), 1e-5, 1e-6, x);
    check(RUN, "hard_swish", attrs(), 1e-5, 1e-6, x);
    check(RUN, "clip", attrs(), 0, 0, x, Tensor.scalar(DType.F32, -1), null);
  }
}
