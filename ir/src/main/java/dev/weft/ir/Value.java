package dev.weft.ir;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;

/**
 * An SSA value: defined once, by a node's output or as a graph input, and used by any number
 * of node operands and graph outputs. The use-list is kept in step by every mutation that
 * {@link Node} and {@link Graph} offer; code outside this package cannot edit it directly.
 */
public final class Value {
  private String name;
  private Type type;
  private Node producer;      // null for graph inputs
  private Graph inputOf;      // set for graph inputs
  private int index;          // output index of producer, or input index of inputOf
  long verifyMark;   // Verifier scratch: the run that saw this value defined
  private final List<Use> uses = new ArrayList<>(2);  // most values have one or two uses; not the default 10

  Value(String name, Type type) {
    this.name = Objects.requireNonNull(name, "name");
    this.type = Objects.requireNonNull(type, "type");
  }

  public String name() { return name; }

  public void setName(String name) { this.name = Objects.requireNonNull(name); }

  public Type type() { return type; }

  /** The tensor type; throws if this value is a sequence or optional. */
  public TensorType tensorType() {
    if (type instanceof TensorType t) return t;
    throw new IllegalStateException("value %" + name + " is " + type + ", not a tensor");
  }

  public void setType(Type type) { this.type = Objects.requireNonNull(type); }

  /** The defining node, or null for a graph input. */
  public Node producer() { return producer; }

  /** The graph this value is an input of, or null. */
  public Graph inputOf() { return inputOf; }

  public boolean isGraphInput() { return inputOf != null; }

  /** Output index in the producer, or input index in the graph. */
  public int index() { return index; }

  /** The graph where this value is defined. */
  public Graph definingGraph() { return producer != null ? producer.graph() : inputOf; }

  public List<Use> uses() { return Collections.unmodifiableList(uses); }

  public boolean hasUses() { return !uses.isEmpty(); }

  /** Redirects every use of this value (operands and graph outputs) to {@code other}. */
  public void replaceAllUsesWith(Value other) {
    // Checked up front: a null would fail at the first graph output, leaving the uses half moved.
    Objects.requireNonNull(other, "replacement value");
    if (other == this) return;
    // Moves the uses in one go: going through setInput would remove each from the front of
    // this list, O(uses^2) for a value read by thousands of nodes.
    List<Use> moved = new ArrayList<>(uses);
    uses.clear();
    for (Use u : moved) {
      if (u.user() != null) u.user().retarget(u, this, other);
      else u.outputOf().retargetOutput(u, this, other);
    }
  }

  void definedBy(Node node, int outputIndex) {
    this.producer = node;
    this.inputOf = null;
    this.index = outputIndex;
  }

  void definedAsInput(Graph g, int inputIndex) {
    this.producer = null;
    this.inputOf = g;
    this.index = inputIndex;
  }

  void addUse(Use u) { uses.add(u); }

  void removeUse(Node user, Graph outputOf, int index) {
    // Searched from both ends at once: removals mostly follow the schedule, forwards (a pass
    // replacing nodes in order; their uses are the oldest) or backwards (dead code; the
    // newest), so either end finds them at once where a one-sided scan could walk thousands
    // of uses of a shared weight per removal.
    for (int i = 0, j = uses.size() - 1; i <= j; i++, j--) {
      if (matches(uses.get(i), user, outputOf, index)) {
        uses.remove(i);
        return;
      }
      if (matches(uses.get(j), user, outputOf, index)) {
        uses.remove(j);
        return;
      }
    }
    throw new IllegalStateException("use-list of %" + name + " lost a use");
  }

  private static boolean matches(Use u, Node user, Graph outputOf, int index) {
    return u.user() == user && u.outputOf() == outputOf && u.index() == index;
  }

  @Override
  public String toString() { return "%" + name + ": " + type; }
}
