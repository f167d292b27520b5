package dev.weft.ir.interp;

/** A run-time optional: {@code value} is a Tensor, a SequenceValue, or null when empty. */
public record OptionalValue(Object value) {
  public static final OptionalValue EMPTY = new OptionalValue(null);

  public boolean isPresent() { return value != null; }
}
