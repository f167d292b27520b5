package dev.weft.passes.patterns;

import dev.weft.ir.GraphBuilder;
import dev.weft.ir.Node;
import dev.weft.ir.Value;
import java.util.Objects;

/**
 * One recognition rule: a name (its statistics counter), the formula it recognizes as text,
 * the pattern, and the builder of the replacement. The builder checks what the pattern cannot
 * say (axes, ranks, dims) before it builds anything, and returns null when the match does not
 * qualify; otherwise it builds the composite with {@code b} (placed before the root and stamped
 * with the root's location) and returns the value that replaces the root's result.
 */
public record Pattern(String name, String formula, Pat pat, Builder builder) {
  @FunctionalInterface
  public interface Builder {
    Value build(Match m, Node root, GraphBuilder b);
  }

  public Pattern {
    Objects.requireNonNull(name);
    Objects.requireNonNull(formula);
    Objects.requireNonNull(pat);
    Objects.requireNonNull(builder);
  }

  public static Pattern of(String name, String formula, Pat pat, Builder builder) { return new Pattern(name, formula, pat, builder); }
}
