package dev.weft.codegen.lower;

import static dev.weft.codegen.lower.ConvLoweringTest.attrs;
import static dev.weft.codegen.lower.LoweringCheck.check;
import static dev.weft.codegen.lower.LoweringCheck.random;

import dev.weft.bundle.DType;
import dev.weft.bundle.Tensor;
import dev.weft.ir.Attribute;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Pools against the interpreter: max exactly, avg and lp at rtol 1e-4, atol 1e-5 (f32 sums). */
class PoolLoweringTest {
  static final double RTOL = 1e-4;
  static final double ATOL = 1e-5;

  static long seed = 100;

  static Tensor t(long... shape) { return random(DType.F32, seed++, 3, shape); }

  static Map<String, Attribute> with(Map<String, Attribute> m, String k, Attribute v) {
    Map<String, Attribute> out = new HashMap<>(m);
    out.put(k, v);
    return out;
  }

  static final Object[][] WINDOWS = {
      {"kernel_shape", new long[] {3}},
      {"kernel_shape", new long[] {2}, "strides", new long[] {2}, "pads", new long[] {1, 1}},
      {"kernel_shape", new long[] {3}, "strides", new long[] {2}, "ceil_mode", 1L},
      {"kernel_shape", new long[] {3}, "strides", new long[] {2}, "pads", new long[] {1, 1}, "ceil_mode", 1L},
      {"kernel_shape", new long[] {2}, "dilations", new long[] {3}, "pads", new long[] {0, 2}},
      {"kernel_shape", new long[] {4}, "auto_pad", "SAME_UPPER", "strides", new long[] {3}},
      {"kernel_shape", new long[] {4}, "auto_pad", "SAME_LOWER"},
      {"kernel_shape", new long[] {2}, "auto_pad", "VALID", "strides", new long[] {2}}};

  @Test
  void maxPool1dWithIndices() {
    Tensor x = t(2, 3, 11);
    for (Object[] win : WINDOWS) {
      Map<String, Attribute> a = attrs(win);
      check("max_pool", a, 0, 0, x);
      check("max_pool", with(a, "return_indices", Attribute.of(1L)), 0, 0, x);
    }
  }

  @Test
  void maxPool2dAnd3d() {
    Tensor x = t(1, 2, 7, 6);
    Map<String, Attribute> a = attrs("kernel_shape", new long[] {3, 2}, "strides", new long[] {2, 1}, "pads", new long[] {1, 0, 1, 1});
    for (long order : new long[] {0, 1}) {
      Map<String, Attribute> m = with(with(a, "return_indices", Attribute.of(1L)), "storage_order", Attribute.of(order));
      check("max_pool", m, 0, 0, x);
      check("max_pool", with(m, "ceil_mode", Attribute.of(1L)), 0, 0, x);
      check("max_pool", with(m, "dilations", Attribute.of(new long[] {2, 2})), 0, 0, x);
    }
    Map<String, Attribute> a3 = attrs("kernel_shape", new long[] {2, 2, 3}, "pads", new long[] {1, 0, 1, 0, 1, 1}, "return_indices", 1L,
        "storage_order", 1L);
    check("max_pool", a3, 0, 0, t(1, 2, 3, 4, 5));
    check("max_pool", attrs("kernel_shape", new long[] {1, 1}), 0, 0, t(2, 1, 1, 3));
  }

  @Test
  void maxPoolSpecialValues() {
    float n = Float.NaN;
    float ni = Float.NEGATIVE_INFINITY;
    Tensor x = Tensor.ofFloats(new long[] {1, 1, 10}, 1f, n, 2f, n, ni, ni, ni, 5f, 5f, 3f);
    Map<String, Attribute> a = attrs("kernel_shape", new long[] {3}, "return_indices", 1L);
    check("max_pool", a, 0, 0, x);
    check("max_pool", with(a, "pads", Attribute.of(new long[] {2, 2})), 0, 0, x);
    check("max_pool", a, 0, 0, random(DType.I8, 7, 120, 2, 2, 9));
    check("max_pool", with(a, "pads", Attribute.of(new long[] {1, 1})), 0, 0, random(DType.U8, 8, 250, 1, 2, 9));
  }

  @Test
  void avgPool() {
    Tensor x1 = t(2, 2, 11);
    for (Object[] win : WINDOWS) {
      for (long inc : new long[] {0, 1}) check("avg_pool", with(attrs(win), "count_include_pad", Attribute.of(inc)), RTOL, ATOL, x1);
    }
    Tensor x2 = t(1, 3, 6, 7);
    Map<String, Attribute> a = attrs("kernel_shape", new long[] {3, 3}, "strides", new long[] {2, 2}, "pads", new long[] {1, 1, 2, 0});
    for (long inc : new long[] {0, 1}) {
      check("avg_pool", with(a, "count_include_pad", Attribute.of(inc)), RTOL, ATOL, x2);
      check("avg_pool", with(with(a, "count_include_pad", Attribute.of(inc)), "ceil_mode", Attribute.of(1L)), RTOL, ATOL, x2);
    }
    check("avg_pool", attrs("kernel_shape", new long[] {2, 1, 2}, "strides", new long[] {1, 1, 2}), RTOL, ATOL, t(1, 2, 3, 3, 5));
    check("avg_pool", attrs("kernel_shape", new long[] {2, 2}), RTOL, ATOL, t(0, 2, 3, 3));
    check("avg_pool", attrs("kernel_shape", new long[] {3, 3}), 1e-3, 1e-3, random(DType.F16, 9, 3, 1, 2, 5, 5));
  }

  @Test
  void lpPool() {
    Tensor x = t(1, 2, 6, 7);
    for (long p : new long[] {1, 2, 3}) {
      check("lp_pool", attrs("kernel_shape", new long[] {2, 3}, "p", p), RTOL, ATOL, x);
      check("lp_pool", attrs("kernel_shape", new long[] {3, 3}, "p", p, "strides", new long[] {2, 2}, "pads", new long[] {1, 1, 1, 1}),
          RTOL, ATOL, x);
    }
    // a ceil_mode window past the end: only its in-bounds taps count (the decomposition would scale them up)
    check("lp_pool", attrs("kernel_shape", new long[] {3}, "p", 2L, "strides", new long[] {2}, "ceil_mode", 1L), RTOL, ATOL, t(1, 2, 8));
    check("lp_pool", attrs("kernel_shape", new long[] {2}, "p", 4L), RTOL, ATOL, t(1, 1, 5));
  }
}
