package dev.weft.codegen.emit;

import static org.bytedeco.llvm.global.LLVM.*;

import dev.weft.bundle.DType;
import dev.weft.codegen.kir.KirException;
import org.bytedeco.llvm.LLVM.LLVMContextRef;
import org.bytedeco.llvm.LLVM.LLVMTypeRef;

/** LLVM types of kernel-IR values (compute types) and of buffer elements (storage types). */
final class Types {
  private Types() {}

  static LLVMTypeRef compute(LLVMContextRef c, DType t) {
    return switch (t) {
      case BOOL -> LLVMInt1TypeInContext(c);
      case I8, U8 -> LLVMInt8TypeInContext(c);
      case I16, U16 -> LLVMInt16TypeInContext(c);
      case I32, U32 -> LLVMInt32TypeInContext(c);
      case I64, U64 -> LLVMInt64TypeInContext(c);
      case F32 -> LLVMFloatTypeInContext(c);
      case F64 -> LLVMDoubleTypeInContext(c);
      default -> throw new KirException("no compute type for " + t.textName());
    };
  }

  /** Buffer element types: bool is a byte, f16/bf16 are 16-bit integers converted in code (no libcalls). */
  static LLVMTypeRef storage(LLVMContextRef c, DType t) {
    return switch (t) {
      case BOOL -> LLVMInt8TypeInContext(c);
      case F16, BF16 -> LLVMInt16TypeInContext(c);
      default -> compute(c, t);
    };
  }

  static int bits(DType t) { return t == DType.BOOL ? 1 : t.byteSize() * 8; }
}
