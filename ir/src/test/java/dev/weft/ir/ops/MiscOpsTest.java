package dev.weft.ir.ops;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import dev.weft.bundle.DType;
import dev.weft.bundle.Tensor;
import dev.weft.ir.Attribute;
import dev.weft.ir.Graph;
import dev.weft.ir.GraphBuilder;
import dev.weft.ir.TensorType;
import dev.weft.ir.Value;
import dev.weft.ir.interp.Interpreter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class MiscOpsTest {
  /** Runs one op on constant operands (null = absent) and returns its results. */
  static List<Object> run(String op, Map<String, Attribute> attrs, Tensor... operands) {
    Graph g = new Graph("main");
    GraphBuilder b = new GraphBuilder(g);
    List<Value> in = new ArrayList<>();
    for (Tensor t : operands) in.add(t == null ? null : b.constant(t));
    b.op(op, in, attrs).forEach(g::addOutput);
    return new Interpreter().run(g, List.of());
  }

  static Tensor one(String op, Map<String, Attribute> attrs, Tensor... operands) { return (Tensor) run(op, attrs, operands).get(0); }

  static Tensor f(long[] shape, float... v) { return Tensor.ofFloats(shape, v); }

  static void close(float[] expected, float[] actual) {
    assertEquals(expected.length, actual.length);
    for (int i = 0; i < expected.length; i++) assertEquals(expected[i], actual[i], 1e-4, "element " + i);
  }

  static final Tensor BOXES = f(new long[] {1, 6, 4},
      0, 0, 1, 1, 0, 0.1f, 1, 1.1f, 0, -0.1f, 1, 0.9f, 0, 10, 1, 11, 0, 10.1f, 1, 11.1f, 0, 100, 1, 101);
  static final Tensor SCORES = f(new long[] {1, 1, 6}, 0.9f, 0.75f, 0.6f, 0.95f, 0.5f, 0.3f);

  @Test
  void nmsSuppressesOverlapsAndLimitsOutput() {
    // Boxes 0-2 overlap (IoU 0.82 > 0.5), as do 3-4; by score: 3, 0, then 5 survives.
    Tensor y = one("non_max_suppression", Map.of(), BOXES, SCORES, Tensor.ofLongs(new long[] {1}, 3),
        Tensor.ofFloats(new long[] {1}, 0.5f), Tensor.ofFloats(new long[] {1}, 0f));
    assertArrayEquals(new long[] {0, 0, 3, 0, 0, 0, 0, 0, 5}, y.toLongArray());
    y = one("non_max_suppression", Map.of(), BOXES, SCORES, Tensor.ofLongs(new long[] {1}, 2),
        Tensor.ofFloats(new long[] {1}, 0.5f), Tensor.ofFloats(new long[] {1}, 0.4f));
    assertArrayEquals(new long[] {0, 0, 3, 0, 0, 0}, y.toLongArray());
    // Without max_output_boxes_per_class nothing is selected.
    assertArrayEquals(new long[] {0, 3}, one("non_max_suppression", Map.of(), BOXES, SCORES).shape());
  }

  @Test
  void nmsCenterPointFormat() {
    // Same boxes as (x_center, y_center, width, height).
    float[] c = {0.5f, 0.5f, 1, 1, 0.5f, 0.6f, 1, 1, 0.5f, 0.4f, 1, 1, 0.5f, 10.5f, 1, 1, 0.5f, 10.6f, 1, 1, 0.5f, 100.5f, 1, 1};
    Tensor y = one("non_max_suppression", Map.of("center_point_box", Attribute.of(1L)), f(new long[] {1, 6, 4}, c), SCORES,
        Tensor.ofLongs(new long[] {1}, 3), Tensor.ofFloats(new long[] {1}, 0.5f), Tensor.ofFloats(new long[] {1}, 0f));
    assertArrayEquals(new long[] {0, 0, 3, 0, 0, 0, 0, 0, 5}, y.toLongArray());
  }

  @Test
  void dftOfAnImpulseAndACosine() {
    // x = [1, 0, 0, 0] (real) -> X = [1, 1, 1, 1].
    Tensor x = f(new long[] {1, 4, 1}, 1, 0, 0, 0);
    Tensor y = one("dft", Map.of("axis", Attribute.of(1L)), x);
    close(new float[] {1, 0, 1, 0, 1, 0, 1, 0}, y.toFloatArray());
    // cos(2 pi n / 4) = [1, 0, -1, 0] -> X = [0, 2, 0, 2].
    Tensor cos = f(new long[] {1, 4, 1}, 1, 0, -1, 0);
    close(new float[] {0, 0, 2, 0, 0, 0, 2, 0}, one("dft", Map.of("axis", Attribute.of(1L)), cos).toFloatArray());
    // Onesided: bins 0..2.
    Tensor half = one("dft", Map.of("axis", Attribute.of(1L), "onesided", Attribute.of(1L)), cos);
    assertArrayEquals(new long[] {1, 3, 2}, half.shape());
    // sin(2 pi n / 4) = [0, 1, 0, -1] -> X[1] = -2i, X[3] = 2i.
    Tensor sin = f(new long[] {1, 4, 1}, 0, 1, 0, -1);
    close(new float[] {0, 0, 0, -2, 0, 0, 0, 2}, one("dft", Map.of("axis", Attribute.of(-2L)), sin).toFloatArray());
    // Zero-padded to dft_length 8: impulse stays flat.
    Tensor padded = one("dft", Map.of("axis", Attribute.of(1L)), x, Tensor.ofLongs(new long[0], 8));
    assertArrayEquals(new long[] {1, 8, 2}, padded.shape());
  }

  @Test
  void inverseAndInverseRealDft() {
    // X = [0, 2, 0, 2] -> ifft = cos = [1, 0, -1, 0].
    Tensor spec = f(new long[] {1, 4, 2}, 0, 0, 2, 0, 0, 0, 2, 0);
    close(new float[] {1, 0, 0, 0, -1, 0, 0, 0}, one("dft", Map.of("axis", Attribute.of(1L), "inverse", Attribute.of(1L)), spec).toFloatArray());
    // Onesided bins [0, 2, 0] with inverse: irfft of length 4 -> [1, 0, -1, 0], real.
    Tensor bins = f(new long[] {1, 3, 2}, 0, 0, 2, 0, 0, 0);
    Tensor y = one("dft", Map.of("axis", Attribute.of(1L), "inverse", Attribute.of(1L), "onesided", Attribute.of(1L)), bins);
    assertArrayEquals(new long[] {1, 4, 1}, y.shape());
    close(new float[] {1, 0, -1, 0}, y.toFloatArray());
  }

  @Test
  void stftFramesAndWindow() {
    // Signal 1..6, frames of 4 every 2 -> 2 frames; bin 0 of each = frame sum.
    Tensor x = f(new long[] {1, 6, 1}, 1, 2, 3, 4, 5, 6);
    Tensor y = one("stft", Map.of(), x, Tensor.ofLongs(new long[0], 2), null, Tensor.ofLongs(new long[0], 4));
    assertArrayEquals(new long[] {1, 2, 3, 2}, y.shape());
    assertEquals(10f, y.getFloat(0), 1e-5);
    assertEquals(18f, y.getFloat(6), 1e-5);
    // Bin 1 of frame 0: sum x_n (-i)^n = 1 - 2i - 3 + 4i = -2 + 2i.
    assertEquals(-2f, y.getFloat(2), 1e-5);
    assertEquals(2f, y.getFloat(3), 1e-5);
    Tensor w = f(new long[] {4}, 0, 1, 1, 0);
    Tensor yw = one("stft", Map.of(), x, Tensor.ofLongs(new long[0], 2), w);
    assertEquals(5f, yw.getFloat(0), 1e-5);
  }

  @Test
  void windows() {
    Tensor n = Tensor.ofLongs(new long[0], 4);
    close(new float[] {0, 0.5f, 1, 0.5f}, one("hann_window", Map.of(), n).toFloatArray());
    close(new float[] {0, 0.75f, 0.75f, 0}, one("hann_window", Map.of("periodic", Attribute.of(0L)), n).toFloatArray());
    float a = 25f / 46f;
    close(new float[] {a - (1 - a), a, a + (1 - a), a}, one("hamming_window", Map.of(), n).toFloatArray());
    close(new float[] {0, 0.34f, 1, 0.34f}, one("blackman_window", Map.of(), n).toFloatArray());
  }

  @Test
  void determinant() {
    Tensor m = f(new long[] {2, 2, 2}, 1, 2, 3, 4, 0, 1, 1, 0);
    close(new float[] {-2, -1}, one("det", Map.of(), m).toFloatArray());
    Tensor singular = f(new long[] {3, 3}, 1, 2, 3, 2, 4, 6, 0, 1, 1);
    assertEquals(0f, one("det", Map.of(), singular).getFloat(0));
  }

  @Test
  void affineGridIdentity() {
    Tensor theta = f(new long[] {1, 2, 3}, 1, 0, 0, 0, 1, 0);
    Tensor y = one("affine_grid", Map.of("align_corners", Attribute.of(1L)), theta, Tensor.ofLongs(new long[] {4}, 1, 1, 2, 3));
    assertArrayEquals(new long[] {1, 2, 3, 2}, y.shape());
    // (x, y) over H=2, W=3 with corners aligned.
    close(new float[] {-1, -1, 0, -1, 1, -1, -1, 1, 0, 1, 1, 1}, y.toFloatArray());
    Tensor z = one("affine_grid", Map.of(), theta, Tensor.ofLongs(new long[] {4}, 1, 1, 1, 2));
    close(new float[] {-0.5f, 0, 0.5f, 0}, z.toFloatArray());
  }

  @Test
  void col2imSumsOverlappingBlocks() {
    // Image 1x3, blocks 1x2, stride 1: two blocks [a b] at cols 0-1 and 1-2.
    Tensor cols = f(new long[] {1, 2, 2}, 1, 10, 2, 20);   // [kernel pos][block]
    Tensor y = one("col2im", Map.of(), cols, Tensor.ofLongs(new long[] {2}, 1, 3), Tensor.ofLongs(new long[] {2}, 1, 2));
    assertArrayEquals(new long[] {1, 1, 1, 3}, y.shape());
    close(new float[] {1, 12, 20}, y.toFloatArray());
  }

  @Test
  void randomIsSeededAndDeterministic() {
    Map<String, Attribute> a = Map.of("shape", Attribute.of(new long[] {1000}), "seed", Attribute.of(7L));
    Tensor u1 = one("random_uniform", a);
    Tensor u2 = one("random_uniform", a);
    assertArrayEquals(u1.toFloatArray(), u2.toFloatArray());
    Tensor other = one("random_uniform", Map.of("shape", Attribute.of(new long[] {1000}), "seed", Attribute.of(8L)));
    assertNotEquals(u1.getFloat(0), other.getFloat(0));
    double sum = 0;
    for (float v : u1.toFloatArray()) sum += v;
    assertEquals(0.5, sum / 1000, 0.05);
    Tensor n = one("random_normal", Map.of("shape", Attribute.of(new long[] {2000}), "mean", Attribute.of(3.0)));
    double mean = 0;
    for (float v : n.toFloatArray()) mean += v;
    assertEquals(3.0, mean / 2000, 0.1);
    Tensor p = f(new long[] {4}, 0, 1, 1, 0);
    assertArrayEquals(new float[] {0, 1, 1, 0}, one("bernoulli", Map.of(), p).toFloatArray());
    Tensor logits = f(new long[] {2, 3}, 0, -1e9f, -1e9f, -1e9f, -1e9f, 0);
    Tensor s = one("multinomial", Map.of("sample_size", Attribute.of(3L)), logits);
    assertEquals(DType.I32, s.dtype());
    assertArrayEquals(new long[] {0, 0, 0, 2, 2, 2}, s.toLongArray());
  }

  @Test
  void melWeightMatrixShape() {
    Tensor y = one("mel_weight_matrix", Map.of(), Tensor.ofLongs(new long[0], 8), Tensor.ofLongs(new long[0], 16),
        Tensor.ofLongs(new long[0], 8192), Tensor.ofFloats(new long[0], 0f), Tensor.ofFloats(new long[0], 4096f));
    assertArrayEquals(new long[] {9, 8}, y.shape());
    assertEquals(TensorType.of(DType.F32, 9, 8).dtype(), y.dtype());
  }
}
