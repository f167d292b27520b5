package dev.weft.codegen.kir;

import dev.weft.bundle.WeftException;

/** A kernel IR construction error: an ill-typed or unsupported expression (a compiler bug or an unsupported op). */
public class KirException extends WeftException {
  public KirException(String message) { super(message); }
}
