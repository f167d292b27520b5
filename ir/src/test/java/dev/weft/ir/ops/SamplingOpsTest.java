package dev.weft.ir.ops;

import static dev.weft.ir.ops.KernelHarness.assertClose;
import static dev.weft.ir.ops.NnTesting.*;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.weft.bundle.DType;
import dev.weft.bundle.Tensor;
import dev.weft.ir.Attribute;
import dev.weft.ir.IrException;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** grid_sample, roi_align, deform_conv and max_unpool against hand-computed values. */
class SamplingOpsTest {
  /** X = [[1, 2], [3, 4]] as [1, 1, 2, 2]. */
  private static final Tensor X = f(s(1, 1, 2, 2), 1, 2, 3, 4);

  private static Map<String, Attribute> gs(String mode, String pad, long align) {
    return Map.of("mode", Attribute.of(mode), "padding_mode", Attribute.of(pad), "align_corners", Attribute.of(align));
  }

  /** A grid of points (x, y) as [1, 1, points, 2]. */
  private static Tensor grid(double... xy) { return f(s(1, 1, xy.length / 2, 2), xy); }

  @Test
  void gridSampleLinearAlignedCorners() {
    // (x, y): corners, the center and the middle of the top edge.
    Tensor y = run1("grid_sample", gs("linear", "zeros", 1), X, grid(-1, -1, 1, 1, 0, 0, 0, -1));
    assertTensor(y, s(1, 1, 1, 4), 1, 4, 2.5, 1.5);
  }

  @Test
  void gridSamplePaddingModesOutsideTheMap() {
    // Without align_corners, -1 maps to pixel -0.5: half of each tap pair lies outside.
    Tensor g = grid(-1, -1, 0, 0);
    assertTensor(run1("grid_sample", gs("linear", "zeros", 0), X, g), s(1, 1, 1, 2), 0.25, 2.5);
    assertTensor(run1("grid_sample", gs("linear", "border", 0), X, g), s(1, 1, 1, 2), 1, 2.5);
    assertTensor(run1("grid_sample", gs("linear", "reflection", 0), X, g), s(1, 1, 1, 2), 1, 2.5);
    // Far outside: border clamps to the corner; reflection folds column 3 into [0, 1] (2 -> 0, 3 -> 1).
    assertTensor(run1("grid_sample", gs("linear", "border", 1), X, grid(5, 5)), s(1, 1, 1, 1), 4);
    assertTensor(run1("grid_sample", gs("linear", "reflection", 1), X, grid(5, -1)), s(1, 1, 1, 1), 2);
  }

  @Test
  void gridSampleNearestAndCubic() {
    // Pixel (0.65, 0.4) rounds to column 1, row 0.
    assertTensor(run1("grid_sample", gs("nearest", "zeros", 1), X, grid(0.3, -0.2)), s(1, 1, 1, 1), 2);
    // At an integer position the cubic taps are (0, 1, 0, 0).
    assertTensor(run1("grid_sample", gs("cubic", "zeros", 1), X, grid(1, -1)), s(1, 1, 1, 1), 2);
  }

  @Test
  void gridSampleVolumetric() {
    Tensor x = f(s(1, 1, 2, 2, 2), 0, 1, 2, 3, 4, 5, 6, 7);
    // (x, y, z) = (1, -1, 1): z = 1, y = 0, x = 1, flat 4 + 0 + 1.
    Tensor g = f(s(1, 1, 1, 1, 3), 1, -1, 1);
    assertTensor(run1("grid_sample", gs("linear", "zeros", 1), x, g), s(1, 1, 1, 1, 1), 5);
    assertTensor(run1("grid_sample", gs("linear", "zeros", 1), x, f(s(1, 1, 1, 1, 3), 0, 0, 0)), s(1, 1, 1, 1, 1), 3.5);
  }

  @Test
  void gridSampleRejectsBadGrids() {
    assertThrows(IrException.class, () -> run1("grid_sample", Map.of(), X, f(s(1, 1, 1, 3), 0, 0, 0)));
    assertThrows(IrException.class, () -> run1("grid_sample", gs("area", "zeros", 0), X, grid(0, 0)));
  }

  private static Map<String, Attribute> roi(String mode, String coords) {
    return Map.of("mode", Attribute.of(mode), "coordinate_transformation_mode", Attribute.of(coords), "sampling_ratio", Attribute.of(1L));
  }

  @Test
  void roiAlignAverageAndMax() {
    Tensor b = Tensor.ofLongs(s(1), 0);
    // One sample at (0.5, 0.5): the bilinear mean of the four pixels.
    assertTensor(run1("roi_align", roi("avg", "output_half_pixel"), X, f(s(1, 4), 0, 0, 1, 1), b), s(1, 1, 1, 1), 2.5);
    // half_pixel shifts the roi by -0.5: (0.5, 0.5)-(1.5, 1.5) is the same window; (1, 1)-(2, 2) samples pixel (1, 1).
    assertTensor(run1("roi_align", roi("avg", "half_pixel"), X, f(s(1, 4), 0.5, 0.5, 1.5, 1.5), b), s(1, 1, 1, 1), 2.5);
    assertTensor(run1("roi_align", roi("avg", "half_pixel"), X, f(s(1, 4), 1, 1, 2, 2), b), s(1, 1, 1, 1), 4);
    // Max mode takes the largest weighted corner (0.25 * 4), as ONNX's reference.
    assertTensor(run1("roi_align", roi("max", "output_half_pixel"), X, f(s(1, 4), 0, 0, 1, 1), b), s(1, 1, 1, 1), 1);
    // A 2x2 output over the whole map with spatial_scale 0.5: samples at pixel centers (0, 0)...(1, 1).
    Map<String, Attribute> a = Map.of("output_height", Attribute.of(2L), "output_width", Attribute.of(2L),
        "spatial_scale", Attribute.of(0.5), "sampling_ratio", Attribute.of(1L));
    assertTensor(run1("roi_align", a, X, f(s(1, 4), 0, 0, 4, 4), b), s(1, 1, 2, 2), 1, 2, 3, 4);
  }

  @Test
  void deformConvSamplesAtOffsets() {
    Tensor w = f(s(1, 1, 1, 1), 2);
    // Tap of output (0, 0) moves by (0.5, 0.5) to the map's center; the others stay.
    Tensor off = f(s(1, 2, 2, 2), 0.5, 0, 0, 0, 0.5, 0, 0, 0);
    assertTensor(run1("deform_conv", Map.of(), X, w, off), s(1, 1, 2, 2), 5, 4, 6, 8);
    Tensor mask = f(s(1, 1, 2, 2), 1, 0, 1, 1);
    assertTensor(run1("deform_conv", Map.of(), X, w, off, f(s(1), 1), mask), s(1, 1, 2, 2), 6, 1, 7, 9);
    // A 2x2 kernel with zero offsets is a plain convolution: 1 + 2 + 3 + 4.
    assertTensor(run1("deform_conv", Map.of(), X, f(s(1, 1, 2, 2), 1, 1, 1, 1), f(s(1, 8, 1, 1), new double[8])), s(1, 1, 1, 1), 10);
  }

  @Test
  void deformConvRejectsOffsetsOfTheWrongSize() {
    assertThrows(RuntimeException.class, () -> run1("deform_conv", Map.of(), X, f(s(1, 1, 1, 1), 1), f(s(1, 3, 2, 2), new double[12])));
  }

  private static final Map<String, Attribute> POOL2 = Map.of("kernel_shape", ints(2, 2), "strides", ints(2, 2));

  @Test
  void maxUnpoolScattersIntoDefaultShape() {
    Tensor x = f(s(1, 1, 2, 2), 5, 6, 7, 8), idx = Tensor.ofLongs(s(1, 1, 2, 2), 0, 3, 9, 15);
    assertTensor(run1("max_unpool", POOL2, x, idx), s(1, 1, 4, 4), 5, 0, 0, 6, 0, 0, 0, 0, 0, 7, 0, 0, 0, 0, 0, 8);
    // output_shape 5x5: the 4x4 result padded at the end of each dim.
    Tensor shape = Tensor.ofLongs(s(4), 1, 1, 5, 5);
    double[] e = new double[25];
    e[0] = 5;
    e[3] = 6;
    e[11] = 7;
    e[18] = 8;
    assertTensor(run1("max_unpool", POOL2, x, idx, shape), s(1, 1, 5, 5), e);
  }

  @Test
  void maxUnpoolDecompositionAgrees() {
    Tensor x = f(s(1, 2, 2, 2), 5, 6, 7, 8, 1, 2, 3, 4), idx = Tensor.ofLongs(s(1, 2, 2, 2), 0, 3, 9, 15, 16, 19, 25, 31);
    assertClose(run1("max_unpool", POOL2, x, idx), KernelHarness.runExpanded("max_unpool", POOL2, x, idx), 0, 0);
    Tensor shape = Tensor.ofLongs(s(4), 1, 2, 5, 4);
    assertClose(run1("max_unpool", POOL2, x, idx, shape), KernelHarness.runExpanded("max_unpool", POOL2, x, idx, shape), 0, 0);
    Tensor xi = Tensor.of(DType.I32, s(1, 1, 1, 1), 9);
    assertClose(run1("max_unpool", POOL2, xi, Tensor.ofLongs(s(1, 1, 1, 1), 2)),
        KernelHarness.runExpanded("max_unpool", POOL2, xi, Tensor.ofLongs(s(1, 1, 1, 1), 2)), 0, 0);
  }
}
