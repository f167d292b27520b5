package dev.weft.passes.patterns;

import static dev.weft.passes.patterns.Pat.op;
import static dev.weft.passes.patterns.Pat.var;

import dev.weft.ir.Attribute;
import dev.weft.ir.GraphBuilder;
import dev.weft.ir.Node;
import dev.weft.ir.Value;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Softmax from its stable decomposed form. The form without the max subtraction,
 * {@code exp(x) / sum(exp(x))}, is not raised: it overflows where softmax does not, so
 * raising it would change results.
 */
final class SoftmaxPatterns {
  private SoftmaxPatterns() {}

  private static final Pat X = var("x");
  private static final Pat E = op("exp", op("sub", X, op("reduce_max", X).as("max"))).as("e");

  static final List<Pattern> PATTERNS = List.of(
      // exp(x - max(x, a)) / sum(exp(x - max(x, a)), a)  ->  softmax(x, axis=a)
      Pattern.of("softmax", "exp(x - max(x)) / sum(exp(x - max(x)))",
          op("div", E, op("reduce_sum", E).as("sum")), SoftmaxPatterns::softmax),
      // exp(x - max(x, a)) * reciprocal(sum(...))
      Pattern.of("softmax", "exp(x - max(x)) * reciprocal(sum(exp(x - max(x))))",
          op("mul", E, op("reciprocal", op("reduce_sum", E).as("sum"))), SoftmaxPatterns::softmax));

  private static Value softmax(Match m, Node root, GraphBuilder b) {
    Value x = m.value("x");
    int r = Shapes.rank(x);
    if (r < 1 || !x.tensorType().dtype().isFloat()) return null;
    long[] max = Shapes.keptAxes(m.node("max"), r);
    long[] sum = Shapes.keptAxes(m.node("sum"), r);
    if (max == null || max.length != 1 || !Arrays.equals(max, sum)) return null;
    return b.op1("softmax", Map.of("axis", Attribute.of(max[0])), x);
  }
}
