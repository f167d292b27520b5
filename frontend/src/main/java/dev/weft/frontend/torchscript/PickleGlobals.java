package dev.weft.frontend.torchscript;

import dev.weft.bundle.DType;
import java.util.Map;

/**
 * The allowlist of pickle GLOBALs. A name is looked up as a string in these tables and nothing
 * else: no class is loaded, nothing is reflected, and a name off the list is refused before any
 * lookup of any kind (CVE-2025-32434: {@code os.system}, {@code builtins.eval}).
 */
final class PickleGlobals {
  private PickleGlobals() {}

  /** Callables REDUCE may apply; each is implemented by the unpickler itself. */
  enum Builtin {
    REBUILD_TENSOR_V2("torch._utils", "_rebuild_tensor_v2"),
    REBUILD_PARAMETER("torch._utils", "_rebuild_parameter"),
    REBUILD_PARAMETER_WITH_STATE("torch._utils", "_rebuild_parameter_with_state"),
    ORDERED_DICT("collections", "OrderedDict"),
    BUILD_INTLIST("torch.jit._pickle", "build_intlist"),
    BUILD_DOUBLELIST("torch.jit._pickle", "build_doublelist"),
    BUILD_BOOLLIST("torch.jit._pickle", "build_boollist"),
    BUILD_TENSORLIST("torch.jit._pickle", "build_tensorlist"),
    RESTORE_TYPE_TAG("torch.jit._pickle", "restore_type_tag");

    final String module;
    final String name;

    Builtin(String module, String name) {
      this.module = module;
      this.name = name;
    }
  }

  private static final Map<String, Builtin> BUILTINS;

  static {
    var m = new java.util.HashMap<String, Builtin>();
    for (Builtin b : Builtin.values()) m.put(b.module + "." + b.name, b);
    BUILTINS = Map.copyOf(m);
  }

  /** {@code torch.<Name>Storage} classes; the name is PyTorch's ScalarType name. */
  private static final Map<String, DType> STORAGES = Map.ofEntries(
      Map.entry("FloatStorage", DType.F32),
      Map.entry("DoubleStorage", DType.F64),
      Map.entry("HalfStorage", DType.F16),
      Map.entry("BFloat16Storage", DType.BF16),
      Map.entry("LongStorage", DType.I64),
      Map.entry("IntStorage", DType.I32),
      Map.entry("ShortStorage", DType.I16),
      Map.entry("CharStorage", DType.I8),
      Map.entry("ByteStorage", DType.U8),
      Map.entry("BoolStorage", DType.BOOL),
      Map.entry("ComplexFloatStorage", DType.C64),
      Map.entry("ComplexDoubleStorage", DType.C128),
      Map.entry("UInt16Storage", DType.U16),
      Map.entry("UInt32Storage", DType.U32),
      Map.entry("UInt64Storage", DType.U64),
      Map.entry("Float8_e4m3fnStorage", DType.F8E4M3FN),
      Map.entry("Float8_e4m3fnuzStorage", DType.F8E4M3FNUZ),
      Map.entry("Float8_e5m2Storage", DType.F8E5M2),
      Map.entry("Float8_e5m2fnuzStorage", DType.F8E5M2FNUZ),
      // PyTorch 2.x torch.save writes untyped storages as bytes.
      Map.entry("UntypedStorage", DType.U8));

  /** Known PyTorch globals that Weft does not support yet: refused with a specific message. */
  private static final Map<String, String> UNSUPPORTED = Map.of(
      "torch._utils._rebuild_qtensor", "quantized tensors are not supported",
      "torch._utils._rebuild_sparse_tensor", "sparse tensors are not supported",
      "torch._utils._rebuild_meta_tensor_no_storage", "meta tensors are not supported",
      "torch.jit._pickle.build_tensor_from_id", "tensors from an external tensor table are not supported",
      "torch.device", "torch.device values are not supported");

  /**
   * Resolves a GLOBAL, or returns null with {@code why[0]} set. Only string comparison happens here.
   */
  static Unpickler.Global resolve(String module, String name, String[] why) {
    String qualified = module + "." + name;
    Builtin b = BUILTINS.get(qualified);
    if (b != null) return new Unpickler.Callable(b);
    if (module.equals("torch") || module.equals("torch.storage")) {
      DType d = STORAGES.get(name);
      if (d != null && (module.equals("torch") || name.equals("UntypedStorage"))) {
        return new Unpickler.StorageType(name, d);
      }
    }
    String unsupported = UNSUPPORTED.get(qualified);
    if (unsupported != null) {
      why[0] = unsupported;
      return null;
    }
    if ((module.equals("__torch__") || module.startsWith("__torch__.")) && isDottedIdentifier(module)
        && isIdentifier(name)) {
      return new Unpickler.ClassRef(qualified);
    }
    why[0] = "not on the allowlist";
    return null;
  }

  private static boolean isDottedIdentifier(String s) {
    for (String part : s.split("\\.", -1)) if (!isIdentifier(part)) return false;
    return true;
  }

  static boolean isIdentifier(String s) {
    if (s.isEmpty() || s.length() > 256) return false;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      boolean ok = c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (i > 0 && c >= '0' && c <= '9');
      if (!ok) return false;
    }
    return true;
  }
}
