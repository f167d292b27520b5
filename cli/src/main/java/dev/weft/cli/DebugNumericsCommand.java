package dev.weft.cli;

import dev.weft.bundle.Tensor;
import dev.weft.bundle.WeftException;
import dev.weft.compiler.CompileOptions;
import dev.weft.compiler.Compiler;
import dev.weft.compiler.debug.NumericsDebugger;
import dev.weft.compiler.debug.NumericsReport;
import dev.weft.ir.Module;
import dev.weft.ir.Value;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code weft debug-numerics MODEL --inputs DIR}: compiles the model for the CPU on the inputs'
 * shapes and reports the first fused group whose results differ from the reference interpreter.
 * Exit code 0 when nothing diverges, 1 when something does (so scripts can bisect with it).
 */
@Command(
    name = "debug-numerics",
    mixinStandardHelpOptions = true,
    description = "Run the compiled CPU code and the reference interpreter side by side; report the first diverging fused group.",
    footer = {"", "Examples:", "  weft debug-numerics model.onnx --inputs test_data_set_0",
        "  weft debug-numerics model.onnx --inputs test_data_set_0 --rtol 1e-3 --atol 1e-5 --json"})
final class DebugNumericsCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Parameters(index = "0", paramLabel = "MODEL", description = "A .onnx, .pt (TorchScript) or .wir model.")
  Path model;

  @Option(names = "--inputs", required = true, paramLabel = "DIR", description = "Folder with input_0.pb, input_1.pb, ... (also fixes the compiled shapes).")
  Path inputs;

  @Option(names = "--rtol", defaultValue = "1e-4", description = "Relative tolerance. Default: ${DEFAULT-VALUE}.")
  double rtol;

  @Option(names = "--atol", defaultValue = "1e-5", description = "Absolute tolerance. Default: ${DEFAULT-VALUE}.")
  double atol;

  @Option(names = "--json", description = "Machine-readable report.")
  boolean json;

  /** Test-only: corrupts one group's result before comparison, to prove the report finds it. */
  @Option(names = "--inject-fault-in-group", hidden = true, paramLabel = "GROUP")
  String faultGroup;

  @Override
  public Integer call() {
    if (!Files.isDirectory(inputs)) throw new WeftException(inputs + ": no such folder");
    if (Files.isDirectory(model)) throw new WeftException(model + ": debug-numerics needs the model file, not a bundle folder");
    List<Tensor> given = InputCheck.readAll(inputs);
    Module m = dev.weft.api.Weft.load(model, dev.weft.compiler.ShapeProfile.NONE, given);
    List<Value> graphInputs = m.main().inputs();
    if (given.size() != graphInputs.size()) {
      throw new WeftException(inputs + ": " + given.size() + " input file(s), the model takes " + graphInputs.size());
    }
    Map<String, Tensor> feed = new LinkedHashMap<>();
    for (int k = 0; k < given.size(); k++) {
      InputCheck.read(inputs.resolve("input_" + k + ".pb"), graphInputs.get(k)); // dtype/shape check against the declaration
      feed.put(graphInputs.get(k).name(), given.get(k));
    }
    List<String> names = graphInputs.stream().map(Value::name).toList();
    var options = new CompileOptions("cpu", dev.weft.api.Weft.profileOf(names, given), null, "fp32");
    PrintWriter out = spec.commandLine().getOut();
    long t0 = System.nanoTime();
    Compiler.Compilation c = Compiler.compile(m, options, null);
    double compileMs = (System.nanoTime() - t0) / 1e6;
    NumericsReport report = NumericsDebugger.run(c, feed, new NumericsDebugger.Options(rtol, atol, faultGroup));
    if (json) {
      out.println(report.toJson());
    } else {
      out.printf("compiled %s for cpu in %.0f ms%n", model.getFileName(), compileMs);
      report.print(out);
    }
    return report.diverged() ? Main.USER_ERROR : Main.OK;
  }
}
