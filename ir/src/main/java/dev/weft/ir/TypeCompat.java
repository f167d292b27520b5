package dev.weft.ir;

import dev.weft.bundle.DType;

/** Type compatibility and size rules the verifier applies to recorded and inferred types. */
final class TypeCompat {
  private TypeCompat() {}

  /**
   * Null when {@code a} and {@code b} can describe the same runtime value: same kind and dtype,
   * same rank when both are ranked, equal sizes where both dims are static. A symbolic dim is
   * compatible with anything, since it may be bound to that size at run time.
   */
  static String mismatch(Type a, Type b) {
    if (a instanceof TensorType ta && b instanceof TensorType tb) {
      if (ta.dtype() != tb.dtype()) return "dtype " + ta.dtype() + " vs " + tb.dtype();
      Shape sa = ta.shape();
      Shape sb = tb.shape();
      if (!sa.isRanked() || !sb.isRanked()) return null;
      if (sa.rank() != sb.rank()) return "rank " + sa.rank() + " vs " + sb.rank();
      for (int i = 0; i < sa.rank(); i++) {
        Dim x = sa.dim(i);
        Dim y = sb.dim(i);
        if (x.isStatic() && y.isStatic() && x.size() != y.size()) return "dim " + i + " is " + x + " vs " + y;
      }
      return null;
    }
    if (a instanceof SequenceType sa && b instanceof SequenceType sb) return mismatch(sa.element(), sb.element());
    if (a instanceof OptionalType oa && b instanceof OptionalType ob) return mismatch(oa.element(), ob.element());
    return "kind " + kindOf(a) + " vs " + kindOf(b);
  }

  private static String kindOf(Type t) {
    return switch (t) {
      case TensorType x -> "tensor";
      case SequenceType x -> "sequence";
      case OptionalType x -> "optional";
    };
  }

  /**
   * Bytes a static tensor type holds in memory; -1 when not a static tensor; Long.MAX_VALUE on
   * int64 overflow. Strings count as 8 bytes an element (one reference), a lower bound.
   */
  static long byteSize(Type t) {
    if (!(t instanceof TensorType tt) || !tt.shape().isStatic()) return -1;
    try {
      long per = tt.dtype() == DType.STRING ? 8 : tt.dtype().byteSize();
      return Math.multiplyExact(tt.shape().elementCount(), per);
    } catch (ArithmeticException e) {
      return Long.MAX_VALUE;
    }
  }
}
