package dev.weft.codegen.kir;

import dev.weft.bundle.DType;

/**
 * Scalar semantics of the kernel IR on raw values (integers as longs wrapped to their type's
 * width, floats as double bits), shared by the {@link Evaluator} and stated here once for the
 * LLVM emitter to match. Where LLVM would be undefined, the IR defines a result: integer
 * division or remainder by zero gives 0, MIN/-1 wraps, shifts by the width or more give 0
 * (or the sign fill for arithmetic right shifts), float-to-int conversions saturate and map
 * NaN to 0.
 */
public final class Scalars {
  private Scalars() {}

  static double d(long raw) { return Double.longBitsToDouble(raw); }

  static long f(DType t, double v) { return Evaluator.f(t, v); }

  /** Wraps {@code v} to the width and signedness of {@code t}. */
  public static long wrap(DType t, long v) {
    return switch (t) {
      case BOOL -> v != 0 ? 1 : 0;
      case I8 -> (byte) v;
      case I16 -> (short) v;
      case I32 -> (int) v;
      case U8 -> v & 0xFFL;
      case U16 -> v & 0xFFFFL;
      case U32 -> v & 0xFFFF_FFFFL;
      default -> v;
    };
  }

  static long minOf(DType t) {
    return switch (t) {
      case I8 -> Byte.MIN_VALUE;
      case I16 -> Short.MIN_VALUE;
      case I32 -> Integer.MIN_VALUE;
      case I64 -> Long.MIN_VALUE;
      default -> 0;
    };
  }

  static long maxOf(DType t) {
    return switch (t) {
      case I8 -> Byte.MAX_VALUE;
      case I16 -> Short.MAX_VALUE;
      case I32 -> Integer.MAX_VALUE;
      case U8 -> 0xFF;
      case U16 -> 0xFFFF;
      case U32 -> 0xFFFF_FFFFL;
      case U64 -> -1L;
      default -> Long.MAX_VALUE;
    };
  }

  static int compareInts(DType t, long a, long b) {
    return t == DType.U64 ? Long.compareUnsigned(a, b) : Long.compare(a, b);
  }

  public static long binary(BinaryOp op, DType t, long a, long b) {
    if (t.isFloat()) return floatBinary(op, t, d(a), d(b));
    int bits = t == DType.BOOL ? 1 : t.byteSize() * 8;
    return switch (op) {
      case ADD -> wrap(t, a + b);
      case SUB -> wrap(t, a - b);
      case MUL -> wrap(t, a * b);
      case DIV -> b == 0 ? 0 : wrap(t, t == DType.U64 ? Long.divideUnsigned(a, b) : (b == -1 ? -a : a / b));
      case REM -> b == 0 ? 0 : wrap(t, t == DType.U64 ? Long.remainderUnsigned(a, b) : (b == -1 ? 0 : a % b));
      case MIN -> compareInts(t, a, b) <= 0 ? a : b;
      case MAX -> compareInts(t, a, b) >= 0 ? a : b;
      case EQ -> a == b ? 1 : 0;
      case NE -> a != b ? 1 : 0;
      case LT -> compareInts(t, a, b) < 0 ? 1 : 0;
      case LE -> compareInts(t, a, b) <= 0 ? 1 : 0;
      case GT -> compareInts(t, a, b) > 0 ? 1 : 0;
      case GE -> compareInts(t, a, b) >= 0 ? 1 : 0;
      case AND -> wrap(t, a & b);
      case OR -> wrap(t, a | b);
      case XOR -> wrap(t, a ^ b);
      case SHL -> Long.compareUnsigned(b, bits) >= 0 ? 0 : wrap(t, a << b);
      case SHR -> {
        if (Long.compareUnsigned(b, bits) >= 0) yield t.isSigned() && a < 0 ? wrap(t, -1) : 0;
        yield t.isSigned() ? wrap(t, a >> b) : wrap(t, a >>> b);
      }
    };
  }

  private static long floatBinary(BinaryOp op, DType t, double x, double y) {
    return switch (op) {
      case ADD -> f(t, x + y);
      case SUB -> f(t, x - y);
      case MUL -> f(t, x * y);
      case DIV -> f(t, x / y);
      case REM -> f(t, x % y);
      case MIN -> f(t, Double.isNaN(x) || Double.isNaN(y) ? Double.NaN : Math.min(x, y));
      case MAX -> f(t, Double.isNaN(x) || Double.isNaN(y) ? Double.NaN : Math.max(x, y));
      case EQ -> x == y ? 1 : 0;
      case NE -> x != y ? 1 : 0;
      case LT -> x < y ? 1 : 0;
      case LE -> x <= y ? 1 : 0;
      case GT -> x > y ? 1 : 0;
      case GE -> x >= y ? 1 : 0;
      default -> throw new KirException(op + " on " + t);
    };
  }

  public static long unary(UnaryOp op, DType t, long x) {
    if (t.isFloat()) {
      double v = d(x);
      return switch (op) {
        case NEG -> f(t, -v);
        case ABS -> f(t, Math.abs(v));
        case SQRT -> f(t, Math.sqrt(v));
        case FLOOR -> f(t, Math.floor(v));
        case CEIL -> f(t, Math.ceil(v));
        case TRUNC -> f(t, v < 0 ? Math.ceil(v) : Math.floor(v));
        case ROUND_EVEN -> f(t, Math.rint(v));
        case IS_NAN -> Double.isNaN(v) ? 1 : 0;
        default -> throw new KirException(op + " on " + t);
      };
    }
    return switch (op) {
      case NEG -> wrap(t, -x);
      case ABS -> wrap(t, t.isSigned() ? Math.abs(x) : x);
      case NOT -> t == DType.BOOL ? (x != 0 ? 0 : 1) : wrap(t, ~x);
      default -> throw new KirException(op + " on " + t);
    };
  }

  public static long cast(DType from, DType to, long x) {
    if (from == to) return x;
    if (to == DType.BOOL) return from.isFloat() ? (d(x) != 0 ? 1 : 0) : (x != 0 ? 1 : 0);
    if (from.isFloat()) {
      double v = d(x);
      if (to.isFloat()) return f(to, v);
      if (to == DType.U64) return v <= 0 || Double.isNaN(v) ? 0 : (v >= 0x1p64 ? -1L : unsignedOf(v));
      return wrap(to, (long) v); // Java's (long) saturates and maps NaN to 0, like fptosi.sat
    }
    if (to.isFloat()) {
      double v = from == DType.U64 && x < 0 ? unsignedToDouble(x) : x;
      return f(to, to == DType.F32 && from == DType.U64 ? (float) v : v);
    }
    return wrap(to, x);
  }

  private static long unsignedOf(double v) {
    return v < 0x1p63 ? (long) v : (long) (v - 0x1p63) + Long.MIN_VALUE;
  }

  private static double unsignedToDouble(long x) {
    return (double) (x >>> 1) * 2.0 + (x & 1);
  }
}
