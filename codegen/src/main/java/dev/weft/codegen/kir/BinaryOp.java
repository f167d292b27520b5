package dev.weft.codegen.kir;

/**
 * Primitive two-operand operations on operands of one type. Comparisons yield bool (float
 * comparisons are ordered, except NE, which is true for NaN as in IEEE and Java). MIN and MAX
 * propagate NaN, as the reference interpreter does. DIV and REM on integers truncate toward
 * zero (signedness from the type); SHR is arithmetic on signed types.
 */
public enum BinaryOp {
  ADD, SUB, MUL, DIV, REM, MIN, MAX,
  EQ, NE, LT, LE, GT, GE,
  AND, OR, XOR, SHL, SHR;

  public boolean isComparison() { return ordinal() >= EQ.ordinal() && ordinal() <= GE.ordinal(); }
}
