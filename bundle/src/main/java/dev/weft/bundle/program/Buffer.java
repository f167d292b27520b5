package dev.weft.bundle.program;

import dev.weft.bundle.DType;
import dev.weft.bundle.DimExpr;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * One buffer of a rank's program.
 *
 * @param name unique within the program; for inputs, outputs and weights also the tensor name
 * @param dtype element type
 * @param shape dims, static or symbolic
 * @param bytes bytes reserved: for the largest shape profile when the shape is symbolic
 * @param kind where the bytes live
 * @param offset byte offset in the arena ({@link BufferKind#ARENA}) or in {@code of}
 *     ({@link BufferKind#VIEW}); 0 otherwise
 * @param of the buffer a view aliases; null unless {@link BufferKind#VIEW}
 */
public record Buffer(String name, DType dtype, List<DimExpr> shape, long bytes, BufferKind kind, long offset, String of) {
  public Buffer {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(dtype, "dtype");
    Objects.requireNonNull(kind, "kind");
    shape = List.copyOf(shape);
    if (bytes < 0) throw new IllegalArgumentException("buffer " + name + ": negative bytes");
    if (offset < 0) throw new IllegalArgumentException("buffer " + name + ": negative offset");
    if ((kind == BufferKind.VIEW) != (of != null)) {
      throw new IllegalArgumentException("buffer " + name + ": 'of' is set exactly for views");
    }
  }

  public static Buffer input(String name, DType dtype, List<DimExpr> shape, long bytes) {
    return new Buffer(name, dtype, shape, bytes, BufferKind.INPUT, 0, null);
  }

  public static Buffer output(String name, DType dtype, List<DimExpr> shape, long bytes) {
    return new Buffer(name, dtype, shape, bytes, BufferKind.OUTPUT, 0, null);
  }

  public static Buffer weight(String name, DType dtype, List<DimExpr> shape, long bytes) {
    return new Buffer(name, dtype, shape, bytes, BufferKind.WEIGHT, 0, null);
  }

  public static Buffer arena(String name, DType dtype, List<DimExpr> shape, long bytes, long offset) {
    return new Buffer(name, dtype, shape, bytes, BufferKind.ARENA, offset, null);
  }

  public static Buffer view(String name, DType dtype, List<DimExpr> shape, long bytes, String of, long offset) {
    return new Buffer(name, dtype, shape, bytes, BufferKind.VIEW, offset, Objects.requireNonNull(of, "of"));
  }

  /** Static dims as a {@code DimExpr} list (convenience for callers with {@code long[]} shapes). */
  public static List<DimExpr> dims(long... shape) {
    return java.util.Arrays.stream(shape).mapToObj(DimExpr::of).toList();
  }

  public boolean isStatic() { return shape.stream().allMatch(DimExpr::isStatic); }

  /** The shape under a binding of the symbolic dims. */
  public long[] shapeFor(Map<String, Long> bindings) {
    long[] s = new long[shape.size()];
    for (int i = 0; i < s.length; i++) s[i] = shape.get(i).evaluate(bindings);
    return s;
  }

  /** The bytes the buffer holds under a binding (elements times element size). */
  public long bytesFor(Map<String, Long> bindings) {
    long n = dtype.byteSize();
    for (DimExpr d : shape) n = Math.multiplyExact(n, d.evaluate(bindings));
    return n;
  }
}
