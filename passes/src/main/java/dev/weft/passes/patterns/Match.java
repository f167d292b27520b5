package dev.weft.passes.patterns;

import dev.weft.ir.Node;
import dev.weft.ir.Value;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One way a {@link Pat} matched: values bound by name, constants bound by name (their value
 * and, when a constant node holds them, that value), and the nodes the pattern consumed.
 * Immutable: every extension shares what it extends (bindings and consumed nodes are linked
 * lists, newest first), so alternatives branch from one partial match without copying; the
 * maps and the node set are built only for a match someone reads whole.
 */
public final class Match {
  /** A binding (value or constant) and the ones made before it. */
  private record Binding(String name, Value value, double constant, Binding next) {}

  /** A consumed node and the ones consumed before it. */
  private record Consumed(Node node, Consumed next) {}

  private static final Match EMPTY = new Match(null, null, null);

  private final Binding values;
  private final Binding consts;
  private final Consumed interior;

  private Match(Binding values, Binding consts, Consumed interior) {
    this.values = values;
    this.consts = consts;
    this.interior = interior;
  }

  static Match empty() { return EMPTY; }

  private static Binding find(Binding b, String name) {
    for (; b != null; b = b.next()) if (b.name().equals(name)) return b;
    return null;
  }

  /** The value bound to {@code name}, or null. */
  public Value value(String name) {
    Binding b = find(values, name);
    return b == null ? null : b.value();
  }

  /** The constant bound to {@code name}; NaN when unbound. */
  public double constant(String name) {
    Binding b = find(consts, name);
    return b == null ? Double.NaN : b.constant();
  }

  public boolean has(String name) { return find(values, name) != null || find(consts, name) != null; }

  /** The node producing the value bound to {@code name}, or null. */
  public Node node(String name) {
    Value v = value(name);
    return v == null ? null : v.producer();
  }

  /** The nodes the pattern consumed, root included, in the order they were matched. */
  public Set<Node> interior() {
    List<Node> newestFirst = new ArrayList<>();
    for (Consumed c = interior; c != null; c = c.next()) newestFirst.add(c.node());
    Collections.reverse(newestFirst);
    return Collections.unmodifiableSet(new LinkedHashSet<>(newestFirst));
  }

  /** The values bound by name, in binding order. */
  public Map<String, Value> values() {
    List<Binding> newestFirst = new ArrayList<>();
    for (Binding b = values; b != null; b = b.next()) newestFirst.add(b);
    Map<String, Value> out = new LinkedHashMap<>();
    for (int i = newestFirst.size() - 1; i >= 0; i--) out.put(newestFirst.get(i).name(), newestFirst.get(i).value());
    return Collections.unmodifiableMap(out);
  }

  List<Match> bindValue(String name, Value v) {
    Binding prev = find(values, name);
    if (prev != null) return prev.value() == v ? List.of(this) : List.of();
    return List.of(new Match(new Binding(name, v, Double.NaN, values), consts, interior));
  }

  List<Match> bindConst(String name, double x, Value v) {
    Binding prev = find(consts, name);
    if (prev != null) return Double.compare(prev.constant(), x) == 0 ? List.of(this) : List.of();
    Match m = new Match(values, new Binding(name, null, x, consts), interior);
    return v == null ? List.of(m) : m.bindValue(name, v);
  }

  Match consume(Node n) {
    for (Consumed c = interior; c != null; c = c.next()) if (c.node() == n) return this;
    return new Match(values, consts, new Consumed(n, interior));
  }
}
