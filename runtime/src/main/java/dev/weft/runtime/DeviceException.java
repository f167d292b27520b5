package dev.weft.runtime;

import dev.weft.bundle.WeftException;

/** A driver call failed: the message names the call, the driver's error name and its description. */
public final class DeviceException extends WeftException {
  private final int code;

  public DeviceException(String message, int code) {
    super(message);
    this.code = code;
  }

  /** The driver's error code (CUresult, hipError_t), or -1. */
  public int code() { return code; }
}
