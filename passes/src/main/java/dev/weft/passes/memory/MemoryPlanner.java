package dev.weft.passes.memory;

import dev.weft.ir.Constants;
import dev.weft.ir.Graph;
import dev.weft.ir.Node;
import dev.weft.ir.Use;
import dev.weft.ir.Value;
import dev.weft.passes.memory.MemoryPlan.Buffer;
import dev.weft.passes.memory.MemoryPlan.Kind;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Static memory planning for one device's graph (DESIGN.md: after partitioning and fusion,
 * once per rank), in three steps:
 * <ol>
 *   <li><b>Liveness</b> over the schedule (the main graph's node order): a value is live from
 *       its producer's step to its last reader's step. A node holding subgraphs reads, at its
 *       own step, every outer value its subgraphs read. Graph inputs are live from step 0 (the
 *       runtime copies them into the arena before the first step), graph outputs until after
 *       the last step (it copies them out). Constants are not planned: they live in the
 *       weights region.</li>
 *   <li><b>Sharing</b>: a view op ({@link #VIEW_OPS}: the IR's tensors are dense row-major, so
 *       a reshape is the same bytes) takes its operand's memory; an elementwise op
 *       ({@link #ELEMENTWISE_OPS}) writes into an operand of the same byte size whose memory
 *       dies at it (in place). Values sharing memory form a group with one live range.</li>
 *   <li><b>Packing</b>: TFLite's "greedy by size" (and Pisarchyk and Lee, "Efficient Memory
 *       Management for Deep Neural Net Inference", 2020): groups in decreasing size, each put
 *       in the smallest gap, among the already placed groups whose live ranges intersect its
 *       own, that fits it (best fit), else above them all; offsets aligned to
 *       {@value #ALIGNMENT} bytes.</li>
 * </ol>
 * Deterministic: ties break on the first use, then on the schedule position.
 * {@link PlanChecker} verifies any plan against the graph.
 */
public final class MemoryPlanner {
  public static final int ALIGNMENT = 64;

  /** Ops whose result is their operand's bytes under another shape or dtype of one width. */
  public static final Set<String> VIEW_OPS = Set.of("reshape", "squeeze", "unsqueeze", "flatten", "identity", "bitcast");

  /**
   * Ops whose result element i depends only on element i of each operand (after broadcasting):
   * one may write its result over an operand of the result's byte size that dies at it.
   */
  public static final Set<String> ELEMENTWISE_OPS = Set.of(
      "neg", "abs", "sign", "relu", "reciprocal", "floor", "ceil", "round", "exp", "log", "sqrt", "rsqrt",
      "sin", "cos", "tan", "asin", "acos", "atan", "sinh", "cosh", "asinh", "acosh", "atanh", "tanh", "sigmoid",
      "erf", "bitwise_not", "not", "is_nan", "is_inf", "add", "sub", "mul", "div", "pow", "max", "min", "mod",
      "bitwise_and", "bitwise_or", "bitwise_xor", "and", "or", "xor", "equal", "less", "less_equal", "greater",
      "greater_equal", "select", "cast", "clip", "gelu", "elu", "celu", "selu", "leaky_relu", "hard_sigmoid",
      "hard_swish", "mish", "softplus", "softsign", "thresholded_relu", "shrink", "prelu", "bit_shift");

  private final boolean inPlace;
  private final boolean views;

  public MemoryPlanner() { this(true, true); }

  /** A planner that may be told not to share memory (for comparisons and tests). */
  public MemoryPlanner(boolean inPlace, boolean views) {
    this.inPlace = inPlace;
    this.views = views;
  }

  /** Plans {@code main} for the given values of its symbolic dims, with views and in-place updates. */
  public static MemoryPlan plan(Graph main, Map<String, Long> dimBindings) { return new MemoryPlanner().run(main, dimBindings); }

  private static final class Group {
    final int id;
    long size;
    int first;
    int last;
    long offset = -1;

    Group(int id, long size, int first, int last) {
      this.id = id;
      this.size = size;
      this.first = first;
      this.last = last;
    }

    long padded() { return align(size); }

    boolean liveWith(Group o) { return first <= o.last && o.first <= last; }
  }

  public MemoryPlan run(Graph main, Map<String, Long> dimBindings) {
    Map<Value, long[]> shapes = ShapeBinder.bind(main, dimBindings);
    List<Node> nodes = main.nodes();
    int steps = nodes.size();
    Map<Node, Integer> stepOf = new IdentityHashMap<>();
    for (int i = 0; i < steps; i++) stepOf.put(nodes.get(i), i);

    // 1. Liveness and sizes.
    Map<String, String> unplanned = new LinkedHashMap<>();
    Map<Value, long[]> life = new IdentityHashMap<>();   // {first, last}
    Map<Value, Long> size = new IdentityHashMap<>();
    long weights = 0;
    List<Value> planned = new ArrayList<>();
    for (Value v : ShapeBinder.values(main)) {
      if (Constants.valueOf(v) != null) {
        weights += align(Constants.valueOf(v).byteSize());
        continue;
      }
      long[] s = shapes.get(v);
      long bytes = s == null ? -1 : ShapeBinder.bytes(v.type(), s);
      if (bytes < 0) {
        unplanned.put(v.name(), !(v.type() instanceof dev.weft.ir.TensorType) ? "not a tensor (" + v.type() + ")"
            : s == null ? "size known only at run time (" + v.type() + ")" : "no fixed element size (" + v.type() + ")");
        continue;
      }
      int first = v.isGraphInput() ? 0 : stepOf.get(v.producer());
      int last = first;
      for (Use u : v.uses()) last = Math.max(last, useStep(u, main, steps, stepOf));
      life.put(v, new long[] {first, last});
      size.put(v, bytes);
      planned.add(v);
    }

    // 2. Sharing: views and in-place updates, in schedule order.
    Map<Value, Group> groupOf = new IdentityHashMap<>();
    Map<Value, String[]> share = new IdentityHashMap<>();   // {operand name, how}
    List<Group> groups = new ArrayList<>();
    for (Value v : planned) {
      long[] l = life.get(v);
      Group g = null;
      Node p = v.producer();
      if (p != null && p.outputCount() == 1) {
        int t = (int) l[0];
        if (views && VIEW_OPS.contains(p.opName()) && groupOf.get(p.input(0)) instanceof Group src
            && size.get(p.input(0)).longValue() == size.get(v).longValue()) {
          g = src;
          share.put(v, new String[] {p.input(0).name(), "view"});
        } else if (inPlace && ELEMENTWISE_OPS.contains(p.opName())) {
          for (Value operand : p.inputs()) {
            Group src = operand == null ? null : groupOf.get(operand);
            if (src == null || src.last != t || src.size != size.get(v) || size.get(operand) != src.size) continue;
            if (!alignedReaders(p, src, groupOf, size, size.get(v))) continue;
            g = src;
            share.put(v, new String[] {operand.name(), "in-place"});
            break;
          }
        }
      }
      if (g == null) {
        g = new Group(groups.size(), size.get(v), (int) l[0], (int) l[1]);
        groups.add(g);
      } else {
        g.last = Math.max(g.last, (int) l[1]);
      }
      groupOf.put(v, g);
    }

    // 3. Packing: greedy by size, best fit.
    List<Group> order = new ArrayList<>(groups);
    order.sort(Comparator.comparingLong((Group g) -> -g.padded()).thenComparingInt(g -> g.first).thenComparingInt(g -> g.id));
    List<Group> placed = new ArrayList<>();
    long peak = 0;
    for (Group g : order) {
      List<Group> live = new ArrayList<>();
      for (Group o : placed) if (o.liveWith(g)) live.add(o);
      live.sort(Comparator.comparingLong((Group o) -> o.offset).thenComparingInt(o -> o.id));
      long best = -1;
      long bestGap = Long.MAX_VALUE;
      long cursor = 0;
      for (Group o : live) {
        long gap = o.offset - cursor;
        if (gap >= g.padded() && gap < bestGap) {
          best = cursor;
          bestGap = gap;
        }
        cursor = Math.max(cursor, o.offset + o.padded());
      }
      g.offset = best >= 0 ? best : cursor;
      placed.add(g);
      peak = Math.max(peak, g.offset + g.padded());
    }

    long naive = 0;
    List<Buffer> buffers = new ArrayList<>();
    for (Value v : planned) {
      Group g = groupOf.get(v);
      long[] l = life.get(v);
      String[] sh = share.get(v);
      Kind kind = v.isGraphInput() ? Kind.INPUT : isGraphOutput(v, main) ? Kind.OUTPUT : Kind.INTERMEDIATE;
      buffers.add(new Buffer(v.name(), g.offset, size.get(v), (int) l[0], (int) l[1], kind,
          sh == null ? null : sh[0], sh == null ? null : sh[1]));
      naive += align(size.get(v));
    }
    return new MemoryPlan(buffers, steps, peak, naive, lowerBound(groups, steps), weights, ALIGNMENT, dimBindings, unplanned);
  }

  /**
   * Whether every operand of {@code p} that lives in {@code src} is read element for element
   * (its byte size is the result's): writing result element i then never clobbers an element
   * another operand still has to read.
   */
  private static boolean alignedReaders(Node p, Group src, Map<Value, Group> groupOf, Map<Value, Long> size, long outBytes) {
    for (Value o : p.inputs()) {
      if (o != null && groupOf.get(o) == src && size.get(o) != outBytes) return false;
    }
    return true;
  }

  /** The step at which a use reads its value: the user's step, or the user's main-graph ancestor's. */
  static int useStep(Use u, Graph main, int steps, Map<Node, Integer> stepOf) {
    if (u.isGraphOutput()) {
      Graph g = u.outputOf();
      if (g == main) return steps;
      return stepOf.get(ancestorIn(g.parent(), main));
    }
    return stepOf.get(ancestorIn(u.user(), main));
  }

  private static Node ancestorIn(Node n, Graph main) {
    Node cur = n;
    while (cur.graph() != main) cur = cur.graph().parent();
    return cur;
  }

  static boolean isGraphOutput(Value v, Graph main) {
    for (Use u : v.uses()) if (u.isGraphOutput() && u.outputOf() == main) return true;
    return false;
  }

  /** The largest total of aligned group sizes live at one step. */
  private static long lowerBound(List<Group> groups, int steps) {
    long[] delta = new long[steps + 2];
    for (Group g : groups) {
      delta[g.first] += g.padded();
      delta[g.last + 1] -= g.padded();
    }
    long cur = 0;
    long best = 0;
    for (long d : delta) {
      cur += d;
      best = Math.max(best, cur);
    }
    return best;
  }

  static long align(long bytes) { return (bytes + ALIGNMENT - 1) / ALIGNMENT * ALIGNMENT; }
}
