package dev.weft.cli;

import dev.weft.bundle.Tensor;
import dev.weft.bundle.WeftException;
import dev.weft.frontend.onnx.OnnxTestData;
import dev.weft.ir.Graph;
import dev.weft.ir.Module;
import dev.weft.ir.Value;
import dev.weft.ir.interp.Interpreter;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code weft run MODEL --inputs DIR --outputs DIR}: runs a model on input_K.pb files, writes output_K.pb. */
@Command(
    name = "run",
    mixinStandardHelpOptions = true,
    description = "Run a model on input_K.pb tensors (graph-input order) and write output_K.pb (graph-output order).",
    footer = {"", "Examples:", "  weft run examples/mlp/model.wir --inputs examples/mlp/inputs --outputs out/mlp",
        "  weft run model.onnx --inputs test_data_set_0 --outputs out --engine reference"})
final class RunCommand implements Callable<Integer> {
  enum Engine { reference, compiled }

  @Spec CommandSpec spec;

  @Parameters(index = "0", paramLabel = "MODEL", description = "A .onnx, .pt (TorchScript) or .wir model, or a bundle folder from weft compile.")
  Path model;

  @Option(names = "--inputs", required = true, paramLabel = "DIR", description = "Folder with input_0.pb, input_1.pb, ...")
  Path inputs;

  @Option(names = "--outputs", required = true, paramLabel = "DIR", description = "Folder to write output_K.pb into (created).")
  Path outputs;

  @Option(names = "--engine", defaultValue = "reference", description = "reference (the interpreter) or compiled. Default: ${DEFAULT-VALUE}.")
  Engine engine;

  @Option(names = "--target", defaultValue = "cpu", description = "Target for --engine compiled (cpu or cpu:portable). Default: ${DEFAULT-VALUE}.")
  String target;

  @Option(names = "--device", defaultValue = "cpu", description = "Runtime device for bundles (cpu, cuda, rocm). Default: ${DEFAULT-VALUE}.")
  String device;

  @Option(names = "--quiet", description = "Print nothing on success.")
  boolean quiet;

  @Option(names = "--json", description = "Print one JSON document: engine, device, times and every output written.")
  boolean json;

  /** The outputs written, for --json. */
  private final dev.weft.bundle.Json.Arr written = new dev.weft.bundle.Json.Arr();

  /** Human-readable lines are printed only without --quiet and --json. */
  private boolean talk() { return !quiet && !json; }

  private void wrote(Path file, String name, Object value) {
    if (talk()) spec.commandLine().getOut().println("wrote " + file + "  (" + name + ": " + describe(value) + ")");
    dev.weft.bundle.Json.Obj o = new dev.weft.bundle.Json.Obj().put("file", file.toString()).put("name", name);
    if (value instanceof Tensor t) {
      dev.weft.bundle.Json.Arr shape = new dev.weft.bundle.Json.Arr();
      for (long d : t.shape()) shape.add(d);
      o.put("dtype", t.dtype().toString()).put("shape", shape);
    }
    written.add(o);
  }

  private void report(String engine, String device, Double compileMs, double runMs) {
    if (!json) return;
    dev.weft.bundle.Json.Obj o = new dev.weft.bundle.Json.Obj().put("model", model.toString()).put("engine", engine).put("device", device);
    if (compileMs != null) o.put("compile_ms", compileMs);
    spec.commandLine().getOut().println(o.put("run_ms", runMs).put("outputs", written));
  }

  @Override
  public Integer call() throws IOException {
    if (Files.isDirectory(model) && Files.isRegularFile(model.resolve("manifest.json"))) return runBundle(model, InputCheck.readAll(requireFolder()), null);
    if (engine == Engine.compiled) return compileAndRun();
    boolean torch = ModelLoader.formatOf(model) == ModelLoader.Format.TORCHSCRIPT;
    List<Tensor> given = torch ? InputCheck.readAll(requireFolder()) : null;
    Module m = torch ? ModelLoader.load(model, InputCheck.typesOf(given)) : ModelLoader.load(model);
    Graph g = m.main();
    List<Object> args = torch ? new ArrayList<>(given) : readInputs(g);
    long t0 = System.nanoTime();
    List<Object> results = new Interpreter().run(g, args);
    long micros = (System.nanoTime() - t0) / 1000;
    Files.createDirectories(outputs);
    PrintWriter out = spec.commandLine().getOut();
    for (int k = 0; k < results.size(); k++) {
      Path file = outputs.resolve("output_" + k + ".pb");
      OnnxTestData.write(file, results.get(k), g.outputs().get(k).name());
      wrote(file, g.outputs().get(k).name(), results.get(k));
    }
    if (talk()) out.printf("ran %s on the reference interpreter in %.1f ms%n", model.getFileName(), micros / 1000.0);
    report("reference", "cpu", null, micros / 1000.0);
    return Main.OK;
  }

  /** Compiles the model for the CPU, specialized on the given inputs' shapes, into a temporary bundle, and runs it. */
  private int compileAndRun() throws IOException {
    List<Tensor> given = InputCheck.readAll(requireFolder());
    Module m = dev.weft.api.Weft.load(model, dev.weft.compiler.ShapeProfile.NONE, given);
    try (dev.weft.api.Weft.TempBundle b = dev.weft.api.Weft.compileFor(m, target, given)) {
      if (talk()) spec.commandLine().getOut().printf("compiled %s for %s in %.0f ms%n", model.getFileName(), target, b.compileMillis());
      return runBundle(b.dir(), given, b.compileMillis());
    }
  }

  /** Runs a compiled bundle through the runtime; input_K.pb are the manifest's inputs in order. */
  private int runBundle(Path dir, List<Tensor> given, Double compileMs) throws IOException {
    PrintWriter out = spec.commandLine().getOut();
    try (dev.weft.runtime.Bundle b = dev.weft.runtime.Bundle.load(dir);
         dev.weft.runtime.Session s = b.session(device)) {
      var manifest = b.manifest();
      if (given.size() != manifest.inputs().size()) {
        throw new WeftException(inputs + ": " + given.size() + " input file(s), the bundle takes " + manifest.inputs().size());
      }
      java.util.Map<String, Tensor> feed = new java.util.LinkedHashMap<>();
      for (int k = 0; k < given.size(); k++) feed.put(manifest.inputs().get(k).name(), given.get(k));
      long t0 = System.nanoTime();
      java.util.Map<String, Tensor> results = s.run(feed);
      long micros = (System.nanoTime() - t0) / 1000;
      Files.createDirectories(outputs);
      for (int k = 0; k < manifest.outputs().size(); k++) {
        String name = manifest.outputs().get(k).name();
        Path file = outputs.resolve("output_" + k + ".pb");
        String original = name.endsWith("__out") ? name.substring(0, name.length() - 5) : name;
        OnnxTestData.write(file, results.get(name), original);
        wrote(file, original, results.get(name));
      }
      if (talk()) out.printf("ran %s on %s in %.1f ms%n", dir.getFileName(), s.device().description(), micros / 1000.0);
      report("compiled", s.device().description(), compileMs, micros / 1000.0);
    }
    return Main.OK;
  }

  private Path requireFolder() {
    if (!Files.isDirectory(inputs)) throw new WeftException(inputs + ": no such folder");
    return inputs;
  }

  private List<Object> readInputs(Graph g) {
    requireFolder();
    List<Object> args = new ArrayList<>();
    for (int k = 0; k < g.inputs().size(); k++) {
      Value v = g.inputs().get(k);
      Path file = inputs.resolve("input_" + k + ".pb");
      if (!Files.isRegularFile(file)) {
        throw new WeftException(file + ": missing (the model's input " + k + " is '" + v.name() + "': " + v.type() + ")");
      }
      args.add(InputCheck.read(file, v));
    }
    Path extra = inputs.resolve("input_" + g.inputs().size() + ".pb");
    if (Files.exists(extra)) {
      throw new WeftException(extra + ": the model has only " + g.inputs().size() + " input(s)");
    }
    return args;
  }

  private static String describe(Object value) {
    if (value instanceof dev.weft.bundle.Tensor t) return t.dtype() + java.util.Arrays.toString(t.shape());
    return value == null ? "empty" : value.getClass().getSimpleName();
  }
}
