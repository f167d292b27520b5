package dev.weft.bundle;

/**
 * Base of every error Weft reports about its input (a model, a bundle, a flag). The CLI maps
 * these to exit code 1 with the one-line {@link #getMessage()}; anything else is an internal
 * error (exit code 2).
 */
public class WeftException extends RuntimeException {
  public WeftException(String message) { super(message); }

  public WeftException(String message, Throwable cause) { super(message, cause); }
}
