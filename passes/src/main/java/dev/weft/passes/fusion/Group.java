package dev.weft.passes.fusion;

import dev.weft.ir.Node;
import java.util.ArrayList;
import java.util.List;

/** A fusion group while the planner grows it: members, kind, the anchor and its iteration domain. */
final class Group {
  enum Kind {
    ELEMENTWISE("elementwise"), REDUCTION("reduction"), MATMUL_EPILOGUE("matmul_epilogue"),
    CONV_EPILOGUE("conv_epilogue"), ATTENTION("attention");

    final String text;

    Kind(String text) { this.text = text; }

    boolean anchored() { return this == MATMUL_EPILOGUE || this == CONV_EPILOGUE || this == ATTENTION; }
  }

  final List<Node> members = new ArrayList<>();
  Kind kind;
  /** The matmul, conv or attention node (the first matmul of an attention chain); null otherwise. */
  Node anchor;
  /** Elements of the anchor's result, or of a reduction's input: no member may produce more. */
  Sizes.Count domain;
  /** Reduction groups: the shared signature (input shape / axes). */
  String reduction;
  /** Only layout ops: may fold into a matmul's operand reads. */
  boolean layoutOnly = true;
  /** Why members joined ("epilogue add at ..."), in merge order. */
  final List<Planner.Join> joins = new ArrayList<>();
  int minPos = Integer.MAX_VALUE;
  int maxPos = -1;

  Group(Kind kind) { this.kind = kind; }
}
