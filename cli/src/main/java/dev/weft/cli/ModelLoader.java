package dev.weft.cli;

import dev.weft.bundle.WeftException;
import dev.weft.frontend.onnx.OnnxCoverage;
import dev.weft.frontend.onnx.OnnxImporter;
import dev.weft.frontend.onnx.OnnxModel;
import dev.weft.frontend.onnx.OnnxModelReader;
import dev.weft.frontend.torchscript.TorchArchive;
import dev.weft.frontend.torchscript.TorchScriptCoverage;
import dev.weft.frontend.torchscript.TorchScriptImporter;
import dev.weft.ir.Module;
import dev.weft.ir.TensorType;
import dev.weft.ir.Node;
import dev.weft.ir.Verifier;
import dev.weft.ir.text.MemoryWeights;
import dev.weft.ir.text.WirParser;
import dev.weft.ir.text.WirPrinter;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.TreeMap;

/** Loads any model format the CLI accepts into a verified IR module, chosen by file extension. */
public final class ModelLoader {
  private ModelLoader() {}

  /** One op kind a model uses, for {@code inspect --ops}. */
  public record OpUse(String domain, String opType, long version, boolean supported, List<String> nodes) {}

  public enum Format { ONNX, WIR, TORCHSCRIPT }

  public static Format formatOf(Path model) {
    String name = model.getFileName() == null ? "" : model.getFileName().toString().toLowerCase(Locale.ROOT);
    if (name.endsWith(".onnx")) return Format.ONNX;
    if (name.endsWith(".wir")) return Format.WIR;
    if (name.endsWith(".pt") || name.endsWith(".pth")) return Format.TORCHSCRIPT;
    throw new WeftException(model + ": unknown model format (expected .onnx, .pt or .wir)");
  }

  /** Reads, imports and verifies a model. */
  public static Module load(Path model) { return load(model, null); }

  /**
   * Reads, imports and verifies a model. TorchScript archives do not record their input types,
   * so {@code torchInputs} (e.g. the types of the input files at hand; dims 0/1 become symbolic
   * batch/seq) types the graph inputs; null leaves them as f32 of unknown rank.
   */
  public static Module load(Path model, List<TensorType> torchInputs) {
    requireFile(model);
    Module m = switch (formatOf(model)) {
      case ONNX -> OnnxImporter.importModel(OnnxModelReader.read(model));
      case WIR -> parseWir(model);
      case TORCHSCRIPT -> {
        try (TorchArchive archive = TorchArchive.open(model)) {
          yield TorchScriptImporter.importModule(archive, model.getFileName().toString(),
              torchInputs == null ? null : TorchScriptImporter.symbolic(torchInputs));
        }
      }
    };
    new Verifier().verify(m);
    return m;
  }

  private static Module parseWir(Path model) {
    try {
      return new WirParser().parse(model);
    } catch (IOException e) {
      throw new WeftException(model + ": cannot read: " + e.getMessage(), e);
    }
  }

  /** Every op the model uses and whether Weft supports it, found before any import work. */
  public static List<OpUse> coverage(Path model) {
    requireFile(model);
    List<OpUse> out = new ArrayList<>();
    switch (formatOf(model)) {
      case ONNX -> {
        OnnxModel m = OnnxModelReader.read(model);
        for (OnnxCoverage.Entry e : OnnxCoverage.scan(m.proto()).entries()) {
          out.add(new OpUse(e.domain(), e.opType(), e.version(), e.supported(), e.nodes()));
        }
      }
      case WIR -> {
        // A .wir file that parses uses registered ops only.
        TreeMap<String, List<String>> byOp = new TreeMap<>();
        for (Node n : parseWir(model).main().nodes()) {
          byOp.computeIfAbsent(n.opName(), k -> new ArrayList<>()).add(n.outputCount() > 0 ? n.output(0).name() : "");
        }
        byOp.forEach((op, nodes) -> out.add(new OpUse("weft", op, 0, true, nodes)));
      }
      case TORCHSCRIPT -> {
        try (TorchArchive archive = TorchArchive.open(model)) {
          for (TorchScriptCoverage.Entry e : TorchScriptCoverage.scan(archive).entries()) {
            int colon = e.op().indexOf("::");
            String domain = colon < 0 ? "" : e.op().substring(0, colon);
            String op = colon < 0 ? e.op() : e.op().substring(colon + 2);
            out.add(new OpUse(domain, op, 0, e.supported(), e.uses()));
          }
        }
      }
    }
    return out;
  }

  /** The module as .wir text; large constants appear as references to a weights file not written here. */
  public static String print(Module m) {
    return new WirPrinter().weights(new MemoryWeights("weights.bin")).print(m);
  }

  private static void requireFile(Path model) {
    if (!Files.isRegularFile(model)) throw new WeftException(model + ": no such file");
  }
}
