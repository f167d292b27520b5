package dev.weft.bundle.safetensors;

import dev.weft.bundle.BundleException;

/** A safetensors file is malformed or a tensor cannot be stored in one; the message names the file and tensor. */
public final class SafetensorsException extends BundleException {
  public SafetensorsException(String message) { super(message); }

  public SafetensorsException(String message, Throwable cause) { super(message, cause); }
}
