package dev.weft.frontend.onnx;

import com.google.protobuf.ByteString;
import dev.weft.bundle.DType;
import dev.weft.bundle.Tensor;
import dev.weft.frontend.onnx.proto.OnnxProto.SparseTensorProto;
import dev.weft.frontend.onnx.proto.OnnxProto.TensorProto;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * {@code TensorProto <-> Tensor} for every ONNX data type. Decoding checks the declared size
 * against the data actually present before allocating anything, so a tiny proto declaring a
 * huge shape fails on the mismatch, not on memory. Encoding always uses {@code raw_data}
 * (little-endian; sub-byte types packed, first element in the low bits) except for strings.
 *
 * <p>Which typed field holds which type follows onnx.proto: {@code float_data} (f32, c64 as
 * pairs), {@code double_data} (f64, c128 as pairs), {@code int64_data} (i64),
 * {@code uint64_data} (u32, u64), {@code string_data}, and {@code int32_data} for everything
 * else: one element per entry, narrow floats as their bit pattern, sub-byte types as one packed
 * byte per entry.
 */
public final class OnnxTensors {
  private OnnxTensors() {}

  /** Decodes a tensor whose data is inline (external data is an error here). */
  public static Tensor decode(TensorProto t, String where) { return decode(t, null, where); }

  /**
   * Decodes a tensor. {@code ext} resolves external data (null: external data is an error);
   * {@code where} names the model file or context for error messages.
   */
  public static Tensor decode(TensorProto t, ExternalData ext, String where) {
    String what = describe(t, where);
    DType dtype = dtypeOf(t, what);
    long[] shape = shapeOf(t, what);
    long count = elementCount(shape, what);
    if (t.hasSegment()) throw new OnnxImportException(what + ": segmented tensors are not supported (field 'segment')");
    boolean external = t.getDataLocation() == TensorProto.DataLocation.EXTERNAL;
    if (!external && t.getExternalDataCount() > 0) {
      throw new OnnxImportException(what + ": has 'external_data' entries but data_location is not EXTERNAL");
    }
    if (dtype == DType.STRING) {
      if (external || t.hasRawData()) {
        throw new OnnxImportException(what + ": string tensors must use 'string_data'");
      }
      checkCount(what, "string_data", t.getStringDataCount(), count);
      String[] values = new String[t.getStringDataCount()];
      for (int i = 0; i < values.length; i++) values[i] = t.getStringData(i).toString(StandardCharsets.UTF_8);
      return Tensor.ofStrings(shape, values);
    }
    long packedBytes = packedByteSize(dtype, count, what);
    if (external) {
      if (ext == null) {
        throw new OnnxImportException(what + ": uses external data, which needs the model's folder (load the model from a file)");
      }
      if (t.hasRawData() || hasTypedData(t)) {
        throw new OnnxImportException(what + ": has both external data and inline data");
      }
      return fromRaw(dtype, shape, count, ext.read(t, packedBytes, what));
    }
    if (t.hasRawData()) {
      if (hasTypedData(t)) throw new OnnxImportException(what + ": has both 'raw_data' and a typed data field");
      ByteString raw = t.getRawData();
      if (raw.size() != packedBytes) {
        throw new OnnxImportException(what + ": field 'raw_data' has " + raw.size() + " bytes, shape "
            + Arrays.toString(shape) + " of " + dtype + " needs " + packedBytes);
      }
      return fromRaw(dtype, shape, count, MemorySegment.ofArray(raw.toByteArray()));
    }
    return fromTyped(t, dtype, shape, count, what);
  }

  /** The dtype of a tensor proto; a typed error for UNDEFINED or unknown codes. */
  public static DType dtypeOf(TensorProto t, String what) {
    DType d = DType.fromOnnx(t.getDataType());
    if (d == null) throw new OnnxImportException(what + ": unsupported data_type " + t.getDataType());
    return d;
  }

  /** Bytes the tensor's data will take in memory, computed from the declared dims only. */
  public static long declaredMemoryBytes(TensorProto t, String where) {
    String what = describe(t, where);
    DType d = dtypeOf(t, what);
    long n = elementCount(shapeOf(t, what), what);
    try {
      return Math.multiplyExact(n, (long) Math.max(d.byteSize(), d == DType.STRING ? 16 : 1));
    } catch (ArithmeticException e) {
      throw new OnnxImportException(what + ": byte size of dims overflows int64");
    }
  }

  /** The dims, rejecting negative ones. */
  public static long[] shapeOf(TensorProto t, String what) {
    long[] shape = new long[t.getDimsCount()];
    for (int i = 0; i < shape.length; i++) {
      shape[i] = t.getDims(i);
      if (shape[i] < 0) throw new OnnxImportException(what + ": negative dim " + shape[i] + " at index " + i + " of 'dims'");
    }
    return shape;
  }

  static long elementCount(long[] shape, String what) {
    long n = 1;
    try {
      for (long d : shape) n = Math.multiplyExact(n, d);
    } catch (ArithmeticException e) {
      throw new OnnxImportException(what + ": element count of dims " + Arrays.toString(shape) + " overflows int64");
    }
    return n;
  }

  /** Bytes of {@code count} elements as serialized (sub-byte types packed). */
  static long packedByteSize(DType dtype, long count, String what) {
    try {
      long bits = Math.multiplyExact(count, (long) dtype.bits());
      return Math.addExact(bits, 7) / 8;
    } catch (ArithmeticException e) {
      throw new OnnxImportException(what + ": byte size overflows int64");
    }
  }

  static String describe(TensorProto t, String where) {
    String name = t.getName().isEmpty() ? "<unnamed>" : t.getName();
    return (where == null || where.isEmpty() ? "" : where + ": ") + "tensor '" + name + "'";
  }

  private static boolean hasTypedData(TensorProto t) {
    return t.getFloatDataCount() > 0 || t.getInt32DataCount() > 0 || t.getInt64DataCount() > 0
        || t.getDoubleDataCount() > 0 || t.getUint64DataCount() > 0 || t.getStringDataCount() > 0;
  }

  private static void checkCount(String what, String field, long have, long need) {
    if (have != need) {
      throw new OnnxImportException(what + ": field '" + field + "' has " + have + " values, dims need " + need);
    }
  }

  private static int subBytePerByte(DType d) { return d.bits() == 4 ? 2 : d.bits() == 2 ? 4 : 1; }

  /** Little-endian bytes as serialized; {@code bytes} has exactly the packed size. */
  static Tensor fromRaw(DType dtype, long[] shape, long count, MemorySegment bytes) {
    int per = subBytePerByte(dtype);
    if (per == 1) {
      Tensor t = Tensor.wrap(dtype, shape, bytes);
      if (dtype == DType.BOOL) normalizeBools(t);
      return t;
    }
    Tensor t = Tensor.zeros(dtype, shape);
    for (long i = 0; i < count; i++) {
      int b = bytes.get(ValueLayout.JAVA_BYTE, i / per) & 0xFF;
      setUnpacked(t, i, unpack(dtype, b, (int) (i % per)));
    }
    return t;
  }

  private static void normalizeBools(Tensor t) {
    for (long i = 0; i < t.size(); i++) {
      if ((t.getLong(i) & 0xFF) > 1) t.setBool(i, true);
    }
  }

  /** Stores an unpacked sub-byte element: integers by value, float4 as its raw bits. */
  private static void setUnpacked(Tensor t, long i, long v) {
    if (t.dtype().isFloat()) t.data().set(ValueLayout.JAVA_BYTE, i, (byte) v);
    else t.setLong(i, v);
  }

  /** Element {@code slot} of a packed byte, sign-extended for signed integer types. */
  private static long unpack(DType dtype, int b, int slot) {
    int bits = dtype.bits();
    int v = (b >>> (slot * bits)) & ((1 << bits) - 1);
    if (dtype.isSigned()) v = (v << (32 - bits)) >> (32 - bits);
    return v;
  }

  private static Tensor fromTyped(TensorProto p, DType dtype, long[] shape, long count, String what) {
    // Check the value count against the dims before allocating: a tiny proto may declare a huge shape.
    int per = subBytePerByte(dtype);
    switch (dtype) {
      case F32 -> checkCount(what, "float_data", p.getFloatDataCount(), count);
      case C64 -> checkCount(what, "float_data", p.getFloatDataCount(), 2 * count);
      case F64 -> checkCount(what, "double_data", p.getDoubleDataCount(), count);
      case C128 -> checkCount(what, "double_data", p.getDoubleDataCount(), 2 * count);
      case I64 -> checkCount(what, "int64_data", p.getInt64DataCount(), count);
      case U32, U64 -> checkCount(what, "uint64_data", p.getUint64DataCount(), count);
      default -> checkCount(what, "int32_data", p.getInt32DataCount(), (count + per - 1) / per);
    }
    Tensor t = Tensor.zeros(dtype, shape);
    switch (dtype) {
      case F32 -> {
        for (int i = 0; i < count; i++) t.setFloat(i, p.getFloatData(i));
      }
      case C64 -> {
        MemorySegment d = t.data();
        for (int i = 0; i < 2 * count; i++) d.setAtIndex(ValueLayout.JAVA_FLOAT_UNALIGNED, i, p.getFloatData(i));
      }
      case F64 -> {
        for (int i = 0; i < count; i++) t.setDouble(i, p.getDoubleData(i));
      }
      case C128 -> {
        MemorySegment d = t.data();
        for (int i = 0; i < 2 * count; i++) d.setAtIndex(ValueLayout.JAVA_DOUBLE_UNALIGNED, i, p.getDoubleData(i));
      }
      case I64 -> {
        for (int i = 0; i < count; i++) t.setLong(i, p.getInt64Data(i));
      }
      case U32, U64 -> {
        for (int i = 0; i < count; i++) t.setLong(i, p.getUint64Data(i));
      }
      case F16, BF16 -> {
        MemorySegment d = t.data();
        for (int i = 0; i < count; i++) d.setAtIndex(ValueLayout.JAVA_SHORT_UNALIGNED, i, (short) p.getInt32Data(i));
      }
      case F8E4M3FN, F8E4M3FNUZ, F8E5M2, F8E5M2FNUZ, F8E8M0 -> {
        MemorySegment d = t.data();
        for (int i = 0; i < count; i++) d.set(ValueLayout.JAVA_BYTE, i, (byte) p.getInt32Data(i));
      }
      case I4, U4, F4E2M1, I2, U2 -> {
        for (int i = 0; i < count; i++) {
          int b = p.getInt32Data(i / per) & 0xFF;
          setUnpacked(t, i, unpack(dtype, b, i % per));
        }
      }
      case BOOL -> {
        for (int i = 0; i < count; i++) t.setBool(i, p.getInt32Data(i) != 0);
      }
      case I32, I16, I8, U16, U8 -> {
        for (int i = 0; i < count; i++) t.setLong(i, p.getInt32Data(i));
      }
      default -> throw new OnnxImportException(what + ": cannot decode data_type " + dtype);
    }
    return t;
  }

  // ---- encoding ----

  /** Encodes {@code t} as a TensorProto named {@code name}, data in {@code raw_data} (strings in string_data). */
  public static TensorProto encode(Tensor t, String name) {
    TensorProto.Builder b = TensorProto.newBuilder().setDataType(t.dtype().onnxCode());
    if (name != null) b.setName(name);
    for (long d : t.shape()) b.addDims(d);
    if (t.dtype() == DType.STRING) {
      for (long i = 0; i < t.size(); i++) b.addStringData(ByteString.copyFrom(t.getString(i), StandardCharsets.UTF_8));
      return b.build();
    }
    b.setRawData(ByteString.copyFrom(rawBytes(t)));
    return b.build();
  }

  /** The serialized little-endian bytes of a non-string tensor (sub-byte types packed). */
  public static byte[] rawBytes(Tensor t) {
    DType d = t.dtype();
    int per = subBytePerByte(d);
    long packed = packedByteSize(d, t.size(), "tensor");
    if (packed > Integer.MAX_VALUE - 8) {
      throw new OnnxImportException("tensor of " + packed + " bytes is too large for inline data; use external data");
    }
    byte[] out = new byte[(int) packed];
    if (per == 1) {
      MemorySegment.copy(t.data(), ValueLayout.JAVA_BYTE, 0, out, 0, out.length);
      return out;
    }
    int bits = d.bits();
    int mask = (1 << bits) - 1;
    for (long i = 0; i < t.size(); i++) {
      int v = (int) t.getBits(i) & mask;
      out[(int) (i / per)] |= (byte) (v << ((i % per) * bits));
    }
    return out;
  }

  // ---- sparse ----

  /**
   * Densifies a SparseTensorProto: {@code values} (1-D, NNZ) scattered at {@code indices}
   * ([NNZ, rank] coordinates or [NNZ] linear indices) into a zero tensor of {@code dims}.
   * The dense size is checked against {@code budgetBytes} before allocating.
   */
  public static Tensor decodeSparse(SparseTensorProto s, ExternalData ext, String where, long budgetBytes) {
    String what = (where == null || where.isEmpty() ? "" : where + ": ") + "sparse tensor '" + s.getValues().getName() + "'";
    Tensor values = decode(s.getValues(), ext, where);
    Tensor indices = s.hasIndices() ? decode(s.getIndices(), ext, where) : Tensor.zeros(DType.I64, 0);
    long[] dims = new long[s.getDimsCount()];
    for (int i = 0; i < dims.length; i++) {
      dims[i] = s.getDims(i);
      if (dims[i] < 0) throw new OnnxImportException(what + ": negative dim " + dims[i] + " in 'dims'");
    }
    long total = elementCount(dims, what);
    long bytes;
    try {
      bytes = Math.multiplyExact(total, (long) Math.max(1, values.dtype().byteSize()));
    } catch (ArithmeticException e) {
      throw new OnnxImportException(what + ": dense byte size overflows int64");
    }
    if (bytes > budgetBytes) {
      throw new OnnxImportException(what + ": dense size " + bytes + " bytes exceeds the memory budget of " + budgetBytes);
    }
    if (values.rank() != 1) throw new OnnxImportException(what + ": 'values' must be 1-D, got rank " + values.rank());
    long nnz = values.size();
    if (indices.dtype() != DType.I64) throw new OnnxImportException(what + ": 'indices' must be int64, got " + indices.dtype());
    boolean coords = indices.rank() == 2;
    if (!(indices.rank() == 1 && indices.dim(0) == nnz) && !(coords && indices.dim(0) == nnz && indices.dim(1) == dims.length)) {
      throw new OnnxImportException(what + ": 'indices' shape " + Arrays.toString(indices.shape())
          + " does not fit " + nnz + " values of a rank-" + dims.length + " tensor");
    }
    Tensor dense = Tensor.zeros(values.dtype(), dims);
    for (long k = 0; k < nnz; k++) {
      long flat;
      if (coords) {
        flat = 0;
        for (int a = 0; a < dims.length; a++) {
          long c = indices.getLong(k * dims.length + a);
          if (c < 0 || c >= dims[a]) throw new OnnxImportException(what + ": index " + c + " out of range for dim " + a + " of size " + dims[a]);
          flat = flat * dims[a] + c;
        }
      } else {
        flat = indices.getLong(k);
        if (flat < 0 || flat >= total) throw new OnnxImportException(what + ": linear index " + flat + " out of range [0, " + total + ")");
      }
      copyElement(values, k, dense, flat);
    }
    return dense;
  }

  private static void copyElement(Tensor from, long i, Tensor to, long j) {
    DType d = from.dtype();
    if (d == DType.STRING) {
      to.setString(j, from.getString(i));
    } else {
      long w = d.byteSize();
      MemorySegment.copy(from.data(), i * w, to.data(), j * w, w);
    }
  }
}
