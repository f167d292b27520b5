package dev.weft.runtime;

import dev.weft.bundle.WeftException;

/** A device kind, driver library or device ordinal is not available on this machine; the message names it. */
public final class DeviceUnavailableException extends WeftException {
  public DeviceUnavailableException(String message) { super(message); }

  public DeviceUnavailableException(String message, Throwable cause) { super(message, cause); }
}
