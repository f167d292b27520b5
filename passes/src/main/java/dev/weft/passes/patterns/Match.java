package dev.weft.passes.patterns;

import dev.weft.ir.Node;
import dev.weft.ir.Value;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One way a {@link Pat} matched: values bound by name, constants bound by name (their value
 * and, when a constant node holds them, that value), and the nodes the pattern consumed.
 * Immutable: every extension is a copy, so alternatives can branch from one partial match.
 */
public final class Match {
  private final Map<String, Value> values;
  private final Map<String, Double> consts;
  private final Set<Node> interior;

  private Match(Map<String, Value> values, Map<String, Double> consts, Set<Node> interior) {
    this.values = values;
    this.consts = consts;
    this.interior = interior;
  }

  static Match empty() { return new Match(Map.of(), Map.of(), Set.of()); }

  /** The value bound to {@code name}, or null. */
  public Value value(String name) { return values.get(name); }

  /** The constant bound to {@code name}; NaN when unbound. */
  public double constant(String name) { return consts.getOrDefault(name, Double.NaN); }

  public boolean has(String name) { return values.containsKey(name) || consts.containsKey(name); }

  /** The node producing the value bound to {@code name}, or null. */
  public Node node(String name) {
    Value v = values.get(name);
    return v == null ? null : v.producer();
  }

  /** The nodes the pattern consumed, root included, in the order they were matched. */
  public Set<Node> interior() { return interior; }

  public Map<String, Value> values() { return values; }

  List<Match> bindValue(String name, Value v) {
    Value prev = values.get(name);
    if (prev != null) return prev == v ? List.of(this) : List.of();
    Map<String, Value> nv = new HashMap<>(values);
    nv.put(name, v);
    return List.of(new Match(nv, consts, interior));
  }

  List<Match> bindConst(String name, double x, Value v) {
    Double prev = consts.get(name);
    if (prev != null) return Double.compare(prev, x) == 0 ? List.of(this) : List.of();
    Map<String, Double> nc = new HashMap<>(consts);
    nc.put(name, x);
    Match m = new Match(values, nc, interior);
    return v == null ? List.of(m) : m.bindValue(name, v);
  }

  Match consume(Node n) {
    if (interior.contains(n)) return this;
    Set<Node> ni = new LinkedHashSet<>(interior);
    ni.add(n);
    return new Match(values, consts, ni);
  }
}
