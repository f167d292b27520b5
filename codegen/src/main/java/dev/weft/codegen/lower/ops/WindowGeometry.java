package dev.weft.codegen.lower.ops;

import dev.weft.codegen.lower.LowerContext;
import dev.weft.ir.ops.ConvOps;
import dev.weft.ir.ops.Window;
import java.util.Arrays;

/**
 * Sliding-window geometry of conv, conv_transpose and the pools, per spatial dim: input, kernel,
 * stride, dilation, begin/end pads and output sizes. The resolution of {@code auto_pad} and
 * {@code ceil_mode} is the interpreter's own (ir's {@code Window.of} and
 * {@code ConvOps.transposeGeometry}), so kernels and reference share one definition; the lowered
 * result shape is still checked against the node's inferred type.
 */
record WindowGeometry(long[] in, long[] kernel, long[] strides, long[] dilations, long[] padBegin, long[] padEnd, long[] out) {

  int rank() { return in.length; }

  /** conv and pool geometry. */
  static WindowGeometry of(LowerContext c, long[] in, long[] kernel) {
    Window w;
    try {
      w = Window.of(c.attrs(), in, kernel);
    } catch (IllegalArgumentException e) {
      throw c.fail(e.getMessage());
    }
    requirePositive(c, w.strides(), w.dilations());
    return new WindowGeometry(in, kernel, w.strides(), w.dilations(), w.padBegin(), w.padEnd(), w.out());
  }

  /** conv_transpose geometry; padEnd is unused there and left 0. */
  static WindowGeometry transpose(LowerContext c, long[] in, long[] k) {
    ConvOps.TGeom g;
    try {
      g = ConvOps.transposeGeometry(c.attrs(), in, k);
    } catch (IllegalArgumentException e) {
      throw c.fail(e.getMessage());
    }
    requirePositive(c, g.strides(), g.dilations());
    return new WindowGeometry(in, k, g.strides(), g.dilations(), g.padBegin(), new long[in.length], g.out());
  }

  private static void requirePositive(LowerContext c, long[] strides, long[] dilations) {
    for (int i = 0; i < strides.length; i++) {
      if (strides[i] < 1 || dilations[i] < 1) throw c.fail("strides and dilations must be >= 1");
    }
  }

  /** Checks the geometry's output against the node's result dims {@code from..} of result 0. */
  void requireOut(LowerContext c, long[] resultShape, int from) {
    for (int i = 0; i < out.length; i++) {
      if (resultShape[from + i] != out[i]) {
        throw c.fail("window output " + Arrays.toString(out) + " does not match the result shape " + Arrays.toString(resultShape));
      }
    }
  }

}
