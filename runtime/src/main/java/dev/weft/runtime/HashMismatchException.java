package dev.weft.runtime;

import dev.weft.bundle.BundleException;

/** A bundle file's sha256 is not the one its manifest records. */
public final class HashMismatchException extends BundleException {
  private final String file;

  public HashMismatchException(String file, String expected, String actual) {
    super(file + ": sha256 " + actual + " does not match " + expected + " in manifest.json (the file was changed or corrupted)");
    this.file = file;
  }

  /** The file, relative to the bundle root. */
  public String file() { return file; }
}
