package dev.weft.frontend.onnx.export;

import com.google.protobuf.ByteString;
import dev.weft.frontend.onnx.proto.OnnxProto.GraphProto;
import dev.weft.frontend.onnx.proto.OnnxProto.ModelProto;
import dev.weft.frontend.onnx.proto.OnnxProto.OperatorSetIdProto;
import dev.weft.frontend.onnx.proto.OnnxProto.StringStringEntryProto;
import dev.weft.frontend.onnx.proto.OnnxProto.TensorProto;
import dev.weft.ir.Module;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Writes an IR module as an ONNX model (default opset {@value #DEFAULT_OPSET}, IR version
 * {@value #IR_VERSION}), so any stage can be opened in Netron or run by another runtime.
 * Constants of the main graph become initializers (raw_data; optionally external data in one
 * file beside the model), IR ops map through {@link ExportTable}, and the same module always
 * gives the same bytes.
 */
public final class OnnxExporter {
  public static final int DEFAULT_OPSET = 21;
  /** The IR version that goes with opset 21. */
  public static final long IR_VERSION = 10;
  /** Tensors at least this large go to the external data file when external data is on. */
  public static final long DEFAULT_EXTERNAL_THRESHOLD = 1024;
  /** Alignment of each tensor in the external data file (lets runtimes map it). */
  public static final int EXTERNAL_ALIGNMENT = 64;

  /**
   * @param externalLocation the data file's name (a bare file name beside the model); null
   *     keeps every tensor inline
   * @param valueInfo write the IR's types of intermediate values (Netron shows them)
   */
  public record Options(int opset, String externalLocation, long externalThreshold, boolean valueInfo, String producerVersion) {
    public static Options defaults() { return new Options(DEFAULT_OPSET, null, DEFAULT_EXTERNAL_THRESHOLD, true, defaultVersion()); }

    public Options withExternalData(String location) {
      return new Options(opset, location, externalThreshold, valueInfo, producerVersion);
    }

    public Options withProducerVersion(String v) { return new Options(opset, externalLocation, externalThreshold, valueInfo, v); }

    public Options withValueInfo(boolean on) { return new Options(opset, externalLocation, externalThreshold, on, producerVersion); }

    public boolean externalData() { return externalLocation != null; }
  }

  /** One tensor's bytes and where they go in the external data file. */
  public record ExternalChunk(String tensor, long offset, ByteString bytes) {}

  /** The model, the external data it refers to (empty when inline), and what the user should know. */
  public record Result(ModelProto model, List<ExternalChunk> external, List<String> warnings) {}

  private OnnxExporter() {}

  /** The module as a self-contained model (all data inline). */
  public static ModelProto export(Module m) { return export(m, Options.defaults()).model(); }

  public static Result export(Module m, Options options) { return export(m, options, ExportTable.standard()); }

  public static Result export(Module m, Options options, ExportTable table) {
    ExportContext cx = new ExportContext(table, options);
    GraphProto g = cx.mainGraph(m.main());
    ModelProto.Builder mb = ModelProto.newBuilder().setIrVersion(IR_VERSION).setProducerName("weft")
        .setProducerVersion(options.producerVersion() == null ? "unknown" : options.producerVersion());
    mb.addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("").setVersion(options.opset()));
    for (Map.Entry<String, Long> d : cx.domains().entrySet()) {
      mb.addOpsetImport(OperatorSetIdProto.newBuilder().setDomain(d.getKey()).setVersion(d.getValue()));
    }
    m.metadata().forEach((k, v) -> {
      if (k.startsWith("onnx.meta.")) {
        mb.addMetadataProps(StringStringEntryProto.newBuilder().setKey(k.substring("onnx.meta.".length())).setValue(v));
      } else if (!k.startsWith("onnx.")) {
        mb.addMetadataProps(StringStringEntryProto.newBuilder().setKey(k).setValue(v));
      }
    });
    List<ExternalChunk> chunks = new ArrayList<>();
    if (options.externalData()) g = moveToExternal(g, options, chunks);
    mb.setGraph(g);
    return new Result(mb.build(), List.copyOf(chunks), List.copyOf(cx.warnings()));
  }

  /** Moves large initializers out, in initializer order, each at the next aligned offset. */
  private static GraphProto moveToExternal(GraphProto g, Options o, List<ExternalChunk> chunks) {
    checkLocation(o.externalLocation());
    GraphProto.Builder gb = g.toBuilder();
    long offset = 0;
    for (int i = 0; i < gb.getInitializerCount(); i++) {
      TensorProto t = gb.getInitializer(i);
      if (!t.hasRawData() || t.getRawData().size() < o.externalThreshold()) continue;
      offset = (offset + EXTERNAL_ALIGNMENT - 1) / EXTERNAL_ALIGNMENT * EXTERNAL_ALIGNMENT;
      ByteString data = t.getRawData();
      chunks.add(new ExternalChunk(t.getName(), offset, data));
      gb.setInitializer(i, t.toBuilder().clearRawData().setDataLocation(TensorProto.DataLocation.EXTERNAL)
          .addExternalData(entry("location", o.externalLocation()))
          .addExternalData(entry("offset", Long.toString(offset)))
          .addExternalData(entry("length", Long.toString(data.size()))));
      offset += data.size();
    }
    return gb.build();
  }

  private static StringStringEntryProto entry(String k, String v) {
    return StringStringEntryProto.newBuilder().setKey(k).setValue(v).build();
  }

  /** External data lives beside the model: a plain file name, nothing that leaves the folder. */
  static void checkLocation(String location) {
    if (location.isEmpty() || location.contains("/") || location.contains("\\") || location.equals(".")
        || location.equals("..") || location.indexOf('\0') >= 0) {
      throw new OnnxExportException("external data location '" + location + "' must be a plain file name beside the model");
    }
  }

  /**
   * Writes {@code m} to {@code out} and, with {@code externalData}, the weights to
   * {@code <out name>.data} in the same folder. Files are written to a temporary name and
   * moved into place, so a failed export leaves no half-written model.
   */
  public static Result write(Module m, Path out, boolean externalData, Options options) {
    Path file = out.toAbsolutePath().normalize();
    Path dir = file.getParent();
    Options o = externalData ? options.withExternalData(file.getFileName() + ".data") : options.withExternalData(null);
    Result r = export(m, o);
    try {
      Files.createDirectories(dir);
      if (externalData) {
        Path data = dir.resolve(o.externalLocation());
        if (!data.normalize().getParent().equals(dir)) throw new OnnxExportException(data + ": outside the model's folder");
        writeAtomically(data, s -> {
          long at = 0;
          for (ExternalChunk c : r.external()) {
            for (; at < c.offset(); at++) s.write(0);
            c.bytes().writeTo(s);
            at += c.bytes().size();
          }
        });
      }
      writeAtomically(file, s -> r.model().writeTo(s));
    } catch (IOException e) {
      throw new OnnxExportException(out + ": cannot write: " + e.getMessage(), e);
    }
    return r;
  }

  private interface Writer {
    void write(OutputStream s) throws IOException;
  }

  private static void writeAtomically(Path target, Writer w) throws IOException {
    Path tmp = target.resolveSibling(target.getFileName() + ".tmp");
    try (OutputStream s = new java.io.BufferedOutputStream(Files.newOutputStream(tmp), 1 << 16)) {
      w.write(s);
    } catch (IOException | RuntimeException e) {
      Files.deleteIfExists(tmp);
      throw e;
    }
    Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }

  static String defaultVersion() {
    String v = OnnxExporter.class.getPackage().getImplementationVersion();
    return v == null ? "dev" : v;
  }
}
