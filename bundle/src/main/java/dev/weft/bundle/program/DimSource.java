package dev.weft.bundle.program;

import java.util.Objects;

/**
 * Where a symbolic dim's value comes from at run time: axis {@code axis} of input {@code from}.
 */
public record DimSource(String name, String from, int axis) {
  public DimSource {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(from, "from");
    if (axis < 0) throw new IllegalArgumentException("dim " + name + ": negative axis");
  }
}
