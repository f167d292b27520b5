package dev.weft.codegen.lower;

import dev.weft.codegen.kir.Expr;

/**
 * How one op's result element is computed: given the index of an element of result
 * {@code output}, return its value as an expression over the op's operands (read through
 * {@link LowerContext#in}). Rules never see buffers or loops: the group lowering inlines
 * operands that are computed in the same group and loads the others.
 */
@FunctionalInterface
public interface Lowering {
  Expr at(LowerContext c, int output, Expr[] idx);
}
