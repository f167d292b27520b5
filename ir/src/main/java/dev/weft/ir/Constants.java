package dev.weft.ir;

import dev.weft.bundle.Tensor;

/** Recognizes compile-time constant values: results of the {@code constant} op. */
public final class Constants {
  private Constants() {}

  public static final String OP = "constant";

  /** The tensor when {@code v} is produced by a {@code constant} node, else null. */
  public static Tensor valueOf(Value v) {
    Node p = v.producer();
    if (p == null || !p.opName().equals(OP)) return null;
    Attribute a = p.attribute("value");
    return a instanceof Attribute.TensorValue t ? t.value() : null;
  }
}
