package dev.weft.frontend.onnx;

import dev.weft.frontend.onnx.proto.OnnxProto.ModelProto;
import java.nio.file.Path;
import java.util.Objects;

/**
 * A parsed, header-checked ONNX model: the proto, the name used in diagnostics, and the folder
 * external data is resolved against (null when loaded from bytes).
 */
public record OnnxModel(ModelProto proto, String fileName, Path baseDir) {
  public OnnxModel {
    Objects.requireNonNull(proto, "proto");
    fileName = fileName == null || fileName.isEmpty() ? "<model>" : fileName;
  }

  /** The resolver for this model's external data. */
  public ExternalData externalData() { return new ExternalData(baseDir, fileName); }
}
