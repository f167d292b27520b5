package dev.weft.runtime;

import dev.weft.bundle.WeftException;
import java.util.List;

/**
 * A bundle does not fit this machine or device (target, toolchain, device count, unsupported
 * steps). Raised before any device work; lists every difference.
 */
public final class BundleMismatchException extends WeftException {
  private final List<String> differences;

  public BundleMismatchException(String subject, List<String> differences) {
    super(subject + " does not fit: " + String.join("; ", differences));
    this.differences = List.copyOf(differences);
  }

  public List<String> differences() { return differences; }
}
