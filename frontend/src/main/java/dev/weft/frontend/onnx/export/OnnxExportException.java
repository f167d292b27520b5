package dev.weft.frontend.onnx.export;

import dev.weft.bundle.WeftException;

/** A module that cannot be written as ONNX (or a file that cannot be written); names the node. */
public class OnnxExportException extends WeftException {
  public OnnxExportException(String message) { super(message); }

  public OnnxExportException(String message, Throwable cause) { super(message, cause); }
}
