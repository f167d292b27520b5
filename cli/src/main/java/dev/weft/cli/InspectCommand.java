package dev.weft.cli;

import dev.weft.bundle.Tensor;
import dev.weft.ir.Constants;
import dev.weft.ir.Graph;
import dev.weft.ir.Module;
import dev.weft.ir.Node;
import dev.weft.ir.Value;
import dev.weft.bundle.Json;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code weft inspect MODEL}: inputs, outputs, op histogram, parameters; the IR or op coverage on request. */
@Command(
    name = "inspect",
    mixinStandardHelpOptions = true,
    description = "Show a model's inputs, outputs, op histogram and parameter count, or a bundle's target, files and program sizes.",
    footer = {"", "Examples:", "  weft inspect model.onnx", "  weft inspect model.onnx --ops", "  weft inspect model.wir --ir",
        "  weft inspect model.onnx --json", "  weft inspect out/bundle --json"})
final class InspectCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Parameters(index = "0", paramLabel = "MODEL", description = "A .onnx, .pt (TorchScript) or .wir model, or a bundle folder (with manifest.json) from weft compile.")
  Path model;

  @Option(names = "--ir", description = "Print the imported graph in the .wir text form.")
  boolean ir;

  @Option(names = "--ops", description = "List every op with domain/version and whether Weft supports it.")
  boolean ops;

  @Option(names = "--json", description = "Machine-readable output.")
  boolean json;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    if (java.nio.file.Files.isDirectory(model) && java.nio.file.Files.isRegularFile(model.resolve(dev.weft.bundle.manifest.Manifest.FILE_NAME))) {
      if (ops || ir) throw new dev.weft.bundle.WeftException(model + ": --ops and --ir apply to models, not bundle folders");
      BundleSummary b = BundleSummary.of(model);
      if (json) out.println(b.toJson(model.getFileName().toString()));
      else b.print(out, model.getFileName().toString());
      // a bundle whose files do not match its manifest would be refused by the runtime: say so in the exit code too
      return b.allFilesOk() ? Main.OK : Main.USER_ERROR;
    }
    if (ops) {
      List<ModelLoader.OpUse> coverage = ModelLoader.coverage(model);
      printCoverage(out, coverage);
      return coverage.stream().allMatch(ModelLoader.OpUse::supported) ? Main.OK : Main.USER_ERROR;
    }
    Module m = ModelLoader.load(model);
    if (ir) {
      if (json) out.println(new Json.Obj().put("model", model.getFileName().toString()).put("ir", ModelLoader.print(m)));
      else out.print(ModelLoader.print(m));
      return Main.OK;
    }
    Summary s = Summary.of(m.main());
    if (json) out.println(s.toJson(model.getFileName().toString()));
    else s.print(out, model.getFileName().toString());
    return Main.OK;
  }

  private void printCoverage(PrintWriter out, List<ModelLoader.OpUse> coverage) {
    if (json) {
      Json.Arr arr = new Json.Arr();
      for (ModelLoader.OpUse u : coverage) {
        arr.add(new Json.Obj().put("domain", u.domain()).put("op_type", u.opType()).put("version", u.version())
            .put("supported", u.supported()).put("count", u.nodes().size()).put("nodes", Json.strings(u.nodes())));
      }
      out.println(new Json.Obj().put("ops", arr).toString());
      return;
    }
    int unsupported = 0;
    for (ModelLoader.OpUse u : coverage) {
      String dom = u.domain().isEmpty() ? "ai.onnx" : u.domain();
      out.printf("%-12s %-28s v%-3d x%-5d %s%n", u.supported() ? "supported" : "UNSUPPORTED", u.opType(), u.version(),
          u.nodes().size(), dom);
      if (!u.supported()) {
        unsupported++;
        out.println("    nodes: " + String.join(", ", u.nodes().subList(0, Math.min(10, u.nodes().size())))
            + (u.nodes().size() > 10 ? ", ..." : ""));
      }
    }
    out.println(unsupported == 0 ? "all ops supported" : unsupported + " op kind(s) unsupported");
  }

  /** What inspect reports about a graph. */
  record Summary(List<Value> inputs, List<Value> outputs, Map<String, Integer> histogram, long nodes, long parameters,
      long parameterBytes) {
    static Summary of(Graph g) {
      TreeMap<String, Integer> hist = new TreeMap<>();
      long params = 0;
      long bytes = 0;
      long count = 0;
      for (Node n : g.nodes()) {
        count++;
        hist.merge(n.opName(), 1, Integer::sum);
        if (n.opName().equals(Constants.OP)) {
          Tensor t = Constants.valueOf(n.output(0));
          if (t != null) {
            params += t.size();
            bytes += t.byteSize();
          }
        }
      }
      return new Summary(g.inputs(), g.outputs(), hist, count, params, bytes);
    }

    void print(PrintWriter out, String name) {
      out.println("model: " + name);
      out.println("inputs:");
      for (Value v : inputs) out.println("  " + v.name() + ": " + v.type());
      out.println("outputs:");
      for (Value v : outputs) out.println("  " + v.name() + ": " + v.type());
      out.println("nodes: " + nodes);
      out.printf("parameters: %d (%d bytes)%n", parameters, parameterBytes);
      out.println("ops:");
      histogram.forEach((op, c) -> out.printf("  %-24s %d%n", op, c));
    }

    String toJson(String name) {
      Json.Obj o = new Json.Obj().put("model", name);
      o.put("inputs", values(inputs)).put("outputs", values(outputs)).put("nodes", nodes)
          .put("parameters", parameters).put("parameter_bytes", parameterBytes);
      Json.Obj h = new Json.Obj();
      histogram.forEach((k, v) -> h.put(k, v));
      return o.put("ops", h).toString();
    }

    private static Json.Arr values(List<Value> vs) {
      Json.Arr a = new Json.Arr();
      for (Value v : vs) a.add(new Json.Obj().put("name", v.name()).put("type", v.type().toString()));
      return a;
    }
  }

}
