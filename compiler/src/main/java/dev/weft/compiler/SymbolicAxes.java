package dev.weft.compiler;

import dev.weft.bundle.Tensor;
import dev.weft.ir.Constants;
import dev.weft.ir.Graph;
import dev.weft.ir.Node;
import dev.weft.ir.TensorType;
import dev.weft.ir.Use;
import dev.weft.ir.Value;
import dev.weft.ir.ops.FusedOp;
import java.lang.foreign.MemorySegment;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * Finds where a range dim lives in the optimized graph by comparing two compiles of it: one with
 * the dim bound to MAX (the graph that is lowered) and one bound to MAX+1. A value whose axis 0
 * is MAX in the first and MAX+1 in the second carries the dim there; any other difference
 * (another axis, a merged axis, a different graph, a constant folded from the dim's value) is a
 * {@link SymbolicDimException}. Comparing real compiles, rather than guessing from shapes, keeps
 * an axis that merely equals MAX by coincidence static, and catches shape arithmetic on the dim
 * that folding turned into constants.
 */
final class SymbolicAxes {
  private final ShapeBinding.RangeDim range;
  private final Map<Value, String> leading = new IdentityHashMap<>();
  /** Fit mode ({@link #axes}): the dim's value in the second graph, and the axes found per value. */
  private final long alt;
  private final boolean anyAxis;
  private final Map<Value, int[]> axes = new IdentityHashMap<>();

  private SymbolicAxes(ShapeBinding.RangeDim range, long alt, boolean anyAxis) {
    this.range = range;
    this.alt = alt;
    this.anyAxis = anyAxis;
  }

  /** The values of {@code atMax} (main graph and fused bodies) whose axis 0 is the range dim. */
  static Map<Value, String> find(Graph atMax, Graph atAlt, ShapeBinding.RangeDim range) {
    SymbolicAxes s = new SymbolicAxes(range, range.max() + 1, false);
    s.graph(atMax, atAlt, null);
    return s.leading;
  }

  /**
   * The values of {@code atMax} that carry the range dim on any axes (sorted), comparing with
   * {@code atAlt} compiled with the dim at {@code alt}: an axis carries it when it is MAX there
   * and {@code alt} here; any other difference is refused as in {@link #find}. Constants that
   * carry the dim must be prefix-consistent along every axis carrying it (they are stored at
   * MAX and kernels read them with MAX strides: run below MAX, they read the prefix).
   */
  static Map<Value, int[]> axes(Graph atMax, Graph atAlt, ShapeBinding.RangeDim range, long alt) {
    SymbolicAxes s = new SymbolicAxes(range, alt, true);
    s.graph(atMax, atAlt, null);
    return s.axes;
  }

  private void graph(Graph a, Graph b, Node group) {
    if (a.inputs().size() != b.inputs().size() || a.nodes().size() != b.nodes().size() || a.outputs().size() != b.outputs().size()) {
      throw fail(group, null, null, -1, "the optimized graph " + (group == null ? "" : "of this group ") + "has a different structure at "
          + range.symbol() + " = " + alt + " than at " + range.max());
    }
    for (int i = 0; i < a.inputs().size(); i++) value(a.inputs().get(i), b.inputs().get(i), group, null);
    for (int i = 0; i < a.nodes().size(); i++) {
      Node x = a.nodes().get(i);
      Node y = b.nodes().get(i);
      if (!x.opName().equals(y.opName()) || x.outputs().size() != y.outputs().size()) {
        throw fail(group, x, null, -1, "the optimized graph changes with the dim's value (" + x.opName() + " vs " + y.opName() + ")");
      }
      for (int o = 0; o < x.outputs().size(); o++) value(x.outputs().get(o), y.outputs().get(o), group, x);
      if (x.opName().equals(Constants.OP)) constant(x, y, group);
      if (x.opName().equals(FusedOp.OP)) graph(x.attrs().getGraph("body"), y.attrs().getGraph("body"), x);
    }
  }

  private void value(Value x, Value y, Node group, Node node) {
    if (!(x.type() instanceof TensorType tx) || !(y.type() instanceof TensorType ty) || !tx.shape().isStatic() || !ty.shape().isStatic()) return;
    long[] sx = tx.shape().sizes();
    long[] sy = ty.shape().sizes();
    if (sx.length != sy.length) throw fail(group, node, x, -1, "its rank depends on the dim");
    if (anyAxis) {
      java.util.List<Integer> found = new java.util.ArrayList<>();
      for (int d = 0; d < sx.length; d++) {
        if (sx[d] == sy[d]) continue;
        if (sx[d] != range.max() || sy[d] != alt) {
          throw fail(group, node, x, d, "axis " + d + " is " + sx[d] + " = a multiple or function of the dim (a reshape merging it?)");
        }
        found.add(d);
      }
      if (!found.isEmpty()) axes.put(x, found.stream().mapToInt(Integer::intValue).toArray());
      return;
    }
    for (int d = 0; d < sx.length; d++) {
      if (sx[d] == sy[d]) continue;
      if (d != 0) throw fail(group, node, x, d, "the dim reaches a non-leading axis");
      if (sx[d] != range.max() || sy[d] != range.max() + 1) {
        throw fail(group, node, x, d, "axis 0 is " + sx[d] + " = a multiple or function of the dim (a reshape merging it?)");
      }
      leading.put(x, range.symbol());
    }
  }

  /** A constant folded from the dim's value differs between the compiles; one that carries it must agree on the common slices. */
  private void constant(Node x, Node y, Node group) {
    Value v = x.output(0);
    if (onlyShapeOperand(v)) return;
    Tensor a = Constants.valueOf(v);
    Tensor b = Constants.valueOf(y.output(0));
    MemorySegment sa = a.data();
    MemorySegment sb = b.data();
    if (anyAxis) {
      int[] ax = axes.get(v);
      String why = ax == null ? (sa.byteSize() == sb.byteSize() && sa.mismatch(sb) < 0 ? null : "its values are computed from the dim")
          : dev.weft.codegen.kir.DimFit.prefixConsistent(a, b, ax);
      if (why != null) {
        throw fail(group, x, v, ax == null ? -1 : ax[0], "a constant that depends on the dim cannot be read below MAX: " + why + "; used by "
            + v.uses().stream().map(u -> u.user() == null ? "the graph's outputs" : u.user().opName() + " operand " + u.index()).toList());
      }
      return;
    }
    long n = Math.min(sa.byteSize(), sb.byteSize());
    boolean same = leading.containsKey(v) ? sa.asSlice(0, n).mismatch(sb.asSlice(0, n)) < 0 : sa.mismatch(sb) < 0;
    if (!same) throw fail(group, x, v, -1, "a constant computed from the dim's value (shape arithmetic folded into data), used by "
        + v.uses().stream().map(u -> u.user() == null ? "the graph's outputs" : u.user().opName() + " operand " + u.index()).toList());
  }

  /**
   * Whether {@code v} is only the target shape of reshapes (operand 1, also inside fused groups): that shape is the
   * reshape's result type, which {@link #value} compares, and lowering reads no data from it.
   */
  private static boolean onlyShapeOperand(Value v) {
    if (v.uses().isEmpty()) return false;
    for (Use u : v.uses()) {
      if (u.user() == null) return false;
      if (u.user().opName().equals(FusedOp.OP)) {
        if (!onlyShapeOperand(u.user().attrs().getGraph("body").inputs().get(u.index()))) return false;
      } else if (!u.user().opName().equals("reshape") || u.index() != 1) {
        return false;
      }
    }
    return true;
  }

  private SymbolicDimException fail(Node group, Node node, Value value, int axis, String why) {
    StringBuilder sb = new StringBuilder("dim '" + range.symbol() + "' (range " + range.min() + ".." + range.max() + ", input '"
        + range.input() + "' axis " + range.axis() + ") cannot stay symbolic: " + why);
    if (group != null) sb.append("; group ").append(group.describe());
    if (node != null) sb.append("; node ").append(node.describe());
    if (value != null) sb.append("; value %").append(value.name()).append(' ').append(value.type());
    if (axis >= 0) sb.append(" axis ").append(axis);
    sb.append(anyAxis ? ". Compile with a static size, e.g. --shapes '"
        : ". Only a leading (axis 0) dim that every kernel handles slice by slice can take a range; compile with a static size, e.g. --shapes '");
    return new SymbolicDimException(sb.append(range.staticExample()).append("'").toString());
  }

  static List<String> symbols(Map<Value, String> leading) { return leading.values().stream().distinct().sorted().toList(); }
}
