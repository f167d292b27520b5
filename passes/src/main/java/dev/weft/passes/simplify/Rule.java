package dev.weft.passes.simplify;

import dev.weft.ir.Node;
import dev.weft.ir.Value;
import dev.weft.passes.PassContext;
import java.util.Set;

/**
 * One rewrite rule of {@link Canonicalize}: a name (its statistics counter), the identity it
 * applies as text, the ops whose nodes it looks at, and the rewrite itself, which returns the
 * value to use instead of the node's (single) result, or null when the node does not match.
 * A rewrite may build new nodes (before the matched one) for its replacement.
 */
public record Rule(String name, String identity, Set<String> ops, Rewriter rewrite) {
  @FunctionalInterface
  public interface Rewriter {
    Value apply(Node n, PassContext ctx);
  }

  public static Rule of(String name, String identity, Set<String> ops, Rewriter r) { return new Rule(name, identity, ops, r); }
}
