package dev.weft.passes.patterns;

import static dev.weft.passes.patterns.Pat.anyOf;
import static dev.weft.passes.patterns.Pat.k;
import static dev.weft.passes.patterns.Pat.op;
import static dev.weft.passes.patterns.Pat.var;

import dev.weft.ir.Attribute;
import dev.weft.ir.GraphBuilder;
import dev.weft.ir.Node;
import dev.weft.ir.Value;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * LayerNorm and RMSNorm from their decomposed forms. The rows are generated: one normalization
 * core ({@code d / sqrt(var + eps)} in its four spellings) times the affine tails
 * ({@code * gamma + beta}, {@code * gamma}, {@code + beta}, none), the fullest tail first so it
 * wins at its root. Scale and bias must vary only along the normalized axes.
 */
final class NormPatterns {
  private NormPatterns() {}

  /** d^2 as pow(d, 2) or d*d. */
  private static Pat square(Pat d) { return anyOf(op("pow", d, k(2)), op("mul", d, d)); }

  /**
   * d / sqrt(v + eps) in its spellings: div by sqrt; mul by rsqrt; mul by 1/sqrt;
   * mul by reciprocal(sqrt).
   */
  private static Pat normalized(Pat d, Pat v) {
    Pat ve = op("add", v, k("eps", "eps >= 0", (x, t) -> x >= 0 && Double.isFinite(x)));
    return anyOf(
        op("div", d, op("sqrt", ve)),                      // d / sqrt(v + eps)
        op("mul", d, op("rsqrt", ve)),                     // d * rsqrt(v + eps)
        op("mul", d, op("div", k(1), op("sqrt", ve))),     // d * (1 / sqrt(v + eps))
        op("mul", d, op("reciprocal", op("sqrt", ve))));   // d * reciprocal(sqrt(v + eps))
  }

  private static final Pat X = var("x");

  /** (x - mean(x)) / sqrt(mean((x - mean(x))^2) + eps). */
  private static final Pat LN_CORE;
  /** x / sqrt(mean(x^2) + eps). */
  private static final Pat RMS_CORE;

  static {
    Pat mean = op("reduce_mean", X).as("mean");
    Pat d = op("sub", X, mean).as("d");
    LN_CORE = normalized(d, op("reduce_mean", square(d)).as("var"));
    RMS_CORE = normalized(X, op("reduce_mean", square(X)).as("var"));
  }

  static final List<Pattern> PATTERNS = build();

  private static List<Pattern> build() {
    Pat g = var("gamma");
    Pat bias = var("beta");
    List<Pattern> out = new ArrayList<>();
    // LayerNorm: ((x - mean) / sqrt(var + eps)) * gamma + beta  ->  layer_norm(x, gamma, beta)
    out.add(Pattern.of("layer-norm", "(x - mean(x)) / sqrt(mean((x - mean(x))^2) + eps) * gamma + beta",
        op("add", op("mul", LN_CORE, g), bias), NormPatterns::layerNorm));
    out.add(Pattern.of("layer-norm", "(x - mean(x)) / sqrt(mean((x - mean(x))^2) + eps) * gamma",
        op("mul", LN_CORE, g), NormPatterns::layerNorm));
    out.add(Pattern.of("layer-norm", "(x - mean(x)) / sqrt(mean((x - mean(x))^2) + eps) + beta",
        op("add", LN_CORE, bias), NormPatterns::layerNorm));
    out.add(Pattern.of("layer-norm", "(x - mean(x)) / sqrt(mean((x - mean(x))^2) + eps)", LN_CORE, NormPatterns::layerNorm));
    // RMSNorm: x / sqrt(mean(x^2) + eps) * w  ->  rms_norm(x, w); after layer_norm so a layer norm is never taken for one
    out.add(Pattern.of("rms-norm", "x * rsqrt(mean(x^2) + eps) * w", op("mul", RMS_CORE, g), NormPatterns::rmsNorm));
    out.add(Pattern.of("rms-norm", "x * rsqrt(mean(x^2) + eps)", RMS_CORE, NormPatterns::rmsNorm));
    return List.copyOf(out);
  }

  /** The normalized axis when the reductions fit: float x, keepdims, equal trailing axes; -1 otherwise. */
  private static int axis(Match m, boolean rms) {
    Value x = m.value("x");
    int r = Shapes.rank(x);
    if (r < 1 || !x.tensorType().dtype().isFloat()) return -1;
    long[] va = Shapes.keptAxes(m.node("var"), r);
    if (!rms && !Arrays.equals(Shapes.keptAxes(m.node("mean"), r), va)) return -1;
    int axis = Shapes.trailingFrom(va, r);
    if (axis < 0) return -1;
    if (!Shapes.onlyAlong(m.value("gamma"), axis, r) || !Shapes.onlyAlong(m.value("beta"), axis, r)) return -1;
    return axis;
  }

  private static Map<String, Attribute> attrs(Match m, int axis) {
    return Map.of("axis", Attribute.of((long) axis), "epsilon", Attribute.of(m.constant("eps")));
  }

  private static Value layerNorm(Match m, Node root, GraphBuilder b) {
    int axis = axis(m, false);
    if (axis < 0) return null;
    List<Value> in = new ArrayList<>(Arrays.asList(m.value("x"), m.value("gamma"), m.value("beta")));
    while (in.getLast() == null) in.removeLast();
    return b.op("layer_norm", in, attrs(m, axis), List.of("layer_norm")).getFirst();
  }

  private static Value rmsNorm(Match m, Node root, GraphBuilder b) {
    int axis = axis(m, true);
    if (axis < 0) return null;
    List<Value> in = new ArrayList<>(Arrays.asList(m.value("x"), m.value("gamma")));
    while (in.getLast() == null) in.removeLast();
    return b.op("rms_norm", in, attrs(m, axis), List.of("rms_norm")).getFirst();
  }
}
