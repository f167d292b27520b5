package dev.weft.ir.interp;

/**
 * Reference semantics of one op: results from operand values. Values are {@link
 * dev.weft.bundle.Tensor}s, {@link SequenceValue}s or {@link OptionalValue}s.
 */
@FunctionalInterface
public interface Kernel {
  Object[] run(KernelContext c);
}
