package dev.weft.codegen.lower;

import static dev.weft.codegen.lower.LayoutTestSupport.attrs;
import static dev.weft.codegen.lower.LayoutTestSupport.floats;
import static dev.weft.codegen.lower.LayoutTestSupport.longs;
import static dev.weft.codegen.lower.LoweringCheck.check;
import static dev.weft.codegen.lower.LoweringCheck.random;

import dev.weft.bundle.DType;
import dev.weft.bundle.Tensor;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * resize against the interpreter. Coordinates and weights are the interpreter's f64
 * arithmetic and the taps combine in its order, so f32 results agree to about one rounding
 * (rtol 1e-6); integer results exactly.
 */
class ResizeLoweringTest {
  static final List<String> COORDS = List.of("half_pixel", "align_corners", "asymmetric", "pytorch_half_pixel", "half_pixel_symmetric");
  static final double RTOL = 1e-6;
  static final double ATOL = 1e-6;

  @ParameterizedTest
  @ValueSource(strings = {"round_prefer_floor", "round_prefer_ceil", "floor", "ceil"})
  void nearestEveryCoordinateMode(String nearest) {
    Tensor x = random(DType.F32, 1, 10, 1, 2, 5, 7);
    for (String coord : COORDS) {
      var a = attrs("mode", "nearest", "nearest_mode", nearest, "coordinate_transformation_mode", coord);
      check("resize", a, 0, 0, x, null, floats(1, 1, 2.5f, 0.6f));
      check("resize", a, 0, 0, x, null, null, longs(1, 2, 3, 16));
    }
    check("resize", attrs("mode", "nearest", "nearest_mode", nearest), 0, 0, random(DType.U8, 2, 255, 1, 1, 3, 4), null, floats(1, 1, 3, 0.5f));
  }

  @ParameterizedTest
  @ValueSource(strings = {"linear", "cubic"})
  void interpolatingModes(String mode) {
    Tensor x = random(DType.F32, 3, 10, 2, 1, 6, 5);
    for (String coord : COORDS) {
      check("resize", attrs("mode", mode, "coordinate_transformation_mode", coord), RTOL, ATOL, x, null, floats(1, 1, 1.7f, 2));
      check("resize", attrs("mode", mode, "coordinate_transformation_mode", coord), RTOL, ATOL, x, null, null, longs(2, 1, 4, 3));
    }
    check("resize", attrs("mode", mode, "exclude_outside", 1L), RTOL, ATOL, x, null, floats(1, 1, 2.3f, 0.8f));
    check("resize", attrs("mode", mode, "antialias", 1L), RTOL, ATOL, x, null, floats(1, 1, 0.4f, 0.75f));
    check("resize", attrs("mode", mode, "antialias", 1L, "exclude_outside", 1L, "cubic_coeff_a", -0.5), RTOL, ATOL, x, null, longs(2, 1, 2, 2));
    check("resize", attrs("mode", mode, "axes", new long[] {-1, 2}), RTOL, ATOL, x, null, floats(3, 0.5f));
    check("resize", attrs("mode", mode), 0, 0, random(DType.U8, 4, 255, 1, 1, 4, 4), null, floats(1, 1, 2, 1.5f));
    // Zero-weight taps are skipped, so an infinite neighbour does not become NaN.
    Tensor inf = Tensor.ofFloats(new long[] {1, 4}, 1, Float.POSITIVE_INFINITY, 3, Float.NaN);
    check("resize", attrs("mode", mode, "coordinate_transformation_mode", "asymmetric"), RTOL, ATOL, inf, null, floats(1, 2));
  }

  @org.junit.jupiter.api.Test
  void extremeAntialiasedDownscaleIsRefused() {
    Tensor x = random(DType.F32, 7, 10, 1, 1, 300, 300);
    org.junit.jupiter.api.Assertions.assertThrows(LoweringException.class,
        () -> check("resize", attrs("mode", "cubic", "antialias", 1L), RTOL, ATOL, x, null, null, longs(1, 1, 3, 3)));
  }

  @ParameterizedTest
  @ValueSource(strings = {"not_larger", "not_smaller", "stretch"})
  void sizesWithAspectPolicy(String policy) {
    Tensor x = random(DType.F32, 5, 10, 1, 2, 4, 6);
    check("resize", attrs("mode", "linear", "keep_aspect_ratio_policy", policy, "axes", new long[] {2, 3}), RTOL, ATOL, x, null, null, longs(7, 5));
  }

  @ParameterizedTest
  @ValueSource(strings = {"nearest", "linear", "cubic"})
  void cropAndResizeExtrapolates(String mode) {
    Tensor x = random(DType.F32, 6, 10, 1, 1, 5, 6);
    var a = attrs("mode", mode, "coordinate_transformation_mode", "tf_crop_and_resize", "extrapolation_value", 9.5);
    check("resize", a, RTOL, ATOL, x, floats(0, 0, -0.2f, 0.1f, 1, 1, 0.9f, 1.3f), null, longs(1, 1, 4, 7));
    check("resize", a, RTOL, ATOL, x, floats(0, 0, 0.3f, 0.3f, 1, 1, 0.3f, 0.8f), null, longs(1, 1, 1, 3));
  }
}
