package dev.weft.compiler.debug;

import dev.weft.bundle.Json;
import java.io.PrintWriter;
import java.util.List;

/**
 * What {@link NumericsDebugger} found: one row per fused group (kernel node) in step order,
 * each with the error of its results against the reference interpreter, and what was run but
 * not compared (if/loop steps: the groups inside their branches and bodies).
 */
public record NumericsReport(double rtol, double atol, int launches, List<GroupResult> groups, List<String> notCompared,
                             double millis) {

  /** One result value of a group: where it lives and how far it is off. */
  public record ValueResult(String value, String buffer, String type, long[] shape, TensorDiff diff) { }

  /**
   * @param firstStep index of the group's first launch in the program
   * @param group the launch group ({@code g<K>})
   * @param op the node's op ({@code fused} for a fused group)
   * @param nodes the graph nodes the group computes
   */
  public record GroupResult(int firstStep, String group, String op, List<String> nodes, List<ValueResult> values) {
    public boolean ok() { return values.stream().allMatch(v -> v.diff().ok()); }

    public double maxAbs() { return values.stream().mapToDouble(v -> v.diff().maxAbs()).max().orElse(0); }

    public double maxRel() { return values.stream().mapToDouble(v -> v.diff().maxRel()).max().orElse(0); }
  }

  /** The first group, in step order, with a value out of tolerance; null when none. */
  public GroupResult firstDivergence() {
    return groups.stream().filter(g -> !g.ok()).findFirst().orElse(null);
  }

  public boolean diverged() { return firstDivergence() != null; }

  /** The group with the largest absolute error; null when there are no groups. */
  public GroupResult worst() {
    GroupResult w = null;
    for (GroupResult g : groups) if (w == null || g.maxAbs() > w.maxAbs()) w = g;
    return w;
  }

  public void print(PrintWriter out) {
    out.printf("compared %d groups (%d launches) with the reference interpreter, rtol=%s atol=%s, in %.0f ms%n",
        groups.size(), launches, rtol, atol, millis);
    GroupResult first = firstDivergence();
    if (first == null) {
      GroupResult w = worst();
      out.println(w == null ? "no divergence (no groups)"
          : String.format("no divergence; worst error: max abs %.3e, max rel %.3e in %s (%s)", w.maxAbs(), w.maxRel(), w.group(), w.op()));
    } else {
      out.printf("FIRST DIVERGENCE at step %d, group %s (%s)%n", first.firstStep(), first.group(), first.op());
      out.println("  nodes: " + String.join(", ", first.nodes()));
      for (ValueResult v : first.values()) {
        TensorDiff d = v.diff();
        if (d.ok()) continue;
        out.printf("  %%%s (buffer %s, %s): %d of %d elements out of tolerance; max abs %.3e, max rel %.3e%n",
            v.value(), v.buffer(), v.type(), d.badCount(), d.size(), d.maxAbs(), d.maxRel());
        out.printf("    first bad element %s: got %s, want %s; largest error at %s%n", TensorDiff.coordinates(d.firstBad(), v.shape()),
            d.got(), d.want(), TensorDiff.coordinates(d.worstIndex(), v.shape()));
      }
      long later = groups.stream().filter(g -> !g.ok()).count() - 1;
      if (later > 0) out.println("  (" + later + " later group(s) also diverge; the first is the one to look at)");
    }
    for (String n : notCompared) out.println("not compared: " + n);
    out.printf("%-5s %-7s %-10s %-10s %-10s %-6s %s%n", "step", "group", "op", "max_abs", "max_rel", "status", "nodes");
    for (GroupResult g : groups) {
      String nodes = String.join(", ", g.nodes());
      if (nodes.length() > 80) nodes = nodes.substring(0, 77) + "...";
      out.printf("%-5d %-7s %-10s %-10.3e %-10.3e %-6s %s%n", g.firstStep(), g.group(), g.op(), g.maxAbs(), g.maxRel(),
          g.ok() ? "ok" : "DIFF", nodes);
    }
  }

  public String toJson() {
    Json.Arr rows = new Json.Arr();
    for (GroupResult g : groups) rows.add(groupJson(g));
    Json.Obj o = new Json.Obj().put("rtol", rtol).put("atol", atol).put("launches", launches).put("groups_compared", groups.size())
        .put("diverged", diverged());
    GroupResult first = firstDivergence();
    o.put("first_divergence", first == null ? null : groupJson(first));
    GroupResult w = worst();
    o.put("worst", w == null ? null : new Json.Obj().put("group", w.group()).put("max_abs", finite(w.maxAbs())).put("max_rel", finite(w.maxRel())));
    return o.put("groups", rows).put("not_compared", Json.strings(notCompared)).toString();
  }

  private static Json.Obj groupJson(GroupResult g) {
    Json.Arr values = new Json.Arr();
    for (ValueResult v : g.values()) {
      TensorDiff d = v.diff();
      values.add(new Json.Obj().put("value", v.value()).put("buffer", v.buffer()).put("type", v.type())
          .put("ok", d.ok()).put("max_abs", finite(d.maxAbs())).put("max_rel", finite(d.maxRel())).put("bad_count", d.badCount())
          .put("size", d.size()).put("first_bad_index", TensorDiff.coordinates(d.firstBad(), v.shape()))
          .put("worst_index", TensorDiff.coordinates(d.worstIndex(), v.shape())).put("got", finite(d.got())).put("want", finite(d.want())));
    }
    return new Json.Obj().put("step", g.firstStep()).put("group", g.group()).put("op", g.op()).put("ok", g.ok())
        .put("max_abs", finite(g.maxAbs())).put("max_rel", finite(g.maxRel())).put("nodes", Json.strings(g.nodes())).put("values", values);
  }

  /** JSON has no infinities or NaN: those become strings. */
  private static Object finite(double x) { return Double.isFinite(x) ? (Object) x : Double.toString(x); }
}
