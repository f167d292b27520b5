package dev.weft.compiler.debug;

import dev.weft.bundle.WeftException;
import dev.weft.bundle.program.Buffer;
import dev.weft.bundle.program.BufferKind;
import dev.weft.bundle.program.Step;
import dev.weft.ir.Constants;
import dev.weft.ir.Graph;
import dev.weft.ir.Node;
import dev.weft.ir.TensorType;
import dev.weft.ir.Value;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Which program buffer holds which graph value, recovered from a lowered program: lowering
 * creates buffers in graph order (inputs, then per node: a weight for a used constant, a view
 * for a layout-only node, its results for a kernel node followed by that group's body
 * constants), so walking nodes and buffers together pairs them. Each pair is checked by dtype
 * and shape, so a change in lowering's order fails loudly here instead of comparing wrong
 * buffers. Kernel nodes are numbered in order, as lowering names their groups {@code g<K>}.
 */
final class BufferValues {
  /** A kernel node: its launch group name and the buffer of each of its results. */
  record Group(String name, Node node, List<Value> values, List<String> buffers) { }

  final List<Group> groups = new ArrayList<>();
  final Map<Value, String> bufferOf = new IdentityHashMap<>();

  static BufferValues of(Graph main, List<Buffer> buffers, List<Step> steps) {
    BufferValues out = new BufferValues();
    Map<String, Set<String>> groupArgs = new java.util.HashMap<>();
    for (Step s : steps) {
      if (s instanceof Step.Launch l) groupArgs.computeIfAbsent(l.group(), k -> new HashSet<>()).addAll(l.args());
    }
    int at = 0;
    for (Value in : main.inputs()) at = out.pair(in, buffers, at, main, "input");
    int k = 0;
    for (Node n : main.nodes()) {
      if (n.opName().equals(Constants.OP)) {
        Value v = n.output(0);
        if (v.hasUses() || main.outputs().contains(v)) at = out.pair(v, buffers, at, main, "weight");
        continue;
      }
      if (at < buffers.size() && buffers.get(at).kind() == BufferKind.VIEW) {
        at = out.pair(n.output(0), buffers, at, main, "view");
        continue;
      }
      String group = "g" + k++;
      List<String> names = new ArrayList<>();
      for (Value v : n.outputs()) {
        if (at < buffers.size()) names.add(buffers.get(at).name());
        at = out.pair(v, buffers, at, main, "result");
      }
      out.groups.add(new Group(group, n, List.copyOf(n.outputs()), names));
      Set<String> args = groupArgs.getOrDefault(group, Set.of());
      while (at < buffers.size() && buffers.get(at).kind() == BufferKind.WEIGHT && args.contains(buffers.get(at).name())
          && buffers.get(at).name().startsWith("w_" + group + "_")) {
        at++;
      }
    }
    return out;
  }

  private int pair(Value v, List<Buffer> buffers, int at, Graph main, String role) {
    if (at >= buffers.size()) throw mismatch(v, null, role);
    Buffer b = buffers.get(at);
    if (!(v.type() instanceof TensorType t) || t.dtype() != b.dtype() || !t.shape().isStatic()
        || !java.util.Arrays.equals(t.shape().sizes(), b.shapeFor(Map.of()))) {
      throw mismatch(v, b, role);
    }
    bufferOf.put(v, b.name());
    return at + 1;
  }

  private static WeftException mismatch(Value v, Buffer b, String role) {
    return new WeftException("debug-numerics: cannot pair %" + v.name() + " (" + v.type() + ", " + role + ") with program buffer "
        + (b == null ? "(none left)" : b.name() + " (" + b.dtype() + b.shape() + ", " + b.kind() + ")")
        + "; the lowering's buffer order changed and BufferValues must follow it");
  }
}
