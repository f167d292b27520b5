package dev.weft.frontend.onnx;

import dev.weft.bundle.WeftException;

/** A bad or unsupported ONNX model; the message names the file, node and field. */
public class OnnxImportException extends WeftException {
  public OnnxImportException(String message) { super(message); }

  public OnnxImportException(String message, Throwable cause) { super(message, cause); }
}
