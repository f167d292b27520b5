package dev.weft.frontend.torchscript;

import java.util.List;

/**
 * A Python tuple: an immutable list of unpickled values (never containing Java {@code null}).
 * Tuples are hashable and may be dict keys; their nesting depth is bounded by the unpickler, so
 * {@link #hashCode()} and {@link #equals(Object)} cannot overflow the stack.
 */
public record PyTuple(List<Object> items) {
  public static final PyTuple EMPTY = new PyTuple(List.of());

  public PyTuple {
    items = List.copyOf(items);
  }

  public static PyTuple of(Object... items) { return new PyTuple(List.of(items)); }

  public int size() { return items.size(); }

  public Object get(int i) { return items.get(i); }

  @Override
  public String toString() {
    StringBuilder sb = new StringBuilder("(");
    for (int i = 0; i < items.size(); i++) {
      if (i > 0) sb.append(", ");
      sb.append(PyValues.shortRepr(items.get(i)));
    }
    if (items.size() == 1) sb.append(',');
    return sb.append(')').toString();
  }
}
