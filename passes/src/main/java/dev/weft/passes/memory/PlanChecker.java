package dev.weft.passes.memory;

import dev.weft.ir.Constants;
import dev.weft.ir.Graph;
import dev.weft.ir.Node;
import dev.weft.ir.Use;
import dev.weft.ir.Value;
import dev.weft.passes.memory.MemoryPlan.Buffer;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * Checks a {@link MemoryPlan} against its graph, trusting nothing the planner computed:
 * <ul>
 *   <li>every non-constant tensor of the main graph has a buffer (or is listed as unplanned),
 *       of its size under the plan's bindings, with the live range recomputed here;</li>
 *   <li>offsets are aligned and every buffer ends within the peak;</li>
 *   <li>each sharing edge is legal: a view op's result at its operand's offset, or an
 *       elementwise result written over an operand of the same size at the same offset, where
 *       no other value in that memory is read after that step;</li>
 *   <li>two buffers that are live at the same step and overlap in memory belong to one
 *       sharing group (else one would overwrite the other).</li>
 * </ul>
 */
public final class PlanChecker {
  private PlanChecker() {}

  /** The problems found; empty when the plan is valid. */
  public static List<String> check(Graph main, MemoryPlan plan) {
    List<String> errors = new ArrayList<>();
    Map<String, Buffer> byName = new HashMap<>();
    for (Buffer b : plan.buffers()) {
      if (byName.put(b.value(), b) != null) errors.add("%" + b.value() + " has two buffers");
    }
    Map<Value, long[]> shapes = ShapeBinder.bind(main, plan.bindings());
    int steps = main.nodes().size();
    if (plan.steps() != steps) errors.add("plan has " + plan.steps() + " steps, graph has " + steps + " nodes");
    Map<Node, Integer> stepOf = new IdentityHashMap<>();
    for (int i = 0; i < steps; i++) stepOf.put(main.nodes().get(i), i);
    Map<String, Value> values = new HashMap<>();
    for (Value v : ShapeBinder.values(main)) {
      values.put(v.name(), v);
      if (Constants.valueOf(v) != null) {
        if (byName.containsKey(v.name())) errors.add("constant %" + v.name() + " is in the arena");
        continue;
      }
      Buffer b = byName.get(v.name());
      if (b == null) {
        if (!plan.unplanned().containsKey(v.name())) errors.add("%" + v.name() + " has no buffer");
        continue;
      }
      long[] s = shapes.get(v);
      long bytes = s == null ? -1 : ShapeBinder.bytes(v.type(), s);
      if (bytes != b.size()) errors.add("%" + v.name() + " needs " + bytes + " bytes, plan gives " + b.size());
      int first = v.isGraphInput() ? 0 : stepOf.get(v.producer());
      int last = first;
      for (Use u : v.uses()) last = Math.max(last, MemoryPlanner.useStep(u, main, steps, stepOf));
      if (b.firstUse() != first || b.lastUse() != last) {
        errors.add("%" + v.name() + " is live " + first + ".." + last + ", plan says " + b.firstUse() + ".." + b.lastUse());
      }
    }
    for (Buffer b : plan.buffers()) {
      if (!values.containsKey(b.value())) errors.add("plan has a buffer for unknown %" + b.value());
      if (b.offset() < 0 || b.offset() % plan.alignment() != 0) errors.add("%" + b.value() + " offset " + b.offset() + " is not aligned");
      if (b.offset() + b.size() > plan.peakBytes()) errors.add("%" + b.value() + " ends past the peak " + plan.peakBytes());
    }
    if (!errors.isEmpty()) return errors;

    // Sharing edges and groups.
    Map<String, String> root = new HashMap<>();
    for (Buffer b : plan.buffers()) {
      if (b.sharesWith() == null) continue;
      Buffer src = byName.get(b.sharesWith());
      Node p = values.get(b.value()).producer();
      String where = "%" + b.value() + " shares %" + b.sharesWith();
      if (src == null || p == null || !p.inputs().contains(values.get(b.sharesWith()))) {
        errors.add(where + ", which is not an operand of its producer");
        continue;
      }
      if (src.offset() != b.offset()) errors.add(where + " at another offset");
      if ("view".equals(b.how())) {
        if (!MemoryPlanner.VIEW_OPS.contains(p.opName()) || src.size() != b.size()) errors.add(where + " as a view, but " + p.opName() + " is not one");
      } else if ("in-place".equals(b.how())) {
        if (!MemoryPlanner.ELEMENTWISE_OPS.contains(p.opName()) || src.size() != b.size()) {
          errors.add(where + " in place, but " + p.opName() + " is not elementwise over equal sizes");
        }
      } else {
        errors.add(where + " by unknown means '" + b.how() + "'");
      }
      root.put(b.value(), b.sharesWith());
    }
    Map<String, List<Buffer>> groups = new HashMap<>();
    for (Buffer b : plan.buffers()) groups.computeIfAbsent(find(root, b.value()), k -> new ArrayList<>()).add(b);
    // In place at step t: every other member of the group written before t is read no later than t.
    for (Buffer b : plan.buffers()) {
      if (!"in-place".equals(b.how())) continue;
      for (Buffer o : groups.get(find(root, b.value()))) {
        if (o != b && o.firstUse() <= b.firstUse() && o.lastUse() > b.firstUse()) {
          errors.add("%" + b.value() + " is written in place at step " + b.firstUse() + " over %" + o.value() + ", which is read until " + o.lastUse());
        }
      }
    }
    // Disjoint groups: no overlap in time and memory (sweep by offset).
    List<Buffer> sorted = new ArrayList<>(plan.buffers());
    sorted.sort(Comparator.comparingLong(Buffer::offset));
    for (int i = 0; i < sorted.size(); i++) {
      Buffer a = sorted.get(i);
      for (int j = i + 1; j < sorted.size() && sorted.get(j).offset() < a.offset() + a.size(); j++) {
        Buffer c = sorted.get(j);
        if (a.liveTogether(c) && a.overlapsInMemory(c) && !find(root, a.value()).equals(find(root, c.value()))) {
          errors.add("%" + a.value() + " [" + a.offset() + ", +" + a.size() + ") and %" + c.value() + " [" + c.offset() + ", +"
              + c.size() + ") overlap and are both live at steps " + Math.max(a.firstUse(), c.firstUse()) + ".." + Math.min(a.lastUse(), c.lastUse()));
          if (errors.size() > 20) return errors;
        }
      }
    }
    return errors;
  }

  private static String find(Map<String, String> root, String v) {
    String cur = v;
    for (int guard = 0; root.containsKey(cur) && guard < 1_000_000; guard++) cur = root.get(cur);
    return cur;
  }
}
