package dev.weft.bundle.program;

import dev.weft.bundle.WeftException;

/**
 * A run reached a {@link Step.Fail}: the input took a branch that the compiler could not compile
 * at the shapes the bundle was compiled for. The message names the node, the branch and why.
 */
public class UncompiledBranchException extends WeftException {
  public UncompiledBranchException(String message) { super(message); }
}
