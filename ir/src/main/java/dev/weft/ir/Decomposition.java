package dev.weft.ir;

import java.util.List;

/**
 * How a composite expands into core ops: given the composite node and a builder positioned
 * before it, emit the replacement and return the values that stand for the node's results.
 */
@FunctionalInterface
public interface Decomposition {
  List<Value> expand(Node composite, GraphBuilder b);
}
