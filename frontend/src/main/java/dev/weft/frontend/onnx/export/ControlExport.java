package dev.weft.frontend.onnx.export;

import dev.weft.ir.Node;

/** Control flow (subgraphs are written by the attribute conversion), sequences and optionals. */
final class ControlExport implements ExportFamily {
  @Override
  public void register(ExportTable t) {
    t.add("fused", ControlExport::inlineFused);
    t.add("if", Rules.same("If", "then_branch", "else_branch"));
    t.add("loop", Rules.same("Loop", "body"));
    t.add("scan", ControlExport::scan);
    t.add("sequence_map", Rules.same("SequenceMap", "body"));
    t.add("sequence_construct", Rules.same("SequenceConstruct"));
    t.add("sequence_empty", Rules.same("SequenceEmpty", "dtype"));
    t.add("sequence_at", Rules.same("SequenceAt"));
    t.add("sequence_insert", Rules.same("SequenceInsert"));
    t.add("sequence_erase", Rules.same("SequenceErase"));
    t.add("sequence_length", Rules.same("SequenceLength"));
    t.add("split_to_sequence", Rules.same("SplitToSequence", "axis", "keepdims"));
    t.add("concat_from_sequence", Rules.same("ConcatFromSequence", "axis", "new_axis"));
    t.add("optional", Rules.same("Optional", "type"));
    t.add("optional_has_element", Rules.same("OptionalHasElement"));
    t.add("optional_get_element", Rules.same("OptionalGetElement"));
  }

  /** Scan-9+ has the same layout; the batched form (Scan-8, a leading sequence_lens operand) has no opset-21 op. */
  static void scan(Node n, ExportContext cx) {
    if (n.attrs().getBool("batched")) {
      cx.asWeftOp(n, "batched scan is ONNX Scan-8, not expressible at opset " + cx.opset());
      return;
    }
    cx.node("Scan", cx.ins(n), cx.outs(n), cx.attrs(n, "body", "num_scan_inputs", "scan_input_axes",
        "scan_input_directions", "scan_output_axes", "scan_output_directions"));
  }

  /**
   * A fused kernel has no ONNX counterpart: its body is written inline (operands bound to the body's
   * inputs and its results to the node's outputs by Identity), so the exported model computes the
   * same thing with standard ops.
   */
  private static void inlineFused(Node n, ExportContext cx) {
    dev.weft.ir.Graph body = n.attrs().getGraph("body");
    for (int i = 0; i < body.inputs().size(); i++) cx.alias(cx.in(n, i), cx.name(body.inputs().get(i)));
    for (Node m : body.nodes()) cx.export(m);
    for (int i = 0; i < n.outputCount(); i++) cx.alias(cx.name(body.outputs().get(i)), cx.out(n, i));
  }
}
