package dev.weft.bundle.safetensors;

import dev.weft.bundle.DType;

/**
 * One entry of a safetensors header.
 *
 * @param name tensor name
 * @param dtype element type
 * @param shape dims
 * @param begin start of its bytes, relative to the data section
 * @param end end (exclusive)
 */
public record TensorInfo(String name, DType dtype, long[] shape, long begin, long end) {
  public TensorInfo {
    shape = shape.clone();
  }

  @Override
  public long[] shape() { return shape.clone(); }

  public long byteSize() { return end - begin; }
}
