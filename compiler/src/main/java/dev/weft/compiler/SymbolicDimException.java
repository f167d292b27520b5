package dev.weft.compiler;

import dev.weft.bundle.WeftException;

/**
 * A range dim ({@code --shapes 'x=MIN..MAXx...'}) that the compiled program cannot take at run
 * time: it reaches a non-leading axis, a reshape merges it, a kernel reduces over it or reads
 * across its slices. The message names the group, node, value, axis and dim, and the static
 * {@code --shapes} that compiles instead.
 */
public final class SymbolicDimException extends WeftException {
  public SymbolicDimException(String message) { super(message); }
}
