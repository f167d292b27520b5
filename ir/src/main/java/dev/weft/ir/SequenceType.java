package dev.weft.ir;

import java.util.Objects;

/** An ordered, variable-length list of values of one element type (ONNX sequences). */
public record SequenceType(Type element) implements Type {
  public SequenceType {
    Objects.requireNonNull(element, "element");
  }

  @Override
  public String toString() { return "seq<" + element + ">"; }
}
