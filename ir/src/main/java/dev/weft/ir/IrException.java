package dev.weft.ir;

import dev.weft.bundle.WeftException;

/** An error about a graph, naming the node (and so its source location) when there is one. */
public class IrException extends WeftException {
  private final transient Node node;

  public IrException(String message) {
    super(message);
    this.node = null;
  }

  public IrException(Node node, String message) {
    super(node == null ? message : node.describe() + ": " + message);
    this.node = node;
  }

  public IrException(Node node, String message, Throwable cause) {
    super(node == null ? message : node.describe() + ": " + message, cause);
    this.node = node;
  }

  /** The offending node, or null. */
  public Node node() { return node; }
}
