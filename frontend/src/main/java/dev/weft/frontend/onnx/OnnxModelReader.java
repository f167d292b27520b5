package dev.weft.frontend.onnx;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Parser;
import dev.weft.frontend.onnx.proto.OnnxProto.ModelProto;
import dev.weft.frontend.onnx.proto.OnnxProto.OperatorSetIdProto;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Parses {@code ModelProto}s from untrusted files or bytes with explicit protobuf limits, and
 * checks the header: IR version in the supported range, an opset import, a graph. Every error
 * names the file.
 */
public final class OnnxModelReader {
  /** Oldest and newest IR versions accepted. */
  public static final long MIN_IR_VERSION = 3;
  public static final long MAX_IR_VERSION = 13;
  /** Protobuf message nesting limit: each subgraph level costs 3 (node, attribute, graph). */
  public static final int RECURSION_LIMIT = 400;
  /** Largest single protobuf (protobuf's own 2 GiB limit). */
  public static final long MAX_PROTO_BYTES = Integer.MAX_VALUE;

  private OnnxModelReader() {}

  /** Reads a model file; external data resolves against its folder. */
  public static OnnxModel read(Path file) {
    String name = file.getFileName() == null ? file.toString() : file.getFileName().toString();
    ModelProto proto = parseFile(file, ModelProto.parser(), name);
    check(proto, name);
    Path dir = file.toAbsolutePath().getParent();
    return new OnnxModel(proto, name, dir);
  }

  /** Reads a model from bytes; {@code name} is used in messages. External data is then an error. */
  public static OnnxModel read(byte[] bytes, String name) {
    ModelProto proto = parse(bytes, ModelProto.parser(), name);
    check(proto, name);
    return new OnnxModel(proto, name, null);
  }

  /** Parses any message from a file with the reader's limits; a file over 2 GiB is refused. */
  public static <T> T parseFile(Path file, Parser<T> parser, String name) {
    long size;
    try {
      size = Files.size(file);
    } catch (IOException e) {
      throw new OnnxImportException(name + ": cannot read: " + e.getMessage(), e);
    }
    if (size > MAX_PROTO_BYTES) {
      throw new OnnxImportException(name + ": file is " + size + " bytes, over protobuf's 2 GiB limit for one message;"
          + " store the weights as external data (onnx.save_model(..., save_as_external_data=True))");
    }
    try (InputStream in = Files.newInputStream(file)) {
      return parse(CodedInputStream.newInstance(in), parser, name);
    } catch (IOException e) {
      throw new OnnxImportException(name + ": cannot read: " + e.getMessage(), e);
    }
  }

  public static <T> T parse(byte[] bytes, Parser<T> parser, String name) {
    return parse(CodedInputStream.newInstance(bytes), parser, name);
  }

  private static <T> T parse(CodedInputStream in, Parser<T> parser, String name) {
    in.setSizeLimit(Integer.MAX_VALUE);
    in.setRecursionLimit(RECURSION_LIMIT);
    try {
      T msg = parser.parseFrom(in);
      in.checkLastTagWas(0);
      return msg;
    } catch (InvalidProtocolBufferException e) {
      throw new OnnxImportException(name + ": not a valid ONNX protobuf (garbage or truncated file): " + e.getMessage(), e);
    } catch (RuntimeException e) {
      throw new OnnxImportException(name + ": not a valid ONNX protobuf: " + e, e);
    }
  }

  /** Header checks shared by both entry points. */
  public static void check(ModelProto m, String name) {
    long ir = m.getIrVersion();
    if (ir == 0) throw new OnnxImportException(name + ": ir_version is missing or 0; not an ONNX model (or a damaged one)");
    if (ir < MIN_IR_VERSION) {
      throw new OnnxImportException(name + ": ir_version " + ir + " is older than the oldest supported (" + MIN_IR_VERSION + ")");
    }
    if (ir > MAX_IR_VERSION) {
      throw new OnnxImportException(name + ": ir_version " + ir + " is newer than the newest supported (" + MAX_IR_VERSION + ")");
    }
    if (m.getOpsetImportCount() == 0) throw new OnnxImportException(name + ": model has no opset_import");
    for (OperatorSetIdProto o : m.getOpsetImportList()) {
      if (o.getVersion() <= 0) {
        throw new OnnxImportException(name + ": opset_import for domain '" + o.getDomain() + "' has version " + o.getVersion());
      }
    }
    if (!m.hasGraph()) throw new OnnxImportException(name + ": model has no graph");
  }
}
