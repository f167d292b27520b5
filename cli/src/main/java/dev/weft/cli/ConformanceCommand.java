package dev.weft.cli;

import dev.weft.bundle.WeftException;
import dev.weft.frontend.onnx.Conformance;
import dev.weft.frontend.onnx.OnnxBackendRunner;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.regex.Pattern;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code weft conformance DIR}: runs ONNX backend test directories through import and the interpreter. */
@Command(
    name = "conformance",
    mixinStandardHelpOptions = true,
    description = "Run every ONNX backend test directory under DIR (model + test_data_set_*) and compare with its outputs.",
    footer = {"", "Examples:", "  weft conformance ../shared/corpus/onnx-backend/node --json node.json",
        "  weft conformance ../shared/corpus/onnx-backend/node --filter '^test_abs$' --json   (the report on stdout)",
        "  weft conformance ../shared/corpus/onnx-backend/node --filter 'test_conv'"})
final class ConformanceCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Parameters(index = "0", paramLabel = "DIR", description = "A test directory or a folder of them (searched recursively).")
  Path dir;

  /** "-" (the value of a bare --json) means stdout. */
  @Option(names = "--json", paramLabel = "FILE", arity = "0..1", fallbackValue = "-",
      description = "Write {\"tests\": {path: {\"status\", \"reason\"}}, ...} to FILE; a bare --json (or --json=-) prints it on stdout instead of the text.")
  Path json;

  @Option(names = "--markdown", paramLabel = "FILE", description = "Write a Markdown table (per test, per op) to FILE.")
  Path markdown;

  @Option(names = "--filter", paramLabel = "REGEX", description = "Only tests whose relative path matches.")
  String filter;

  @Option(names = "--rtol", defaultValue = "1e-3", description = "Relative tolerance (default ${DEFAULT-VALUE}).")
  double rtol;

  @Option(names = "--atol", defaultValue = "1e-7", description = "Absolute tolerance (default ${DEFAULT-VALUE}).")
  double atol;

  @Option(names = "--threads", description = "Tests run in parallel (default: the number of cores).")
  int threads = Runtime.getRuntime().availableProcessors();

  @Option(names = "--timeout", defaultValue = "120", description = "Seconds per test (default ${DEFAULT-VALUE}).")
  long timeoutSeconds;

  @Option(names = {"-q", "--quiet"}, description = "Print only the summary line.")
  boolean quiet;

  @Override
  public Integer call() throws IOException {
    if (!Files.isDirectory(dir)) throw new WeftException(dir + ": no such folder");
    OnnxBackendRunner.Options base = OnnxBackendRunner.Options.defaults();
    OnnxBackendRunner.Options options =
        new OnnxBackendRunner.Options(rtol, atol, Duration.ofSeconds(timeoutSeconds), base.importOptions());
    Conformance.Report report = Conformance.run(dir, filter == null ? null : Pattern.compile(filter), threads, options);
    boolean toStdout = json != null && json.toString().equals("-");
    if (toStdout) {
      spec.commandLine().getOut().println(report.toJson().strip());
      if (markdown != null) Files.writeString(markdown, report.toMarkdown("Conformance: " + dir));
      return Main.OK;
    }
    PrintWriter out = spec.commandLine().getOut();
    if (!quiet) for (Conformance.Outcome o : report.outcomes()) out.println(o.result().line());
    if (json != null) Files.writeString(json, report.toJson());
    if (markdown != null) Files.writeString(markdown, report.toMarkdown("Conformance: " + dir));
    long fail = report.count(OnnxBackendRunner.Status.FAIL);
    long unsup = report.count(OnnxBackendRunner.Status.UNSUPPORTED);
    out.printf("conformance: %d pass, %d fail, %d unsupported, %d tests%n", report.passed(), fail, unsup,
        report.outcomes().size());
    return Main.OK;
  }
}
