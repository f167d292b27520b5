package dev.weft.bundle.json;

import dev.weft.bundle.BundleException;

/** Malformed JSON, or JSON of the wrong shape; the message starts with the file and position or field path. */
public final class JsonException extends BundleException {
  public JsonException(String message) { super(message); }
}
