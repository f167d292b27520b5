package dev.weft.ir;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A tensor shape: a list of dims, or unranked (rank unknown until run time, as some ONNX
 * models declare). Immutable.
 */
public record Shape(List<Dim> dims) {
  private static final Shape UNRANKED = new Shape(null);

  public Shape {
    dims = dims == null ? null : List.copyOf(dims);
  }

  public static Shape of(long... sizes) {
    List<Dim> d = new ArrayList<>(sizes.length);
    for (long s : sizes) d.add(Dim.of(s));
    return new Shape(d);
  }

  public static Shape of(Dim... dims) { return new Shape(Arrays.asList(dims)); }

  public static Shape scalar() { return new Shape(List.of()); }

  public static Shape unranked() { return UNRANKED; }

  public boolean isRanked() { return dims != null; }

  public int rank() {
    if (dims == null) throw new IllegalStateException("unranked shape has no rank");
    return dims.size();
  }

  public Dim dim(int i) { return dims.get(i); }

  /** True when ranked and every dim is a known size. */
  public boolean isStatic() {
    if (dims == null) return false;
    for (int i = 0; i < dims.size(); i++) if (!dims.get(i).isStatic()) return false;   // indexed: asked of every value by every pass
    return true;
  }

  /** The static sizes; throws if any dim is symbolic or the shape is unranked. */
  public long[] sizes() {
    if (!isStatic()) throw new IllegalStateException("shape " + this + " is not static");
    long[] out = new long[dims.size()];
    for (int i = 0; i < out.length; i++) out[i] = dims.get(i).size();
    return out;
  }

  /** Element count when static, else -1. Overflow throws ArithmeticException. */
  public long elementCount() {
    if (!isStatic()) return -1;
    long n = 1;
    for (int i = 0; i < dims.size(); i++) n = Math.multiplyExact(n, dims.get(i).size());
    return n;
  }

  @Override
  public String toString() {
    if (dims == null) return "[*]";
    StringBuilder sb = new StringBuilder("[");
    for (int i = 0; i < dims.size(); i++) {
      if (i > 0) sb.append(',');
      sb.append(dims.get(i));
    }
    return sb.append(']').toString();
  }
}
