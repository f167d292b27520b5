package dev.weft.codegen.kir;

/** Reductions with their identities; MAX and MIN propagate NaN. */
public enum ReduceOp {
  SUM, PROD, MAX, MIN;

  /** The combining operation. */
  public BinaryOp combine() {
    return switch (this) {
      case SUM -> BinaryOp.ADD;
      case PROD -> BinaryOp.MUL;
      case MAX -> BinaryOp.MAX;
      case MIN -> BinaryOp.MIN;
    };
  }

  /** The identity element (-inf/+inf for float max/min; the type's extremes for integers). */
  public double identity(boolean isFloat) {
    return switch (this) {
      case SUM -> 0;
      case PROD -> 1;
      case MAX -> isFloat ? Double.NEGATIVE_INFINITY : Long.MIN_VALUE;
      case MIN -> isFloat ? Double.POSITIVE_INFINITY : Long.MAX_VALUE;
    };
  }
}
