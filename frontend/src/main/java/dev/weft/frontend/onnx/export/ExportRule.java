package dev.weft.frontend.onnx.export;

import dev.weft.ir.Node;

/** How one IR op is written as ONNX: emits nodes (and initializers) through the context. */
@FunctionalInterface
public interface ExportRule {
  void export(Node n, ExportContext cx);
}
