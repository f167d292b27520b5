package dev.weft.bundle.manifest;

import dev.weft.bundle.DType;
import dev.weft.bundle.DimExpr;
import java.util.List;
import java.util.Objects;

/** A model input or output: name, dtype, and static or symbolic dims. */
public record TensorSpec(String name, DType dtype, List<DimExpr> shape) {
  public TensorSpec {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(dtype, "dtype");
    shape = List.copyOf(shape);
  }
}
