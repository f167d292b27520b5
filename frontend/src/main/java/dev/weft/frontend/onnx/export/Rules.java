package dev.weft.frontend.onnx.export;

import dev.weft.frontend.onnx.proto.OnnxProto.AttributeProto;
import dev.weft.ir.Node;
import java.util.ArrayList;
import java.util.List;

/** Rule builders for the common shapes of an export row. */
final class Rules {
  private Rules() {}

  /** Same operands and results; every attribute set on the node, under the same name. */
  static ExportRule same(String onnxOp) {
    return (n, cx) -> cx.node(onnxOp, cx.ins(n), cx.outs(n), all(n, cx));
  }

  /** Same operands and results; only the listed attributes (the others have no ONNX counterpart). */
  static ExportRule same(String onnxOp, String... attrs) {
    return (n, cx) -> cx.node(onnxOp, cx.ins(n), cx.outs(n), cx.attrs(n, attrs));
  }

  /** Like {@link #same(String, String...)} but empty int lists are left out (conv/pool windows). */
  static ExportRule window(String onnxOp, String... attrs) {
    return (n, cx) -> cx.node(onnxOp, cx.ins(n), cx.outs(n), cx.attrsNonEmpty(n, attrs));
  }

  /** An op of another domain (ai.onnx.ml, ...), same operands and attributes. */
  static ExportRule inDomain(String domain, long version, String onnxOp) {
    return (n, cx) -> {
      cx.useDomain(domain, version);
      cx.node(domain, onnxOp, cx.ins(n), cx.outs(n), all(n, cx));
    };
  }

  /** Exported as its decomposition (no ONNX op at the target opset). */
  static ExportRule decompose() { return (n, cx) -> cx.decompose(n); }

  /** Written as itself in the dev.weft domain, with a warning. */
  static ExportRule weft(String why) { return (n, cx) -> cx.asWeftOp(n, why); }

  static List<AttributeProto> all(Node n, ExportContext cx) {
    List<AttributeProto> out = new ArrayList<>();
    n.attributes().forEach((k, a) -> out.add(cx.attr(k, a)));
    return out;
  }

  static List<String> list(String... names) { return new ArrayList<>(List.of(names)); }
}
