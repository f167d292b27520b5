package dev.weft.passes.fusion;

import dev.weft.ir.Graph;
import dev.weft.ir.Node;
import dev.weft.ir.TensorType;
import dev.weft.ir.Value;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Set;

/**
 * Shape computations that survive simplification because a dim is symbolic: {@code shape_of}
 * and the small integer arithmetic, gathers and concats on its result (a reshape's target
 * shape at run time). They read no tensor data, so the runtime evaluates them on the host
 * when it binds symbolic dims; they are neither fused nor counted as device kernels.
 */
public final class HostShapes {
  /** Largest result (elements) still taken for a shape vector. */
  static final long MAX_ELEMENTS = 64;

  private HostShapes() {}

  /** The nodes of {@code g} that compute shapes from shapes only. */
  public static Set<Node> of(Graph g) {
    Set<Node> host = Collections.newSetFromMap(new IdentityHashMap<>());
    for (Node n : g.nodes()) {
      OpClass c = OpClass.of(n);
      if (c == OpClass.SHAPE) {
        host.add(n);
        continue;
      }
      if (c != OpClass.ELEMENTWISE && c != OpClass.LAYOUT) continue;
      boolean fromShape = false;
      boolean ok = true;
      for (Value v : n.inputs()) {
        if (v == null) continue;
        Node p = v.producer();
        if (p != null && host.contains(p)) fromShape = true;
        else if (p == null || OpClass.of(p) != OpClass.CONSTANT) ok = false;
      }
      for (Value v : n.outputs()) ok &= smallInteger(v);
      if (ok && fromShape) host.add(n);
    }
    return host;
  }

  private static boolean smallInteger(Value v) {
    if (!(v.type() instanceof TensorType t) || !t.shape().isStatic()) return false;
    if (!t.dtype().isInteger()) return false;
    return t.shape().elementCount() <= MAX_ELEMENTS;
  }
}
