package dev.weft.bundle;

/**
 * A bundle file (manifest, program, weights, kernels) is malformed, tampered with or does not
 * fit: the message names the file and, where there is one, the field or tensor.
 */
public class BundleException extends WeftException {
  public BundleException(String message) { super(message); }

  public BundleException(String message, Throwable cause) { super(message, cause); }
}
