package dev.weft.passes.fusion;

import dev.weft.ir.Constants;
import dev.weft.ir.Graph;
import dev.weft.ir.Node;
import dev.weft.ir.ops.FusedOp;
import java.util.Set;
import java.util.TreeMap;

/**
 * How many kernels a graph launches, by one stated rule: every node of the main graph is one
 * kernel (a {@code fused} node is one, whatever it holds), except constants (data in the
 * weights file) and host shape computations ({@link HostShapes}: {@code shape_of} and the
 * small integer ops on its result, evaluated by the runtime when it binds symbolic dims).
 * Reshapes and other views left outside groups do count, as ONNX Runtime counts them.
 */
public record KernelCount(int kernels, int fused, int unfused, int hostShapeOps, int constants, TreeMap<String, Integer> unfusedOps) {
  public static KernelCount of(Graph main) {
    Set<Node> host = HostShapes.of(main);
    int fused = 0;
    int unfused = 0;
    int constants = 0;
    TreeMap<String, Integer> ops = new TreeMap<>();
    for (Node n : main.nodes()) {
      if (n.opName().equals(Constants.OP)) constants++;
      else if (host.contains(n)) continue;
      else if (n.opName().equals(FusedOp.OP)) fused++;
      else {
        unfused++;
        ops.merge(n.opName(), 1, Integer::sum);
      }
    }
    return new KernelCount(fused + unfused, fused, unfused, host.size(), constants, ops);
  }

  @Override
  public String toString() {
    return kernels + " kernels (" + fused + " fused groups + " + unfused + " unfused " + unfusedOps + "); not counted: "
        + hostShapeOps + " host shape ops, " + constants + " constants";
  }
}
