package dev.weft.passes.patterns;

import static dev.weft.passes.patterns.Pat.anyOf;
import static dev.weft.passes.patterns.Pat.k;
import static dev.weft.passes.patterns.Pat.op;
import static dev.weft.passes.patterns.Pat.product;
import static dev.weft.passes.patterns.Pat.var;

import dev.weft.ir.Attribute;
import dev.weft.ir.Value;
import java.util.List;
import java.util.Map;

/**
 * GELU in the forms exporters write it. Products are flattened ({@link Pat.Product}), so the
 * order and association of the multiplications, and {@code /2} for {@code *0.5} or
 * {@code /sqrt(2)} for {@code *(1/sqrt(2))}, need no rows of their own.
 */
final class GeluPatterns {
  private GeluPatterns() {}

  static final double SQRT_HALF = Math.sqrt(0.5);
  static final double SQRT_2_OVER_PI = Math.sqrt(2 / Math.PI);

  private static final Pat X = var("x");

  /** x^3 as pow(x, 3) or x*x*x in any association. */
  private static final Pat CUBE_TERM = anyOf(
      product(k(0.044715), op("pow", X, k(3))),
      product(k(0.044715), X, X, X));

  static final List<Pattern> PATTERNS = List.of(
      // x * 0.5 * (1 + erf(x / sqrt(2)))  ->  gelu(x)
      Pattern.of("gelu-erf", "x * 0.5 * (1 + erf(x / sqrt(2)))",
          product(X, k(0.5), op("add", k(1), op("erf", product(X, k(SQRT_HALF))))),
          (m, root, b) -> gelu(m, b, "none")),
      // 0.5 * x * (1 + tanh(sqrt(2/pi) * (x + 0.044715 * x^3)))  ->  gelu(x, approximate=tanh)
      Pattern.of("gelu-tanh", "0.5 * x * (1 + tanh(sqrt(2/pi) * (x + 0.044715 * x^3)))",
          product(k(0.5), X, op("add", k(1), op("tanh", product(k(SQRT_2_OVER_PI), op("add", X, CUBE_TERM))))),
          (m, root, b) -> gelu(m, b, "tanh")));

  private static Value gelu(Match m, dev.weft.ir.GraphBuilder b, String approximate) {
    Value x = m.value("x");
    if (!x.tensorType().dtype().isFloat()) return null;
    return b.op1("gelu", Map.of("approximate", Attribute.of(approximate)), x);
  }
}
