package dev.weft.codegen.lower;

import static dev.weft.codegen.lower.LoweringCheck.random;

import dev.weft.bundle.DType;
import dev.weft.bundle.Tensor;
import dev.weft.ir.Attribute;
import java.util.HashMap;
import java.util.Map;
import java.util.Random;

/**
 * A seeded random convolution for tiling tests: 1-D or 2-D, odd sizes and size-1 dims, stride
 * 1..3, dilation 1..2, asymmetric pads, groups (plain, grouped or depthwise), with or without
 * bias. The output width is kept at least 1.
 */
public record RandomConv(Map<String, Attribute> attrs, Object[] inputs) {
  public static RandomConv of(Random r, long seed) {
    int rank = r.nextInt(4) == 0 ? 1 : 2;
    long group = switch (r.nextInt(3)) {
      case 0 -> 1;
      case 1 -> 1 + r.nextInt(3);
      default -> 0; // depthwise: one group per channel
    };
    long cg = group == 0 ? 1 : 1 + r.nextInt(3);
    long groups = group == 0 ? 1 + r.nextInt(6) : group;
    long channels = cg * groups;
    long m = groups * (group == 0 ? 1 : 1 + r.nextInt(3));
    long[] kernel = new long[rank];
    long[] strides = new long[rank];
    long[] dilations = new long[rank];
    long[] pads = new long[2 * rank];
    long[] in = new long[rank];
    for (int d = 0; d < rank; d++) {
      kernel[d] = 1 + r.nextInt(5);
      strides[d] = 1 + r.nextInt(3);
      dilations[d] = 1 + r.nextInt(2);
      pads[d] = r.nextInt(3);
      pads[rank + d] = r.nextInt(3);
      long span = (kernel[d] - 1) * dilations[d] + 1;
      // at least one output: in + pads >= span
      in[d] = Math.max(1, span - pads[d] - pads[rank + d]) + r.nextInt(d == rank - 1 ? 19 : 7);
    }
    long[] xs = new long[rank + 2];
    xs[0] = 1 + r.nextInt(2);
    xs[1] = channels;
    System.arraycopy(in, 0, xs, 2, rank);
    long[] ws = new long[rank + 2];
    ws[0] = m;
    ws[1] = cg;
    System.arraycopy(kernel, 0, ws, 2, rank);
    Map<String, Attribute> attrs = new HashMap<>();
    attrs.put("group", Attribute.of(groups));
    attrs.put("strides", Attribute.of(strides));
    attrs.put("dilations", Attribute.of(dilations));
    attrs.put("pads", Attribute.of(pads));
    attrs.put("kernel_shape", Attribute.of(kernel));
    Tensor x = random(DType.F32, seed, 1, xs);
    Tensor w = random(DType.F32, seed + 11, 1, ws);
    Object[] inputs = r.nextBoolean() ? new Object[] {x, w, random(DType.F32, seed + 13, 1, m)} : new Object[] {x, w};
    return new RandomConv(attrs, inputs);
  }
}
