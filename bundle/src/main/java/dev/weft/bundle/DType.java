package dev.weft.bundle;

import java.util.HashMap;
import java.util.Map;

/**
 * Element types. One table: text name, bits per element as stored on disk, bytes per element as
 * held in memory, and the ONNX {@code TensorProto.DataType} code (the wire formats and the text
 * form both key off this table).
 *
 * <p>Sub-byte types (i4, u4, f4e2m1) are held one element per byte in memory so every kernel can
 * index them like bytes; they are packed two per byte only when serialized.
 */
public enum DType {
  F32("f32", 32, 4, 1, Kind.FLOAT),
  U8("u8", 8, 1, 2, Kind.UNSIGNED),
  I8("i8", 8, 1, 3, Kind.SIGNED),
  U16("u16", 16, 2, 4, Kind.UNSIGNED),
  I16("i16", 16, 2, 5, Kind.SIGNED),
  I32("i32", 32, 4, 6, Kind.SIGNED),
  I64("i64", 64, 8, 7, Kind.SIGNED),
  STRING("string", 0, 0, 8, Kind.STRING),
  BOOL("bool", 8, 1, 9, Kind.BOOL),
  F16("f16", 16, 2, 10, Kind.FLOAT),
  F64("f64", 64, 8, 11, Kind.FLOAT),
  U32("u32", 32, 4, 12, Kind.UNSIGNED),
  U64("u64", 64, 8, 13, Kind.UNSIGNED),
  C64("c64", 64, 8, 14, Kind.COMPLEX),
  C128("c128", 128, 16, 15, Kind.COMPLEX),
  BF16("bf16", 16, 2, 16, Kind.FLOAT),
  F8E4M3FN("f8e4m3", 8, 1, 17, Kind.FLOAT),
  F8E4M3FNUZ("f8e4m3fnuz", 8, 1, 18, Kind.FLOAT),
  F8E5M2("f8e5m2", 8, 1, 19, Kind.FLOAT),
  F8E5M2FNUZ("f8e5m2fnuz", 8, 1, 20, Kind.FLOAT),
  U4("u4", 4, 1, 21, Kind.UNSIGNED),
  I4("i4", 4, 1, 22, Kind.SIGNED),
  F4E2M1("f4e2m1", 4, 1, 23, Kind.FLOAT),
  F8E8M0("f8e8m0", 8, 1, 24, Kind.FLOAT),
  U2("u2", 2, 1, 25, Kind.UNSIGNED),
  I2("i2", 2, 1, 26, Kind.SIGNED);

  /** Broad classes of element types; kernels dispatch on these. */
  public enum Kind { FLOAT, SIGNED, UNSIGNED, BOOL, STRING, COMPLEX }

  private final String textName;
  private final int bits;
  private final int byteSize;
  private final int onnxCode;
  private final Kind kind;

  DType(String textName, int bits, int byteSize, int onnxCode, Kind kind) {
    this.textName = textName;
    this.bits = bits;
    this.byteSize = byteSize;
    this.onnxCode = onnxCode;
    this.kind = kind;
  }

  /** The name used in the text form, e.g. {@code f32}. */
  public String textName() { return textName; }

  /** Bits per element in packed (serialized) form; 0 for strings. */
  public int bits() { return bits; }

  /** Bytes per element in memory; 0 for strings. */
  public int byteSize() { return byteSize; }

  /** The ONNX {@code TensorProto.DataType} enum value. */
  public int onnxCode() { return onnxCode; }

  public Kind kind() { return kind; }

  public boolean isFloat() { return kind == Kind.FLOAT; }

  public boolean isInteger() { return kind == Kind.SIGNED || kind == Kind.UNSIGNED; }

  public boolean isSigned() { return kind == Kind.SIGNED; }

  /** True for the types held as raw bits of a narrower float format (decoded on access). */
  public boolean isNarrowFloat() { return isFloat() && this != F32 && this != F64; }

  private static final Map<String, DType> BY_NAME = new HashMap<>();
  private static final DType[] BY_ONNX = new DType[32];

  static {
    for (DType t : values()) {
      BY_NAME.put(t.textName, t);
      BY_ONNX[t.onnxCode] = t;
    }
  }

  /** Looks up a text-form name; null if unknown. */
  public static DType fromTextName(String name) { return BY_NAME.get(name); }

  /** Looks up an ONNX data type code; null if unknown (including 0, UNDEFINED). */
  public static DType fromOnnx(int code) {
    return code > 0 && code < BY_ONNX.length ? BY_ONNX[code] : null;
  }

  @Override
  public String toString() { return textName; }
}
