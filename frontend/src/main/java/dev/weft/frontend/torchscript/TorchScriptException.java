package dev.weft.frontend.torchscript;

import dev.weft.bundle.WeftException;

/** Bad or unsupported TorchScript: the message names the archive entry and, where known, line:col. */
public class TorchScriptException extends WeftException {
  public TorchScriptException(String message) { super(message); }

  public TorchScriptException(String message, Throwable cause) { super(message, cause); }
}
