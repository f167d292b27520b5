package dev.weft.codegen.emit;

import static org.bytedeco.llvm.global.LLVM.*;

import org.bytedeco.llvm.LLVM.LLVMBuilderRef;
import org.bytedeco.llvm.LLVM.LLVMContextRef;
import org.bytedeco.llvm.LLVM.LLVMTypeRef;
import org.bytedeco.llvm.LLVM.LLVMValueRef;

/**
 * f16 and bf16 conversions in integer and f32 operations, round to nearest even, so that no
 * target needs a conversion library call (x86-64 without F16C would call compiler-rt).
 * The f32-to-f16 rounding follows F. Giesen's float_to_half_fast3_rtne.
 */
final class HalfFloats {
  private HalfFloats() {}

  private static LLVMValueRef i32(LLVMContextRef c, long v) { return LLVMConstInt(LLVMInt32TypeInContext(c), v, 0); }

  static LLVMValueRef toFloat(LLVMBuilderRef b, LLVMContextRef c, LLVMValueRef h16) {
    LLVMTypeRef i32 = LLVMInt32TypeInContext(c);
    LLVMTypeRef f32 = LLVMFloatTypeInContext(c);
    LLVMValueRef h = LLVMBuildZExt(b, h16, i32, "h");
    LLVMValueRef sign = LLVMBuildShl(b, LLVMBuildAnd(b, h, i32(c, 0x8000), "s"), i32(c, 16), "sign");
    LLVMValueRef exp = LLVMBuildAnd(b, LLVMBuildLShr(b, h, i32(c, 10), "e"), i32(c, 0x1f), "exp");
    LLVMValueRef mant = LLVMBuildAnd(b, h, i32(c, 0x3ff), "mant");
    LLVMValueRef normal = LLVMBuildOr(b, LLVMBuildShl(b, LLVMBuildAdd(b, exp, i32(c, 112), "e2"), i32(c, 23), "eb"),
        LLVMBuildShl(b, mant, i32(c, 13), "mb"), "normal");
    LLVMValueRef special = LLVMBuildOr(b, i32(c, 0x7f800000), LLVMBuildShl(b, mant, i32(c, 13), "mb2"), "special");
    LLVMValueRef sub = LLVMBuildBitCast(b, LLVMBuildFMul(b, LLVMBuildUIToFP(b, mant, f32, "mf"), LLVMConstReal(f32, 0x1p-24), "sub"), i32, "subbits");
    LLVMValueRef isZeroExp = LLVMBuildICmp(b, LLVMIntEQ, exp, i32(c, 0), "e0");
    LLVMValueRef isMaxExp = LLVMBuildICmp(b, LLVMIntEQ, exp, i32(c, 31), "e31");
    LLVMValueRef bits = LLVMBuildSelect(b, isZeroExp, sub, LLVMBuildSelect(b, isMaxExp, special, normal, "ns"), "mag");
    return LLVMBuildBitCast(b, LLVMBuildOr(b, bits, sign, "bits"), f32, "f16");
  }

  static LLVMValueRef toHalf(LLVMBuilderRef b, LLVMContextRef c, LLVMValueRef f) {
    LLVMTypeRef i32 = LLVMInt32TypeInContext(c);
    LLVMTypeRef f32 = LLVMFloatTypeInContext(c);
    LLVMValueRef bits = LLVMBuildBitCast(b, f, i32, "fb");
    LLVMValueRef sign = LLVMBuildAnd(b, bits, i32(c, 0x80000000L), "sign");
    LLVMValueRef abs = LLVMBuildXor(b, bits, sign, "abs");
    long denormMagic = ((127 - 15) + (23 - 10) + 1L) << 23;
    LLVMValueRef overflow = LLVMBuildICmp(b, LLVMIntUGE, abs, i32(c, (127 + 16L) << 23), "ovf");
    LLVMValueRef nan = LLVMBuildICmp(b, LLVMIntUGT, abs, i32(c, 255L << 23), "nan");
    LLVMValueRef infOrNan = LLVMBuildSelect(b, nan, i32(c, 0x7e00), i32(c, 0x7c00), "inf");
    LLVMValueRef tiny = LLVMBuildICmp(b, LLVMIntULT, abs, i32(c, 113L << 23), "tiny");
    LLVMValueRef denorm = LLVMBuildSub(b,
        LLVMBuildBitCast(b, LLVMBuildFAdd(b, LLVMBuildBitCast(b, abs, f32, "af"), LLVMBuildBitCast(b, i32(c, denormMagic), f32, "dm"), "dn"), i32, "dnb"),
        i32(c, denormMagic), "denorm");
    LLVMValueRef odd = LLVMBuildAnd(b, LLVMBuildLShr(b, abs, i32(c, 13), "o"), i32(c, 1), "odd");
    LLVMValueRef rebias = LLVMBuildAdd(b, abs, i32(c, (((15 - 127) << 23) + 0xfff) & 0xffffffffL), "rb");
    LLVMValueRef normal = LLVMBuildLShr(b, LLVMBuildAdd(b, rebias, odd, "r"), i32(c, 13), "normal");
    LLVMValueRef mag = LLVMBuildSelect(b, overflow, infOrNan, LLVMBuildSelect(b, tiny, denorm, normal, "fin"), "mag");
    LLVMValueRef h = LLVMBuildOr(b, mag, LLVMBuildLShr(b, sign, i32(c, 16), "s16"), "h");
    return LLVMBuildTrunc(b, h, LLVMInt16TypeInContext(c), "f16");
  }

  static LLVMValueRef toBFloat16(LLVMBuilderRef b, LLVMContextRef c, LLVMValueRef f) {
    LLVMTypeRef i32 = LLVMInt32TypeInContext(c);
    LLVMValueRef bits = LLVMBuildBitCast(b, f, i32, "fb");
    LLVMValueRef lsb = LLVMBuildAnd(b, LLVMBuildLShr(b, bits, i32(c, 16), "hi"), i32(c, 1), "lsb");
    LLVMValueRef rounded = LLVMBuildLShr(b, LLVMBuildAdd(b, LLVMBuildAdd(b, bits, i32(c, 0x7fff), "r"), lsb, "r2"), i32(c, 16), "rne");
    LLVMValueRef quiet = LLVMBuildOr(b, LLVMBuildLShr(b, bits, i32(c, 16), "nb"), i32(c, 0x40), "qnan");
    LLVMValueRef isNan = LLVMBuildFCmp(b, LLVMRealUNO, f, f, "nan");
    return LLVMBuildTrunc(b, LLVMBuildSelect(b, isNan, quiet, rounded, "bf"), LLVMInt16TypeInContext(c), "bf16");
  }
}
