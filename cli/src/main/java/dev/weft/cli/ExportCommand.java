package dev.weft.cli;

import dev.weft.bundle.WeftException;
import dev.weft.frontend.onnx.export.OnnxExporter;
import dev.weft.frontend.onnx.export.OnnxValidator;
import dev.weft.ir.Module;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code weft export MODEL -o out.onnx}: writes the model's IR as a standard ONNX model. */
@Command(
    name = "export",
    mixinStandardHelpOptions = true,
    description = {"Write a model's IR as an ONNX model (opset " + OnnxExporter.DEFAULT_OPSET + "), to open in Netron or run"
        + " in another runtime. Composites without an ONNX op are written decomposed; ops with no ONNX"
        + " equivalent are written in the dev.weft domain, with a warning."},
    footer = {"", "Examples:", "  weft export model.onnx -o out/model.onnx",
        "  weft export examples/mlp/model.wir -o mlp.onnx",
        "  weft export big.onnx -o out/big.onnx --external-data   (weights in out/big.onnx.data)"})
final class ExportCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Parameters(index = "0", paramLabel = "MODEL", description = "A .onnx or .wir model.")
  Path model;

  @Option(names = {"-o", "--output"}, required = true, paramLabel = "FILE", description = "The .onnx file to write (folders are created).")
  Path output;

  @Option(names = "--external-data", description = "Store tensors of 1 KiB or more in FILE.data beside the model.")
  boolean externalData;

  @Option(names = "--quiet", description = "Print nothing but warnings.")
  boolean quiet;

  @Option(names = "--json", description = "Print one JSON document: files written, counts, warnings (also still on stderr).")
  boolean json;

  @Override
  public Integer call() {
    Module m = ModelLoader.load(model);
    if (Files.isDirectory(output)) throw new WeftException(output + ": is a folder; give the .onnx file to write");
    OnnxExporter.Options options = OnnxExporter.Options.defaults().withProducerVersion(VersionProvider.version());
    OnnxExporter.Result r = OnnxExporter.write(m, output, externalData, options);
    List<String> problems = OnnxValidator.check(r.model());
    if (!problems.isEmpty()) {
      throw new IllegalStateException("the exported model is malformed: " + String.join("; ", problems));
    }
    PrintWriter err = spec.commandLine().getErr();
    for (String w : r.warnings()) err.println("weft: warning: " + w);
    if (json) {
      dev.weft.bundle.Json.Obj o = new dev.weft.bundle.Json.Obj().put("output", output.toString())
          .put("nodes", r.model().getGraph().getNodeCount()).put("initializers", r.model().getGraph().getInitializerCount())
          .put("opset", OnnxExporter.DEFAULT_OPSET)
          .put("external_data", externalData ? output + ".data" : null)
          .put("external_tensors", externalData ? r.external().size() : 0)
          .put("warnings", dev.weft.bundle.Json.strings(r.warnings()));
      spec.commandLine().getOut().println(o);
    } else if (!quiet) {
      PrintWriter out = spec.commandLine().getOut();
      out.println("wrote " + output + " (" + r.model().getGraph().getNodeCount() + " nodes, "
          + r.model().getGraph().getInitializerCount() + " initializers, opset " + OnnxExporter.DEFAULT_OPSET + ")");
      if (externalData) out.println("wrote " + output + ".data (" + r.external().size() + " tensors)");
    }
    return Main.OK;
  }
}
