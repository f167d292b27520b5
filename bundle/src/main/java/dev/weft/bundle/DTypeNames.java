package dev.weft.bundle;

import java.util.EnumMap;
import java.util.HashMap;
import java.util.Map;

/**
 * The dtype names of bundle files ({@code program.json}, {@code manifest.json}): the ONNX
 * {@code TensorProto.DataType} names in lower case with the float width spelled out
 * ({@code float32}, {@code bfloat16}, {@code int64}, {@code bool}, {@code float8e4m3fn}). Readers
 * also accept the short text-form names ({@code f32}) so a hand-written program is forgiving
 * about spelling, but writers always emit the long name.
 */
public final class DTypeNames {
  private DTypeNames() {}

  private static final Map<DType, String> NAMES = new EnumMap<>(DType.class);
  private static final Map<String, DType> BY_NAME = new HashMap<>();

  static {
    name(DType.F32, "float32");
    name(DType.F64, "float64");
    name(DType.F16, "float16");
    name(DType.BF16, "bfloat16");
    name(DType.I64, "int64");
    name(DType.I32, "int32");
    name(DType.I16, "int16");
    name(DType.I8, "int8");
    name(DType.U64, "uint64");
    name(DType.U32, "uint32");
    name(DType.U16, "uint16");
    name(DType.U8, "uint8");
    name(DType.BOOL, "bool");
    name(DType.STRING, "string");
    name(DType.C64, "complex64");
    name(DType.C128, "complex128");
    name(DType.F8E4M3FN, "float8e4m3fn");
    name(DType.F8E4M3FNUZ, "float8e4m3fnuz");
    name(DType.F8E5M2, "float8e5m2");
    name(DType.F8E5M2FNUZ, "float8e5m2fnuz");
    name(DType.F8E8M0, "float8e8m0");
    name(DType.F4E2M1, "float4e2m1");
    name(DType.U4, "uint4");
    name(DType.I4, "int4");
    name(DType.U2, "uint2");
    name(DType.I2, "int2");
    for (DType t : DType.values()) {
      if (!NAMES.containsKey(t)) throw new ExceptionInInitializerError("no bundle name for " + t);
      BY_NAME.putIfAbsent(t.textName(), t);
    }
  }

  private static void name(DType t, String n) {
    NAMES.put(t, n);
    BY_NAME.put(n, t);
  }

  /** The long name written to bundle files. */
  public static String of(DType t) { return NAMES.get(t); }

  /** Looks up a long or short name; null if unknown. */
  public static DType parse(String name) { return BY_NAME.get(name); }
}
