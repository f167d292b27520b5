package dev.weft.bundle;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;
import java.util.Objects;

/**
 * A dense tensor: element type, static shape and row-major little-endian data in a
 * {@link MemorySegment} (heap-backed below 1 GiB, off-heap above), or a {@code String[]} for
 * strings. Never boxed. Narrow floats (f16, bf16, f8, f4) are stored as their raw bits and
 * decoded by the accessors; sub-byte integers are stored one per byte.
 *
 * <p>Accessors take a flat (row-major) element index. They dispatch on the dtype on every call,
 * which keeps the reference interpreter simple; hot kernels copy out to primitive arrays.
 */
public final class Tensor {
  private static final ValueLayout.OfShort SHORT = ValueLayout.JAVA_SHORT_UNALIGNED;
  private static final ValueLayout.OfInt INT = ValueLayout.JAVA_INT_UNALIGNED;
  private static final ValueLayout.OfLong LONG = ValueLayout.JAVA_LONG_UNALIGNED;
  private static final ValueLayout.OfFloat FLOAT = ValueLayout.JAVA_FLOAT_UNALIGNED;
  private static final ValueLayout.OfDouble DOUBLE = ValueLayout.JAVA_DOUBLE_UNALIGNED;
  private static final long HEAP_LIMIT = 1L << 30;

  private final DType dtype;
  private final long[] shape;
  private final long size;
  private final MemorySegment data;
  private final String[] strings;

  private Tensor(DType dtype, long[] shape, MemorySegment data, String[] strings) {
    this.dtype = dtype;
    this.shape = shape;
    this.size = elementCount(shape);
    this.data = data;
    this.strings = strings;
  }

  /** Product of dims, checked for negative dims and int64 overflow. */
  public static long elementCount(long[] shape) {
    long n = 1;
    for (long d : shape) {
      if (d < 0) throw new IllegalArgumentException("negative dim in shape " + Arrays.toString(shape));
      n = Math.multiplyExact(n, d);
    }
    return n;
  }

  /** A zero-filled tensor. */
  public static Tensor zeros(DType dtype, long... shape) {
    long[] s = shape.clone();
    long n = elementCount(s);
    if (dtype == DType.STRING) {
      if (n > Integer.MAX_VALUE - 8) throw new IllegalArgumentException("string tensor too large: " + n);
      String[] strs = new String[(int) n];
      Arrays.fill(strs, "");
      return new Tensor(dtype, s, null, strs);
    }
    long bytes = Math.multiplyExact(n, (long) dtype.byteSize());
    MemorySegment seg = bytes < HEAP_LIMIT
        ? MemorySegment.ofArray(new byte[(int) bytes])
        : Arena.ofAuto().allocate(bytes, 16);
    return new Tensor(dtype, s, seg, null);
  }

  /** Wraps existing little-endian data (not copied); its size must match the shape exactly. */
  public static Tensor wrap(DType dtype, long[] shape, MemorySegment data) {
    if (dtype == DType.STRING) throw new IllegalArgumentException("use ofStrings for string tensors");
    long expected = Math.multiplyExact(elementCount(shape), (long) dtype.byteSize());
    if (data.byteSize() != expected) {
      throw new IllegalArgumentException("data is " + data.byteSize() + " bytes, shape " + Arrays.toString(shape)
          + " of " + dtype + " needs " + expected);
    }
    return new Tensor(dtype, shape.clone(), data, null);
  }

  public static Tensor ofStrings(long[] shape, String... values) {
    if (elementCount(shape) != values.length) throw new IllegalArgumentException("string count does not match shape");
    return new Tensor(DType.STRING, shape.clone(), null, values.clone());
  }

  public static Tensor ofFloats(long[] shape, float... values) {
    Tensor t = zeros(DType.F32, shape);
    checkCount(t, values.length);
    MemorySegment.copy(values, 0, t.data, FLOAT, 0, values.length);
    return t;
  }

  public static Tensor ofDoubles(long[] shape, double... values) {
    Tensor t = zeros(DType.F64, shape);
    checkCount(t, values.length);
    MemorySegment.copy(values, 0, t.data, DOUBLE, 0, values.length);
    return t;
  }

  public static Tensor ofLongs(long[] shape, long... values) {
    Tensor t = zeros(DType.I64, shape);
    checkCount(t, values.length);
    MemorySegment.copy(values, 0, t.data, LONG, 0, values.length);
    return t;
  }

  public static Tensor ofInts(long[] shape, int... values) {
    Tensor t = zeros(DType.I32, shape);
    checkCount(t, values.length);
    MemorySegment.copy(values, 0, t.data, INT, 0, values.length);
    return t;
  }

  public static Tensor ofBools(long[] shape, boolean... values) {
    Tensor t = zeros(DType.BOOL, shape);
    checkCount(t, values.length);
    for (int i = 0; i < values.length; i++) t.setBool(i, values[i]);
    return t;
  }

  /** A tensor of any non-string dtype filled from doubles (converted as by {@link #setDouble}). */
  public static Tensor of(DType dtype, long[] shape, double... values) {
    Tensor t = zeros(dtype, shape);
    checkCount(t, values.length);
    for (int i = 0; i < values.length; i++) t.setDouble(i, values[i]);
    return t;
  }

  public static Tensor scalar(DType dtype, double value) { return of(dtype, new long[0], value); }

  private static void checkCount(Tensor t, int n) {
    if (t.size != n) throw new IllegalArgumentException(n + " values for shape " + Arrays.toString(t.shape));
  }

  public DType dtype() { return dtype; }

  /** The shape; a copy, so callers may modify it. */
  public long[] shape() { return shape.clone(); }

  public int rank() { return shape.length; }

  public long dim(int axis) { return shape[axis]; }

  public long size() { return size; }

  /** Raw little-endian data; null for string tensors. */
  public MemorySegment data() { return data; }

  public long byteSize() { return data == null ? 0 : data.byteSize(); }

  // ---- element access ----

  public double getDouble(long i) {
    return switch (dtype) {
      case F32 -> data.getAtIndex(FLOAT, i);
      case F64 -> data.getAtIndex(DOUBLE, i);
      case F16, BF16 -> MiniFloat.decode(dtype, data.getAtIndex(SHORT, i) & 0xFFFF);
      case F8E4M3FN, F8E4M3FNUZ, F8E5M2, F8E5M2FNUZ, F4E2M1, F8E8M0 ->
          MiniFloat.decode(dtype, data.get(ValueLayout.JAVA_BYTE, i) & 0xFF);
      case I64 -> data.getAtIndex(LONG, i);
      case U64 -> unsignedLongToDouble(data.getAtIndex(LONG, i));
      case C64 -> data.getAtIndex(FLOAT, 2 * i);
      case C128 -> data.getAtIndex(DOUBLE, 2 * i);
      case STRING -> throw new UnsupportedOperationException("string tensor has no numeric value");
      default -> getLong(i);
    };
  }

  public float getFloat(long i) {
    return dtype == DType.F32 ? data.getAtIndex(FLOAT, i) : (float) getDouble(i);
  }

  /** Integer value; floats truncate toward zero (as a C cast), u64 returns the raw bits. */
  public long getLong(long i) {
    return switch (dtype) {
      case I64, U64 -> data.getAtIndex(LONG, i);
      case I32 -> data.getAtIndex(INT, i);
      case U32 -> data.getAtIndex(INT, i) & 0xFFFFFFFFL;
      case I16 -> data.getAtIndex(SHORT, i);
      case U16 -> data.getAtIndex(SHORT, i) & 0xFFFF;
      case I8, I4, I2 -> data.get(ValueLayout.JAVA_BYTE, i);
      case U8, U4, U2, BOOL -> data.get(ValueLayout.JAVA_BYTE, i) & 0xFF;
      case STRING -> throw new UnsupportedOperationException("string tensor has no numeric value");
      default -> (long) getDouble(i);
    };
  }

  public boolean getBool(long i) {
    return dtype == DType.BOOL ? data.get(ValueLayout.JAVA_BYTE, i) != 0 : getDouble(i) != 0;
  }

  public String getString(long i) { return strings[Math.toIntExact(i)]; }

  /** Stores a value, converting as ONNX Cast does (floats round to nearest even, saturating float8). */
  public void setDouble(long i, double v) {
    switch (dtype) {
      case F32 -> data.setAtIndex(FLOAT, i, (float) v);
      case F64 -> data.setAtIndex(DOUBLE, i, v);
      case F16, BF16 -> data.setAtIndex(SHORT, i, (short) MiniFloat.encode(dtype, v));
      case F8E4M3FN, F8E4M3FNUZ, F8E5M2, F8E5M2FNUZ, F4E2M1, F8E8M0 ->
          data.set(ValueLayout.JAVA_BYTE, i, (byte) MiniFloat.encode(dtype, v));
      case C64 -> { data.setAtIndex(FLOAT, 2 * i, (float) v); data.setAtIndex(FLOAT, 2 * i + 1, 0f); }
      case C128 -> { data.setAtIndex(DOUBLE, 2 * i, v); data.setAtIndex(DOUBLE, 2 * i + 1, 0); }
      case BOOL -> data.set(ValueLayout.JAVA_BYTE, i, (byte) (v != 0 ? 1 : 0));
      case STRING -> throw new UnsupportedOperationException("cannot store a number in a string tensor");
      default -> setLong(i, doubleToLong(v));
    }
  }

  /** Stores an integer value, wrapping to the element width (two's complement). */
  public void setLong(long i, long v) {
    switch (dtype) {
      case I64, U64 -> data.setAtIndex(LONG, i, v);
      case I32, U32 -> data.setAtIndex(INT, i, (int) v);
      case I16, U16 -> data.setAtIndex(SHORT, i, (short) v);
      case I8, U8 -> data.set(ValueLayout.JAVA_BYTE, i, (byte) v);
      case I4 -> data.set(ValueLayout.JAVA_BYTE, i, (byte) ((v << 60) >> 60));
      case U4 -> data.set(ValueLayout.JAVA_BYTE, i, (byte) (v & 0xF));
      case I2 -> data.set(ValueLayout.JAVA_BYTE, i, (byte) ((v << 62) >> 62));
      case U2 -> data.set(ValueLayout.JAVA_BYTE, i, (byte) (v & 0x3));
      case BOOL -> data.set(ValueLayout.JAVA_BYTE, i, (byte) (v != 0 ? 1 : 0));
      case STRING -> throw new UnsupportedOperationException("cannot store a number in a string tensor");
      default -> setDouble(i, v);
    }
  }

  public void setFloat(long i, float v) {
    if (dtype == DType.F32) data.setAtIndex(FLOAT, i, v);
    else setDouble(i, v);
  }

  public void setBool(long i, boolean v) { setLong(i, v ? 1 : 0); }

  public void setString(long i, String v) { strings[Math.toIntExact(i)] = Objects.requireNonNull(v); }

  /** Raw stored bits of a narrow-float or integer element (for exact copies between tensors). */
  public long getBits(long i) {
    return switch (dtype.byteSize()) {
      case 1 -> data.get(ValueLayout.JAVA_BYTE, i) & 0xFFL;
      case 2 -> data.getAtIndex(SHORT, i) & 0xFFFFL;
      case 4 -> data.getAtIndex(INT, i) & 0xFFFFFFFFL;
      case 8 -> data.getAtIndex(LONG, i);
      default -> throw new UnsupportedOperationException("no raw bits for " + dtype);
    };
  }

  // ---- bulk ----

  public float[] toFloatArray() {
    float[] out = new float[Math.toIntExact(size)];
    if (dtype == DType.F32) MemorySegment.copy(data, FLOAT, 0, out, 0, out.length);
    else for (int i = 0; i < out.length; i++) out[i] = (float) getDouble(i);
    return out;
  }

  public double[] toDoubleArray() {
    double[] out = new double[Math.toIntExact(size)];
    for (int i = 0; i < out.length; i++) out[i] = getDouble(i);
    return out;
  }

  public long[] toLongArray() {
    long[] out = new long[Math.toIntExact(size)];
    if (dtype == DType.I64) MemorySegment.copy(data, LONG, 0, out, 0, out.length);
    else for (int i = 0; i < out.length; i++) out[i] = getLong(i);
    return out;
  }

  public String[] toStringArray() { return strings.clone(); }

  /** Same data, new shape with the same element count. Shares storage. */
  public Tensor reshape(long... newShape) {
    if (elementCount(newShape) != size) {
      throw new IllegalArgumentException("cannot reshape " + Arrays.toString(shape) + " to " + Arrays.toString(newShape));
    }
    return new Tensor(dtype, newShape.clone(), data, strings);
  }

  /** A deep copy. */
  public Tensor copy() {
    if (dtype == DType.STRING) return new Tensor(dtype, shape.clone(), null, strings.clone());
    Tensor t = zeros(dtype, shape);
    MemorySegment.copy(data, 0, t.data, 0, data.byteSize());
    return t;
  }

  /** Bitwise equality of dtype, shape and data. */
  public boolean contentEquals(Tensor o) {
    if (dtype != o.dtype || !Arrays.equals(shape, o.shape)) return false;
    if (dtype == DType.STRING) return Arrays.equals(strings, o.strings);
    return data.mismatch(o.data) < 0;
  }

  @Override
  public String toString() {
    StringBuilder sb = new StringBuilder("tensor<").append(dtype).append(Arrays.toString(shape)).append(">");
    long n = Math.min(size, 8);
    sb.append(" [");
    for (long i = 0; i < n; i++) {
      if (i > 0) sb.append(", ");
      sb.append(dtype == DType.STRING ? getString(i) : dtype.isFloat() ? Double.toString(getDouble(i)) : Long.toString(getLong(i)));
    }
    return sb.append(size > n ? ", ...]" : "]").toString();
  }

  private static double unsignedLongToDouble(long v) {
    double d = (double) (v >>> 1) * 2.0;
    return d + (v & 1);
  }

  /** Float to integer as a saturating C cast would (NaN to 0), the behaviour tests can rely on. */
  private static long doubleToLong(double v) {
    if (Double.isNaN(v)) return 0;
    return (long) v;
  }
}
