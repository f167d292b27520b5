package dev.weft.compiler;

import dev.weft.bundle.WeftException;

/**
 * A range dim ({@code --shapes 'x=MIN..MAXx...'}) that the compiled program cannot take at run
 * time: a reshape merges it, a concat doubles it, a kernel's form or a weight changes with it in
 * a way {@link dev.weft.codegen.kir.DimFit} cannot follow, control flow. The message names the
 * group, node, value, axis and dim, and the static {@code --shapes} that compiles instead.
 */
public final class SymbolicDimException extends WeftException {
  public SymbolicDimException(String message) { super(message); }
}
