package dev.weft.ir;

import java.util.List;

/**
 * A graph that breaks an IR invariant. Names the node it rejects (its {@link Node#describe()},
 * which includes the source location) or, for graph-level problems, the graph, and the reason.
 * When the verifier collects every problem, {@link #problems()} lists them all.
 */
public class VerifyException extends IrException {
  private final transient Graph graph;
  private final String reason;
  private final transient List<VerifyException> problems;

  /** A problem with one node. */
  public VerifyException(Node node, String reason) {
    super(node, reason);
    this.graph = node == null ? null : node.graph();
    this.reason = reason;
    this.problems = List.of(this);
  }

  /** A problem with a graph as a whole (a missing output, an input over budget). */
  public VerifyException(Graph graph, String reason) {
    super("graph '" + graph.name() + "': " + reason);
    this.graph = graph;
    this.reason = reason;
    this.problems = List.of(this);
  }

  /** Several problems at once; node and reason are the first one's. */
  VerifyException(List<VerifyException> all) {
    super(all.get(0).node(), summary(all));
    this.graph = all.get(0).graph;
    this.reason = all.get(0).reason;
    this.problems = List.copyOf(all);
  }

  private static String summary(List<VerifyException> all) {
    // The first problem's message already starts with its node (IrException prefixes it), so
    // list the others below it; strip that prefix back off to avoid printing it twice.
    VerifyException first = all.get(0);
    StringBuilder sb = new StringBuilder(first.reason);
    if (all.size() > 1) {
      sb.append(" (").append(all.size()).append(" problems)");
      for (VerifyException e : all.subList(1, all.size())) sb.append("\n  ").append(e.getMessage());
    }
    return first.node() == null && first.graph != null ? "graph '" + first.graph.name() + "': " + sb : sb.toString();
  }

  /** Why the node or graph was rejected, without the node prefix. */
  public String reason() { return reason; }

  /** The graph holding the rejected node, or the rejected graph. */
  public Graph graph() { return graph; }

  /** Every problem found (just this one unless the verifier collected all). */
  public List<VerifyException> problems() { return problems; }
}
