package dev.weft.bundle.safetensors;

import dev.weft.bundle.DType;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.Map;

/**
 * The safetensors dtype codes for the element types that have one. The sub-byte types, the
 * float8 {@code fnuz} variants, complex128 and strings have no code and cannot be stored.
 */
final class SafetensorsDTypes {
  private SafetensorsDTypes() {}

  private static final Map<DType, String> CODES = new EnumMap<>(DType.class);
  private static final Map<String, DType> BY_CODE = new HashMap<>();

  static {
    code(DType.BOOL, "BOOL");
    code(DType.U8, "U8");
    code(DType.I8, "I8");
    code(DType.U16, "U16");
    code(DType.I16, "I16");
    code(DType.U32, "U32");
    code(DType.I32, "I32");
    code(DType.U64, "U64");
    code(DType.I64, "I64");
    code(DType.F16, "F16");
    code(DType.BF16, "BF16");
    code(DType.F32, "F32");
    code(DType.F64, "F64");
    code(DType.C64, "C64");
    code(DType.F8E4M3FN, "F8_E4M3");
    code(DType.F8E5M2, "F8_E5M2");
    code(DType.F8E8M0, "F8_E8M0");
  }

  private static void code(DType t, String c) {
    CODES.put(t, c);
    BY_CODE.put(c, t);
  }

  /** The code, or null if the dtype has none. */
  static String code(DType t) { return CODES.get(t); }

  /** The dtype, or null if the code is unknown. */
  static DType dtype(String code) { return BY_CODE.get(code); }
}
