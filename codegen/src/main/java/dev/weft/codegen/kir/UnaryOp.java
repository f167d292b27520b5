package dev.weft.codegen.kir;

/** Primitive one-operand operations; transcendental functions are built from these by {@link MathLib}. */
public enum UnaryOp {
  NEG, ABS, SQRT, FLOOR, CEIL, TRUNC,
  /** Round half to even. */
  ROUND_EVEN,
  /** Logical not on bool, bitwise not on integers. */
  NOT,
  /** Float: true where NaN (result bool). */
  IS_NAN,
  /** Float to the signed integer of the same width holding its bits. */
  BITS,
  /** Signed integer to the float of the same width whose bits it holds. */
  FROM_BITS
}
