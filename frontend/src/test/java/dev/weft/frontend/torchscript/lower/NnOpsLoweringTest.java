package dev.weft.frontend.torchscript.lower;

import static dev.weft.frontend.torchscript.lower.TsModules.*;

import dev.weft.bundle.Tensor;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Transposed convolution, fused matmul-adds, group/instance norm, padding and upsampling, against hand-computed values. */
class NnOpsLoweringTest {
  private static final Tensor X2x2 = f32(shape(1, 1, 2, 2), 1, 2, 3, 4);

  @Test
  void convTranspose() {
    List<Tensor> r = run("x, w, b", List.of(
        "return (torch.conv_transpose2d(x, w), torch.conv_transpose2d(x, w, b, [2, 2]))"),
        X2x2, f32(shape(1, 1, 2, 2), 1, 1, 1, 1), f32(shape(1), 10));
    assertFloats(r.get(0), shape(1, 1, 3, 3), 1, 3, 2, 4, 10, 6, 3, 7, 4);
    assertFloats(r.get(1), shape(1, 1, 4, 4), 11, 11, 12, 12, 11, 11, 12, 12, 13, 13, 14, 14, 13, 13, 14, 14);
  }

  @Test
  void fusedMatmulAdds() {
    List<Tensor> r = run("b, m1, m2, c, b1, b2", List.of(
        "return (torch.addmm(b, m1, m2, beta=2, alpha=3), torch.addmm(b, m1, m2), torch.baddbmm(c, b1, b2),",
        "  torch.baddbmm(c, b1, b2, beta=0))"),
        f32(shape(2), 1, 1), f32(shape(1, 2), 1, 2), f32(shape(2, 2), 3, 0, 4, 1),
        f32(shape(1, 1, 1), Float.NaN), f32(shape(1, 1, 2), 1, 2), f32(shape(1, 2, 1), 3, 4));
    assertFloats(r.get(0), shape(1, 2), 35, 8);
    assertFloats(r.get(1), shape(1, 2), 12, 3);
    assertFloats(r.get(2), shape(1, 1, 1), Double.NaN);
    assertFloats(r.get(3), shape(1, 1, 1), 11);        // beta=0 ignores self, NaN included
  }

  @Test
  void groupAndInstanceNorm() {
    List<Tensor> r = run("x, w, b, y, rm, rv", List.of(
        "return (torch.group_norm(x, 2, None, None, 0., False), torch.group_norm(x, 2, w, b, 0., False),",
        "  torch.instance_norm(y, None, None, None, None, True, 0.10000000000000001, 0., False),",
        "  torch.instance_norm(y, None, None, rm, rv, False, 0.10000000000000001, 0., False))"),
        f32(shape(1, 4, 1, 1), 1, 3, 5, 7), f32(shape(4), 1, 2, 3, 4), f32(shape(4), 0, 0, 0, 1),
        f32(shape(1, 2, 2), 1, 3, 2, 6), f32(shape(2), 1, 0), f32(shape(2), 1, 4));
    assertFloats(r.get(0), shape(1, 4, 1, 1), -1, 1, -1, 1);
    assertFloats(r.get(1), shape(1, 4, 1, 1), -1, 2, -3, 5);
    assertFloats(r.get(2), shape(1, 2, 2), -1, 1, -1, 1);
    assertFloats(r.get(3), shape(1, 2, 2), 0, 2, 1, 3);
  }

  @Test
  void padding() {
    List<Tensor> r = run("x, y", List.of(
        "return (torch.pad(x, [1, 2], \"constant\", 0.5), torch.pad(x, [0, 0, 1, 0]), torch.constant_pad_nd(x, [1, 1], 9),",
        "  torch.pad(y, [1, 1], \"reflect\"), torch.pad(y, [1, 1], \"replicate\"), torch.pad(y, [1, 1], \"circular\"),",
        "  torch.constant_pad_nd(x, [-1, 0]))"),
        f32(shape(1, 2), 1, 2), f32(shape(1, 1, 3), 1, 2, 3));
    assertFloats(r.get(0), shape(1, 5), 0.5, 1, 2, 0.5, 0.5);
    assertFloats(r.get(1), shape(2, 2), 0, 0, 1, 2);
    assertFloats(r.get(2), shape(1, 4), 9, 1, 2, 9);
    assertFloats(r.get(3), shape(1, 1, 5), 2, 1, 2, 3, 2);
    assertFloats(r.get(4), shape(1, 1, 5), 1, 1, 2, 3, 3);
    assertFloats(r.get(5), shape(1, 1, 5), 3, 1, 2, 3, 1);
    assertFloats(r.get(6), shape(1, 1), 2);           // a negative pad crops
  }

  @Test
  void upsampling() {
    List<Tensor> r = run("x, w", List.of(
        "return (torch.upsample_nearest2d(x, None, [2., 2.]), torch.upsample_nearest2d(x, [3, 3], None),",
        "  torch.upsample_bilinear2d(w, [1, 4], False, None), torch.upsample_bilinear2d(w, [1, 3], True, None),",
        "  torch.upsample_bilinear2d(w, None, False, [1., 2.]))"),
        X2x2, f32(shape(1, 1, 1, 2), 0, 1));
    assertFloats(r.get(0), shape(1, 1, 4, 4), 1, 1, 2, 2, 1, 1, 2, 2, 3, 3, 4, 4, 3, 3, 4, 4);
    assertFloats(r.get(1), shape(1, 1, 3, 3), 1, 1, 2, 1, 1, 2, 3, 3, 4);
    // half-pixel source x = (i + 0.5) / 2 - 0.5 = -0.25, 0.25, 0.75, 1.25, clamped to the edges
    assertFloats(r.get(2), shape(1, 1, 1, 4), 0, 0.25, 0.75, 1);
    assertFloats(r.get(3), shape(1, 1, 1, 3), 0, 0.5, 1);
    assertFloats(r.get(4), shape(1, 1, 1, 4), 0, 0.25, 0.75, 1);
  }
}
