package dev.weft.codegen.lower;

import static dev.weft.codegen.lower.LoweringCheck.check;
import static dev.weft.codegen.lower.LoweringCheck.random;

import dev.weft.bundle.DType;
import dev.weft.bundle.Tensor;
import dev.weft.ir.Attribute;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** conv and conv_transpose against the interpreter (rtol 1e-4, atol 1e-5: the sums are reordered). */
class ConvLoweringTest {
  static final double RTOL = 1e-4;
  static final double ATOL = 1e-5;

  /** Attributes from alternating name, value pairs (long[] -> ints, Long -> int, String -> string). */
  static Map<String, Attribute> attrs(Object... kv) {
    Map<String, Attribute> m = new HashMap<>();
    for (int i = 0; i < kv.length; i += 2) {
      Object v = kv[i + 1];
      m.put((String) kv[i], v instanceof long[] l ? Attribute.of(l) : v instanceof Long l ? Attribute.of(l) : Attribute.of((String) v));
    }
    return m;
  }

  static long seed = 1;

  static Tensor t(long... shape) { return random(DType.F32, seed++, 1, shape); }

  static void conv(Map<String, Attribute> a, Tensor x, Tensor w, Tensor bias) {
    if (bias == null) check("conv", a, RTOL, ATOL, x, w);
    else check("conv", a, RTOL, ATOL, x, w, bias);
  }

  @Test
  void conv1d() {
    conv(attrs(), t(2, 3, 11), t(4, 3, 3), null);
    conv(attrs("strides", new long[] {2}, "pads", new long[] {1, 2}), t(1, 3, 10), t(5, 3, 4), t(5));
    conv(attrs("dilations", new long[] {3}, "pads", new long[] {2, 0}), t(2, 2, 13), t(3, 2, 3), null);
    conv(attrs("auto_pad", "SAME_UPPER", "strides", new long[] {2}), t(1, 2, 9), t(2, 2, 4), t(2));
    conv(attrs("auto_pad", "SAME_LOWER", "strides", new long[] {2}), t(1, 2, 9), t(2, 2, 4), null);
    conv(attrs("auto_pad", "VALID", "strides", new long[] {3}), t(1, 2, 10), t(2, 2, 2), null);
  }

  @Test
  void conv2d() {
    conv(attrs(), t(2, 3, 7, 6), t(4, 3, 3, 2), t(4));
    conv(attrs("strides", new long[] {2, 1}, "pads", new long[] {1, 0, 2, 1}, "dilations", new long[] {1, 2}), t(1, 2, 9, 8), t(3, 2, 3, 3), t(3));
    conv(attrs("auto_pad", "SAME_UPPER"), t(1, 3, 5, 5), t(2, 3, 4, 4), null);
    conv(attrs("auto_pad", "SAME_LOWER", "strides", new long[] {2, 2}), t(1, 3, 7, 6), t(2, 3, 3, 2), null);
    conv(attrs("pads", new long[] {2, 2, 2, 2}), t(1, 1, 1, 1), t(1, 1, 3, 3), t(1)); // padding larger than the input
    conv(attrs(), t(1, 5, 4, 4), t(7, 5, 1, 1), t(7)); // pointwise
    conv(attrs(), t(0, 2, 4, 4), t(3, 2, 2, 2), null); // empty batch
  }

  @Test
  void groupedAndDepthwise() {
    conv(attrs("group", 2L), t(2, 4, 6, 5), t(6, 2, 3, 3), t(6));
    conv(attrs("group", 3L, "pads", new long[] {1, 1, 1, 1}), t(1, 3, 5, 5), t(3, 1, 3, 3), t(3)); // depthwise
    conv(attrs("group", 3L, "strides", new long[] {2, 2}, "pads", new long[] {1, 1, 1, 1}), t(1, 3, 6, 7), t(6, 1, 3, 3), null); // multiplier 2
  }

  @Test
  void conv3d() {
    conv(attrs("pads", new long[] {1, 0, 1, 0, 1, 1}, "strides", new long[] {1, 2, 1}), t(1, 2, 4, 5, 3), t(3, 2, 2, 3, 2), t(3));
    conv(attrs("dilations", new long[] {2, 1, 1}, "group", 2L), t(1, 4, 5, 3, 3), t(2, 2, 2, 2, 2), null);
  }

  static void transpose(Map<String, Attribute> a, Tensor x, Tensor w, Tensor bias) {
    if (bias == null) check("conv_transpose", a, RTOL, ATOL, x, w);
    else check("conv_transpose", a, RTOL, ATOL, x, w, bias);
  }

  @Test
  void convTranspose() {
    transpose(attrs(), t(1, 2, 5), t(2, 3, 3), null);
    transpose(attrs("strides", new long[] {2}), t(2, 2, 5), t(2, 3, 3), t(3));
    transpose(attrs("strides", new long[] {3}, "output_padding", new long[] {1}, "pads", new long[] {1, 2}), t(1, 2, 4), t(2, 2, 4), null);
    transpose(attrs("strides", new long[] {2, 2}, "pads", new long[] {1, 1, 1, 1}), t(1, 3, 4, 3), t(3, 2, 3, 3), t(2));
    transpose(attrs("strides", new long[] {2, 1}, "dilations", new long[] {1, 2}, "output_padding", new long[] {1, 0}), t(1, 2, 3, 4), t(2, 2, 2, 3), null);
    transpose(attrs("group", 2L, "strides", new long[] {2, 2}), t(1, 4, 3, 3), t(4, 3, 2, 2), t(6));
    transpose(attrs("output_shape", new long[] {10, 8}, "strides", new long[] {3, 2}), t(1, 2, 3, 4), t(2, 2, 3, 3), null);
    transpose(attrs("auto_pad", "SAME_UPPER", "strides", new long[] {2, 2}), t(1, 2, 3, 3), t(2, 2, 3, 3), null);
    transpose(attrs("auto_pad", "SAME_LOWER", "strides", new long[] {2, 2}), t(1, 2, 3, 3), t(2, 2, 4, 3), null);
    transpose(attrs("strides", new long[] {1, 2, 2}), t(1, 2, 2, 3, 2), t(2, 1, 2, 2, 3), t(1));
    transpose(attrs("group", 3L), t(1, 3, 4, 4), t(3, 1, 3, 3), null);
    transpose(attrs("pads", new long[] {2, 2}), t(1, 2, 5), t(2, 2, 3), null); // pads cover the kernel: no guard needed
    transpose(attrs(), t(0, 2, 3), t(2, 2, 3), null);
  }
}
