package dev.weft.frontend.onnx;

import dev.weft.ir.Value;
import java.util.List;

/**
 * Lowers one ONNX node (of one op, from one opset version on) to IR core ops and composites.
 * Returns one IR value per ONNX output, in order; null for an optional output the op does not
 * produce. The builder in {@link ImportContext#builder()} is already positioned and stamped
 * with the node's location.
 */
@FunctionalInterface
public interface OnnxOpHandler {
  List<Value> lower(OnnxNode node, ImportContext ctx);
}
