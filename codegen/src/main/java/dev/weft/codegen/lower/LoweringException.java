package dev.weft.codegen.lower;

import dev.weft.bundle.WeftException;
import dev.weft.ir.Node;

/** An op that cannot be lowered to a kernel (unsupported op, attribute or dynamic shape), naming the node. */
public class LoweringException extends WeftException {
  public LoweringException(Node n, String message) {
    super(n == null ? message : n.describe() + ": " + message);
  }
}
