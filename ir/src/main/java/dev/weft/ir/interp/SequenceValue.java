package dev.weft.ir.interp;

import dev.weft.bundle.Tensor;
import java.util.List;

/** A run-time sequence (ONNX sequence type): an immutable list of tensors. */
public record SequenceValue(List<Tensor> items) {
  public SequenceValue {
    items = List.copyOf(items);
  }
}
