package dev.weft.codegen.emit;

import static org.bytedeco.llvm.global.LLVM.*;

import dev.weft.bundle.DType;
import dev.weft.codegen.kir.BinaryOp;
import dev.weft.codegen.kir.Expr;
import dev.weft.codegen.kir.KirException;
import dev.weft.codegen.kir.ReduceOp;
import dev.weft.codegen.kir.UnaryOp;
import dev.weft.codegen.target.Target;
import org.bytedeco.javacpp.PointerPointer;
import org.bytedeco.llvm.LLVM.LLVMBuilderRef;
import org.bytedeco.llvm.LLVM.LLVMContextRef;
import org.bytedeco.llvm.LLVM.LLVMModuleRef;
import org.bytedeco.llvm.LLVM.LLVMTypeRef;
import org.bytedeco.llvm.LLVM.LLVMValueRef;

/**
 * Scalar operations with the semantics {@link dev.weft.codegen.kir.Scalars} defines, written so
 * that no LLVM undefined behaviour or poison is reachable (guarded division and shifts,
 * saturating float-to-int) and no library call is needed (intrinsics only where the target
 * says it selects them; otherwise integer-and-float sequences).
 */
final class ScalarEmitter {
  private final Target target;
  private final LLVMContextRef ctx;
  private final LLVMModuleRef module;
  private final LLVMBuilderRef b;

  ScalarEmitter(Target target, LLVMContextRef ctx, LLVMModuleRef module, LLVMBuilderRef b) {
    this.target = target;
    this.ctx = ctx;
    this.module = module;
    this.b = b;
  }

  private LLVMTypeRef type(DType t) { return Types.compute(ctx, t); }

  private LLVMValueRef intConst(DType t, long v) { return LLVMConstInt(type(t), v, 1); }

  private LLVMValueRef floatConst(DType t, double v) { return LLVMConstReal(type(t), v); }

  LLVMValueRef constant(Expr e) {
    return e.type().isFloat() ? floatConst(e.type(), e.constant()) : intConst(e.type(), e.longValue());
  }

  // ---- intrinsics

  private LLVMValueRef call(String name, LLVMTypeRef overload, LLVMValueRef... args) {
    return call(name, new LLVMTypeRef[] {overload}, args);
  }

  private LLVMValueRef call(String name, LLVMTypeRef[] overloads, LLVMValueRef... args) {
    int id = LLVMLookupIntrinsicID(name, name.length());
    if (id == 0) throw new KirException("LLVM has no intrinsic " + name);
    PointerPointer<LLVMTypeRef> tys = new PointerPointer<>(overloads);
    LLVMValueRef fn = LLVMGetIntrinsicDeclaration(module, id, tys, overloads.length);
    LLVMTypeRef fnType = LLVMIntrinsicGetType(ctx, id, tys, overloads.length);
    return LLVMBuildCall2(b, fnType, fn, new PointerPointer<>(args), args.length, "");
  }

  private boolean has(String intrinsic) { return target.supportsIntrinsic(intrinsic); }

  // ---- unary

  LLVMValueRef unary(UnaryOp op, DType t, LLVMValueRef x) {
    if (t.isFloat()) {
      return switch (op) {
        case NEG -> LLVMBuildFNeg(b, x, "neg");
        case ABS -> fabs(t, x);
        case SQRT -> call("llvm.sqrt", type(t), x);
        case FLOOR -> has("floor") ? call("llvm.floor", type(t), x) : softRound(t, x, -1);
        case CEIL -> has("ceil") ? call("llvm.ceil", type(t), x) : softRound(t, x, 1);
        case TRUNC -> has("trunc") ? call("llvm.trunc", type(t), x) : softRound(t, x, 0);
        case ROUND_EVEN -> has("rint") ? call("llvm.rint", type(t), x) : softRint(t, x);
        case IS_NAN -> LLVMBuildFCmp(b, LLVMRealUNO, x, x, "isnan");
        case BITS -> LLVMBuildBitCast(b, x, type(t == DType.F64 ? DType.I64 : DType.I32), "bits");
        default -> throw new KirException(op + " on " + t);
      };
    }
    return switch (op) {
      case NEG -> LLVMBuildSub(b, intConst(t, 0), x, "neg");
      case ABS -> t.isSigned() ? LLVMBuildSelect(b, LLVMBuildICmp(b, LLVMIntSLT, x, intConst(t, 0), "n"), LLVMBuildSub(b, intConst(t, 0), x, "a"), x, "abs") : x;
      case NOT -> LLVMBuildXor(b, x, t == DType.BOOL ? LLVMConstInt(type(t), 1, 0) : intConst(t, -1), "not");
      case FROM_BITS -> LLVMBuildBitCast(b, x, type(t == DType.I64 ? DType.F64 : DType.F32), "float");
      default -> throw new KirException(op + " on " + t);
    };
  }

  private LLVMValueRef fabs(DType t, LLVMValueRef x) {
    DType it = t == DType.F64 ? DType.I64 : DType.I32;
    LLVMValueRef bits = LLVMBuildBitCast(b, x, type(it), "bits");
    long mask = t == DType.F64 ? Long.MAX_VALUE : 0x7fffffffL;
    return LLVMBuildBitCast(b, LLVMBuildAnd(b, bits, intConst(it, mask), "abs"), type(t), "fabs");
  }

  /** Magnitudes at or above this are already integral (and inf/NaN pass through). */
  private double integralLimit(DType t) { return t == DType.F64 ? 0x1p52 : 0x1p23; }

  private LLVMValueRef small(DType t, LLVMValueRef x) {
    return LLVMBuildFCmp(b, LLVMRealOLT, fabs(t, x), floatConst(t, integralLimit(t)), "small");
  }

  /** floor (dir -1), ceil (+1) or trunc (0) without libm: through an integer conversion when |x| is small. */
  private LLVMValueRef softRound(DType t, LLVMValueRef x, int dir) {
    LLVMValueRef tr = LLVMBuildSIToFP(b, LLVMBuildFPToSI(b, x, type(DType.I64), "i"), type(t), "t");
    // keep the sign of zero: trunc(-0.3) is -0.0
    LLVMValueRef r = tr;
    if (dir < 0) r = LLVMBuildFSub(b, tr, LLVMBuildSelect(b, LLVMBuildFCmp(b, LLVMRealOGT, tr, x, "gt"), floatConst(t, 1), floatConst(t, 0), "d"), "floor");
    if (dir > 0) r = LLVMBuildFAdd(b, tr, LLVMBuildSelect(b, LLVMBuildFCmp(b, LLVMRealOLT, tr, x, "lt"), floatConst(t, 1), floatConst(t, 0), "d"), "ceil");
    r = copySign(t, r, x);
    return LLVMBuildSelect(b, small(t, x), r, x, "round");
  }

  /** Round half to even by adding and subtracting 2^(p-1): the FPU's own rounding does the work. */
  private LLVMValueRef softRint(DType t, LLVMValueRef x) {
    LLVMValueRef big = floatConst(t, integralLimit(t));
    LLVMValueRef ax = fabs(t, x);
    LLVMValueRef r = LLVMBuildFSub(b, LLVMBuildFAdd(b, ax, big, "up"), big, "down");
    return LLVMBuildSelect(b, small(t, x), copySign(t, r, x), x, "rint");
  }

  private LLVMValueRef copySign(DType t, LLVMValueRef mag, LLVMValueRef sign) {
    DType it = t == DType.F64 ? DType.I64 : DType.I32;
    long signBit = t == DType.F64 ? Long.MIN_VALUE : 0x80000000L;
    LLVMValueRef m = LLVMBuildAnd(b, LLVMBuildBitCast(b, mag, type(it), "m"), intConst(it, ~signBit), "mag");
    LLVMValueRef s = LLVMBuildAnd(b, LLVMBuildBitCast(b, sign, type(it), "s"), intConst(it, signBit), "sgn");
    return LLVMBuildBitCast(b, LLVMBuildOr(b, m, s, "cs"), type(t), "copysign");
  }

  // ---- binary

  LLVMValueRef binary(BinaryOp op, DType t, LLVMValueRef x, LLVMValueRef y) {
    if (t.isFloat()) return floatBinary(op, t, x, y);
    boolean signed = t.isSigned();
    return switch (op) {
      case ADD -> LLVMBuildAdd(b, x, y, "add");
      case SUB -> LLVMBuildSub(b, x, y, "sub");
      case MUL -> LLVMBuildMul(b, x, y, "mul");
      case DIV -> intDivRem(t, x, y, true);
      case REM -> intDivRem(t, x, y, false);
      case MIN -> LLVMBuildSelect(b, LLVMBuildICmp(b, signed ? LLVMIntSLE : LLVMIntULE, x, y, "le"), x, y, "min");
      case MAX -> LLVMBuildSelect(b, LLVMBuildICmp(b, signed ? LLVMIntSGE : LLVMIntUGE, x, y, "ge"), x, y, "max");
      case EQ -> LLVMBuildICmp(b, LLVMIntEQ, x, y, "eq");
      case NE -> LLVMBuildICmp(b, LLVMIntNE, x, y, "ne");
      case LT -> LLVMBuildICmp(b, signed ? LLVMIntSLT : LLVMIntULT, x, y, "lt");
      case LE -> LLVMBuildICmp(b, signed ? LLVMIntSLE : LLVMIntULE, x, y, "le");
      case GT -> LLVMBuildICmp(b, signed ? LLVMIntSGT : LLVMIntUGT, x, y, "gt");
      case GE -> LLVMBuildICmp(b, signed ? LLVMIntSGE : LLVMIntUGE, x, y, "ge");
      case AND -> LLVMBuildAnd(b, x, y, "and");
      case OR -> LLVMBuildOr(b, x, y, "or");
      case XOR -> LLVMBuildXor(b, x, y, "xor");
      case SHL, SHR -> shift(op, t, x, y);
    };
  }

  /** Division by zero gives 0 and MIN / -1 wraps, as Scalars defines, instead of LLVM's UB. */
  private LLVMValueRef intDivRem(DType t, LLVMValueRef x, LLVMValueRef y, boolean div) {
    LLVMValueRef zero = intConst(t, 0);
    LLVMValueRef isZero = LLVMBuildICmp(b, LLVMIntEQ, y, zero, "dz");
    if (!t.isSigned()) {
      LLVMValueRef safe = LLVMBuildSelect(b, isZero, intConst(t, 1), y, "d");
      LLVMValueRef r = div ? LLVMBuildUDiv(b, x, safe, "q") : LLVMBuildURem(b, x, safe, "r");
      return LLVMBuildSelect(b, isZero, zero, r, div ? "div" : "rem");
    }
    LLVMValueRef minusOne = LLVMBuildICmp(b, LLVMIntEQ, y, intConst(t, -1), "m1");
    LLVMValueRef bad = LLVMBuildOr(b, isZero, minusOne, "bad");
    LLVMValueRef safe = LLVMBuildSelect(b, bad, intConst(t, 1), y, "d");
    LLVMValueRef r = div ? LLVMBuildSDiv(b, x, safe, "q") : LLVMBuildSRem(b, x, safe, "r");
    LLVMValueRef special = div ? LLVMBuildSub(b, zero, x, "negx") : zero;
    r = LLVMBuildSelect(b, minusOne, special, r, "r1");
    return LLVMBuildSelect(b, isZero, zero, r, div ? "div" : "rem");
  }

  private LLVMValueRef shift(BinaryOp op, DType t, LLVMValueRef x, LLVMValueRef y) {
    int bits = Types.bits(t);
    LLVMValueRef tooFar = LLVMBuildICmp(b, LLVMIntUGE, y, intConst(t, bits), "far");
    LLVMValueRef amount = LLVMBuildSelect(b, tooFar, intConst(t, 0), y, "amt");
    if (op == BinaryOp.SHL) return LLVMBuildSelect(b, tooFar, intConst(t, 0), LLVMBuildShl(b, x, amount, "shl"), "shl");
    if (t.isSigned()) {
      LLVMValueRef fill = LLVMBuildAShr(b, x, intConst(t, bits - 1), "fill");
      return LLVMBuildSelect(b, tooFar, fill, LLVMBuildAShr(b, x, amount, "sar"), "shr");
    }
    return LLVMBuildSelect(b, tooFar, intConst(t, 0), LLVMBuildLShr(b, x, amount, "shr"), "shr");
  }

  private LLVMValueRef floatBinary(BinaryOp op, DType t, LLVMValueRef x, LLVMValueRef y) {
    return switch (op) {
      case ADD -> LLVMBuildFAdd(b, x, y, "fadd");
      case SUB -> LLVMBuildFSub(b, x, y, "fsub");
      case MUL -> LLVMBuildFMul(b, x, y, "fmul");
      case DIV -> LLVMBuildFDiv(b, x, y, "fdiv");
      case REM -> floatRem(t, x, y);
      case MIN -> minMax(t, x, y, true);
      case MAX -> minMax(t, x, y, false);
      case EQ -> LLVMBuildFCmp(b, LLVMRealOEQ, x, y, "eq");
      case NE -> LLVMBuildFCmp(b, LLVMRealUNE, x, y, "ne");
      case LT -> LLVMBuildFCmp(b, LLVMRealOLT, x, y, "lt");
      case LE -> LLVMBuildFCmp(b, LLVMRealOLE, x, y, "le");
      case GT -> LLVMBuildFCmp(b, LLVMRealOGT, x, y, "gt");
      case GE -> LLVMBuildFCmp(b, LLVMRealOGE, x, y, "ge");
      default -> throw new KirException(op + " on " + t);
    };
  }

  /** x - y * trunc(x / y), in f64 for f32 operands (exact while the quotient fits the mantissa). */
  private LLVMValueRef floatRem(DType t, LLVMValueRef x, LLVMValueRef y) {
    DType w = DType.F64;
    LLVMValueRef xd = t == w ? x : LLVMBuildFPExt(b, x, type(w), "xd");
    LLVMValueRef yd = t == w ? y : LLVMBuildFPExt(b, y, type(w), "yd");
    LLVMValueRef q = unary(UnaryOp.TRUNC, w, LLVMBuildFDiv(b, xd, yd, "q"));
    LLVMValueRef r = LLVMBuildFSub(b, xd, LLVMBuildFMul(b, q, yd, "qy"), "r");
    // inf divisor leaves x; keep the dividend's sign on a zero result (fmod(-4, 2) is -0)
    r = LLVMBuildSelect(b, LLVMBuildFCmp(b, LLVMRealOEQ, fabs(w, yd), floatConst(w, Double.POSITIVE_INFINITY), "yinf"), xd, r, "r2");
    r = copySign(w, r, xd);
    return t == w ? r : LLVMBuildFPTrunc(b, r, type(t), "rem");
  }

  /** NaN-propagating min/max; equal operands (the two zeros) pick by sign bits, as Java's Math.min/max. */
  private LLVMValueRef minMax(DType t, LLVMValueRef x, LLVMValueRef y, boolean min) {
    DType it = t == DType.F64 ? DType.I64 : DType.I32;
    LLVMValueRef xb = LLVMBuildBitCast(b, x, type(it), "xb");
    LLVMValueRef yb = LLVMBuildBitCast(b, y, type(it), "yb");
    LLVMValueRef tie = LLVMBuildBitCast(b, min ? LLVMBuildOr(b, xb, yb, "or") : LLVMBuildAnd(b, xb, yb, "and"), type(t), "tie");
    LLVMValueRef first = LLVMBuildFCmp(b, min ? LLVMRealOLT : LLVMRealOGT, x, y, "first");
    LLVMValueRef second = LLVMBuildFCmp(b, min ? LLVMRealOGT : LLVMRealOLT, x, y, "second");
    LLVMValueRef r = LLVMBuildSelect(b, first, x, LLVMBuildSelect(b, second, y, tie, "s"), "mm");
    LLVMValueRef xNan = LLVMBuildFCmp(b, LLVMRealUNO, x, x, "xn");
    LLVMValueRef yNan = LLVMBuildFCmp(b, LLVMRealUNO, y, y, "yn");
    r = LLVMBuildSelect(b, yNan, y, r, "ny");
    return LLVMBuildSelect(b, xNan, x, r, min ? "min" : "max");
  }

  // ---- reductions

  LLVMValueRef reduceIdentity(ReduceOp op, DType t) {
    if (t.isFloat()) return floatConst(t, op.identity(true));
    return switch (op) {
      case SUM -> intConst(t, 0);
      case PROD -> intConst(t, 1);
      case MAX -> intConst(t, minOf(t));
      case MIN -> intConst(t, maxOf(t));
    };
  }

  private static long minOf(DType t) {
    if (!t.isSigned()) return 0;
    return -(1L << (Types.bits(t) - 1));
  }

  private static long maxOf(DType t) {
    if (!t.isSigned()) return Types.bits(t) == 64 ? -1L : (1L << Types.bits(t)) - 1;
    return (1L << (Types.bits(t) - 1)) - 1;
  }

  LLVMValueRef combine(ReduceOp op, DType t, LLVMValueRef acc, LLVMValueRef x) {
    return binary(op.combine(), t, acc, x);
  }

  // ---- conversions

  LLVMValueRef cast(DType from, DType to, LLVMValueRef x) {
    if (from == to) return x;
    if (to == DType.BOOL) {
      return from.isFloat() ? LLVMBuildFCmp(b, LLVMRealUNE, x, floatConst(from, 0), "tobool")
          : LLVMBuildICmp(b, LLVMIntNE, x, intConst(from, 0), "tobool");
    }
    if (from.isFloat() && to.isFloat()) {
      return Types.bits(to) > Types.bits(from) ? LLVMBuildFPExt(b, x, type(to), "fpext") : LLVMBuildFPTrunc(b, x, type(to), "fptrunc");
    }
    if (from.isFloat()) {
      boolean unsigned64 = to == DType.U64;
      // overloaded on result and operand type: llvm.fptosi.sat.i64.f32
      LLVMValueRef wide = call(unsigned64 ? "llvm.fptoui.sat" : "llvm.fptosi.sat", new LLVMTypeRef[] {type(DType.I64), type(from)}, x);
      return to == DType.I64 || to == DType.U64 ? wide : LLVMBuildTrunc(b, wide, type(to), "trunc");
    }
    boolean srcSigned = from.isSigned();
    if (to.isFloat()) return srcSigned ? LLVMBuildSIToFP(b, x, type(to), "sitofp") : LLVMBuildUIToFP(b, x, type(to), "uitofp");
    int fb = Types.bits(from);
    int tb = Types.bits(to);
    if (tb < fb) return LLVMBuildTrunc(b, x, type(to), "trunc");
    if (tb == fb) return x;
    return srcSigned ? LLVMBuildSExt(b, x, type(to), "sext") : LLVMBuildZExt(b, x, type(to), "zext");
  }

  /** A loaded element widened to its compute type. */
  LLVMValueRef fromStorage(LLVMValueRef raw, DType storage) {
    return switch (storage) {
      case BOOL -> LLVMBuildICmp(b, LLVMIntNE, raw, LLVMConstInt(LLVMInt8TypeInContext(ctx), 0, 0), "bool");
      case BF16 -> LLVMBuildBitCast(b, LLVMBuildShl(b, LLVMBuildZExt(b, raw, type(DType.I32), "w"), intConst(DType.I32, 16), "hi"), type(DType.F32), "bf16");
      case F16 -> HalfFloats.toFloat(b, ctx, raw);
      default -> raw;
    };
  }

  /** A computed value narrowed to a buffer's element type. */
  LLVMValueRef toStorage(LLVMValueRef v, DType computed, DType storage) {
    return switch (storage) {
      case BOOL -> LLVMBuildZExt(b, v, LLVMInt8TypeInContext(ctx), "byte");
      case BF16 -> HalfFloats.toBFloat16(b, ctx, v);
      case F16 -> HalfFloats.toHalf(b, ctx, v);
      default -> {
        if (computed != storage) throw new KirException("store of " + computed + " into a " + storage + " buffer");
        yield v;
      }
    };
  }
}
