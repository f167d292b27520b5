package dev.weft.ir;

import java.util.List;

/** A dependency cycle among a graph's nodes; {@link #cycle()} lists the nodes in order. */
public final class CycleException extends VerifyException {
  private final transient List<Node> cycle;

  public CycleException(List<Node> cycle) {
    super(cycle.get(0), "dependency cycle: " + describe(cycle));
    this.cycle = List.copyOf(cycle);
  }

  /** The nodes of the cycle; each uses a result of the one before it, the first uses the last's. */
  public List<Node> cycle() { return cycle; }

  /** {@code a -> b -> a}, by each node's short name. */
  static String describe(List<Node> cycle) {
    StringBuilder sb = new StringBuilder();
    for (Node n : cycle) sb.append(label(n)).append(" -> ");
    return sb.append(label(cycle.get(0))).toString();
  }

  /** The node's source name when known, else its first result, else its op. */
  static String label(Node n) {
    if (n.location().name() != null) return "'" + n.location().name() + "'";
    if (n.outputCount() > 0) return n.opName() + " %" + n.output(0).name();
    return n.opName();
  }
}
