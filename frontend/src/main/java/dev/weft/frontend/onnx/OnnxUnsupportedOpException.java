package dev.weft.frontend.onnx;

import java.util.List;

/** A model uses an op (or op version) the import table does not cover. */
public final class OnnxUnsupportedOpException extends OnnxImportException {
  private final transient List<OnnxCoverage.Entry> missing;

  public OnnxUnsupportedOpException(String message, List<OnnxCoverage.Entry> missing) {
    super(message);
    this.missing = List.copyOf(missing);
  }

  /** The unsupported ops found by the coverage scan (empty when found during lowering). */
  public List<OnnxCoverage.Entry> missing() { return missing; }
}
