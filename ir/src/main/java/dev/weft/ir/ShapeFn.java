package dev.weft.ir;

import java.util.List;

/** Type and shape inference for one op: result types from operand types and attributes. */
@FunctionalInterface
public interface ShapeFn {
  List<Type> infer(InferContext c);
}
