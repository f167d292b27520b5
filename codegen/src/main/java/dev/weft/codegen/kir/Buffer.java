package dev.weft.codegen.kir;

import dev.weft.bundle.DType;
import dev.weft.bundle.Tensor;
import java.util.Arrays;

/**
 * A kernel parameter: a dense row-major array of {@code dtype} with a static shape. Equality is
 * identity: two parameters are never interchangeable even when their shapes agree. A buffer with
 * {@code data} is a constant the kernel reads (it goes to the weights file).
 */
public final class Buffer {
  private final String name;
  private final DType dtype;
  private final long[] shape;
  private final Tensor data;

  public Buffer(String name, DType dtype, long[] shape, Tensor data) {
    this.name = name;
    this.dtype = dtype;
    this.shape = shape.clone();
    this.data = data;
  }

  public Buffer(String name, DType dtype, long[] shape) { this(name, dtype, shape, null); }

  public String name() { return name; }

  public DType dtype() { return dtype; }

  public long[] shape() { return shape.clone(); }

  public int rank() { return shape.length; }

  public long dim(int i) { return shape[i]; }

  public Tensor data() { return data; }

  public long elements() {
    long n = 1;
    for (long d : shape) n *= d;
    return n;
  }

  /** Row-major strides in elements. */
  public long[] strides() {
    long[] s = new long[shape.length];
    long acc = 1;
    for (int i = shape.length - 1; i >= 0; i--) {
      s[i] = acc;
      acc *= shape[i];
    }
    return s;
  }

  @Override
  public String toString() { return name + ":" + dtype.textName() + Arrays.toString(shape); }
}
