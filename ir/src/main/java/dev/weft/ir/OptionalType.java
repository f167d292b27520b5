package dev.weft.ir;

import java.util.Objects;

/** A value that may be absent (ONNX optionals). */
public record OptionalType(Type element) implements Type {
  public OptionalType {
    Objects.requireNonNull(element, "element");
  }

  @Override
  public String toString() { return "opt<" + element + ">"; }
}
