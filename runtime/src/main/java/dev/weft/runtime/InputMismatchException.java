package dev.weft.runtime;

import dev.weft.bundle.WeftException;

/** The inputs of a run do not match the bundle: the message names the input and, where it applies, the axis. */
public final class InputMismatchException extends WeftException {
  public InputMismatchException(String message) { super(message); }
}
