package dev.weft.ir;

import dev.weft.bundle.DType;
import java.util.Objects;

/** A tensor of {@code dtype} elements with a static or symbolic {@code shape}. */
public record TensorType(DType dtype, Shape shape) implements Type {
  public TensorType {
    Objects.requireNonNull(dtype, "dtype");
    Objects.requireNonNull(shape, "shape");
  }

  public static TensorType of(DType dtype, long... sizes) { return new TensorType(dtype, Shape.of(sizes)); }

  public static TensorType of(DType dtype, Dim... dims) { return new TensorType(dtype, Shape.of(dims)); }

  public int rank() { return shape.rank(); }

  public TensorType withShape(Shape s) { return new TensorType(dtype, s); }

  public TensorType withDType(DType d) { return new TensorType(d, shape); }

  @Override
  public String toString() { return dtype + shape.toString(); }
}
