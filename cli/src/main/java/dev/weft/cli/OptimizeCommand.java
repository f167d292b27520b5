package dev.weft.cli;

import dev.weft.bundle.Json;
import dev.weft.bundle.WeftException;
import dev.weft.bundle.json.JsonReader;
import dev.weft.ir.Module;
import dev.weft.ir.text.WirPrinter;
import dev.weft.passes.PassContext;
import dev.weft.passes.PassEvent;
import dev.weft.passes.PassInfo;
import dev.weft.passes.PassManager;
import dev.weft.passes.PassRegistry;
import dev.weft.passes.fusion.Fuse;
import dev.weft.passes.fusion.FusionReport;
import dev.weft.passes.fusion.KernelCount;
import dev.weft.passes.instrument.DumpDir;
import dev.weft.passes.instrument.PrintIr;
import dev.weft.passes.instrument.Timing;
import dev.weft.passes.memory.MemoryPlan;
import dev.weft.passes.memory.MemoryPlanner;
import dev.weft.passes.memory.PlanChecker;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code weft optimize MODEL}: runs a graph pipeline and writes or prints the result as .wir. */
@Command(
    name = "optimize",
    mixinStandardHelpOptions = true,
    description = "Run a pass pipeline on a model (verified before and after it, or after every pass with --verify=each) and write the result as .wir.",
    footer = {"", "Examples:",
        "  weft optimize model.onnx -o model.opt.wir --timing",
        "  weft optimize model.onnx --pipeline 'canonicalize,cse,dce' --print-ir-after change",
        "  weft optimize model.wir --pipeline 'constant-fold{max-bytes=4096}' --dump-dir dump/",
        "  weft optimize model.onnx --explain-fusion -o model.opt.wir",
        "  weft optimize --list-passes",
        "  weft optimize model.onnx --memory-plan --bind batch_size=1,sequence_length=64",
        "",
        "A pass that throws or breaks the IR leaves a reproducer in --reproducer-dir, named in the error: the",
        "pipeline's input .wir and the passes to rerun (up to the failing one); with --verify=each, the failing",
        "pass's own input and that pass alone."})
final class OptimizeCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Parameters(index = "0", arity = "0..1", paramLabel = "MODEL", description = "A .onnx or .wir model.")
  Path model;

  // No annotation default: PassManager.DEFAULT_PIPELINE is read at run time (see its comment).
  @Option(names = "--pipeline", paramLabel = "STR",
      description = "Comma-separated passes, each optionally with {key=value,...}. Default: the default pipeline"
          + " (printed by --list-passes).")
  String pipeline;

  @Option(names = "--print-ir-after", paramLabel = "NAME|all|change|failure",
      description = "Print the IR after the named pass(es), after all passes, after those that changed it, or after a failure.")
  String printIrAfter;

  @Option(names = "--dump-dir", paramLabel = "DIR", description = "Write the IR before the pipeline and after each pass, numbered, as .wir files.")
  Path dumpDir;

  @Option(names = {"-o", "--output"}, paramLabel = "FILE", description = "Write the result here (.wir, large constants in FILE's .weights.bin). Default: print it.")
  Path output;

  @Option(names = "--timing", description = "Print per-pass time, node counts and statistics.")
  boolean timing;

  @Option(names = "--disable", split = ",", paramLabel = "PASS", description = "Skip these passes of the pipeline.")
  List<String> disabled = List.of();

  @Option(names = "--no-verify", description = "Do not run the verifier at all (same as --verify=off).")
  boolean noVerify;

  @Option(names = "--verify", paramLabel = "each|ends|off", defaultValue = "ends",
      description = "Where the verifier runs: after every pass (names the pass that broke the IR; slower on large graphs),"
          + " at the pipeline's ends (default), or off.")
  String verify;

  @Option(names = "--reproducer-dir", paramLabel = "DIR",
      description = "Where a failing pass's reproducer goes. Default: --dump-dir if given, else the system temp folder.")
  Path reproducerDir;

  @Option(names = "--explain-fusion",
      description = "Print each fused group (id, kind, members with locations, bytes saved) and why each neighbour was not merged.")
  boolean explainFusion;

  @Option(names = "--list-passes", description = "List the known passes and their options, then exit.")
  boolean listPasses;

  @Option(names = "--memory-plan", description = "After the pipeline, plan the arena (liveness, reuse, in-place) and print peak vs naive bytes.")
  boolean memoryPlan;

  @Option(names = "--bind", split = ",", paramLabel = "DIM=SIZE",
      description = "Sizes of symbolic dims for --memory-plan, e.g. batch_size=1,sequence_length=64.")
  java.util.Map<String, Long> bind = new java.util.LinkedHashMap<>();

  @Option(names = "--memory-plan-json", paramLabel = "FILE", description = "Write the memory plan (every buffer's offset, size, live range) as JSON.")
  Path memoryPlanJson;

  @Option(names = "--json", description = "Print one JSON document on stdout: passes run (time, nodes), the IR (unless -o),"
      + " the memory plan and fused groups when asked for. --print-ir-after then writes to stderr.")
  boolean json;

  @Override
  public Integer call() throws IOException {
    // With --json, stdout carries only the JSON document: the text goes nowhere (or to stderr).
    PrintWriter out = json ? new PrintWriter(java.io.Writer.nullWriter()) : spec.commandLine().getOut();
    if (listPasses) {
      for (PassInfo p : PassRegistry.global().all()) {
        out.printf("  %-16s %s%n", p.name(), p.description());
        p.sortedOptions().forEach((k, v) -> out.printf("  %-16s   {%s=...} %s%n", "", k, v));
      }
      out.println("Default pipeline: " + PassManager.DEFAULT_PIPELINE);
      if (json) {
        Json.Arr passes = new Json.Arr();
        for (PassInfo p : PassRegistry.global().all()) {
          Json.Obj options = new Json.Obj();
          p.sortedOptions().forEach(options::put);
          passes.add(new Json.Obj().put("name", p.name()).put("description", p.description()).put("options", options));
        }
        spec.commandLine().getOut().println(new Json.Obj().put("passes", passes).put("default_pipeline", PassManager.DEFAULT_PIPELINE));
      }
      return Main.OK;
    }
    if (model == null) throw new WeftException("no MODEL given (see 'weft optimize --help')");
    PassManager pm = PassManager.parse(pipeline != null ? pipeline : PassManager.DEFAULT_PIPELINE);   // a bad pipeline fails before the model is read
    PassContext.Verify verifyMode = noVerify ? PassContext.Verify.OFF : PassContext.Verify.parse(verify);
    Module m = ModelLoader.load(model);
    PassContext ctx = new PassContext().verify(verifyMode);
    disabled.forEach(ctx::disable);
    Path repro = reproducerDir != null ? reproducerDir : dumpDir != null ? dumpDir
        : Path.of(System.getProperty("java.io.tmpdir"), "weft-reproducers");
    ctx.reproducerDir(repro);
    if (printIrAfter != null) ctx.instrument(new PrintIr(printIrAfter, json ? spec.commandLine().getErr() : out));
    if (dumpDir != null) ctx.instrument(new DumpDir(dumpDir));
    Timing t = new Timing();
    ctx.instrument(t);
    pm.run(m, ctx);
    if (output != null) {
      Path dir = output.toAbsolutePath().getParent();
      if (dir != null) Files.createDirectories(dir);
      new WirPrinter().write(m, output);
      out.println("wrote " + output + " (" + PassManager.nodeCount(m) + " nodes)");
    } else if (printIrAfter == null && !explainFusion && !memoryPlan && memoryPlanJson == null) {
      out.print(ModelLoader.print(m));
    }
    MemoryPlan plan = null;
    if (memoryPlan || memoryPlanJson != null) {
      plan = MemoryPlanner.plan(m.main(), bind);
      List<String> problems = PlanChecker.check(m.main(), plan);
      if (!problems.isEmpty()) throw new WeftException("memory plan is invalid: " + String.join("; ", problems));
      out.println("memory plan" + (bind.isEmpty() ? "" : " for " + bind) + ": " + plan.summary());
      if (memoryPlanJson != null) {
        Path dir = memoryPlanJson.toAbsolutePath().getParent();
        if (dir != null) Files.createDirectories(dir);
        Files.writeString(memoryPlanJson, plan.toJson() + "\n");
        out.println("wrote " + memoryPlanJson);
      }
    }
    if (timing) out.print(t.table(ctx.statistics()));
    if (explainFusion) {
      FusionReport report = ctx.result(Fuse.NAME, FusionReport.class);
      out.print(report == null ? "fusion: the pipeline has no fuse pass (or it was disabled)\n" : report.text());
      out.println(KernelCount.of(m.main()));
    }
    if (json) spec.commandLine().getOut().println(jsonReport(m, t, plan, ctx));
    return Main.OK;
  }

  private String jsonReport(Module m, Timing t, MemoryPlan plan, PassContext ctx) {
    Json.Arr passes = new Json.Arr();
    for (PassEvent e : t.events()) {
      passes.add(new Json.Obj().put("index", e.index()).put("pass", e.pass()).put("changed", e.changed())
          .put("ms", e.nanos() / 1e6).put("nodes_before", e.nodesBefore()).put("nodes_after", e.nodesAfter()));
    }
    Json.Obj o = new Json.Obj().put("model", model.toString())
        .put("pipeline", pipeline != null ? pipeline : PassManager.DEFAULT_PIPELINE)
        .put("nodes", PassManager.nodeCount(m)).put("output", output == null ? null : output.toString())
        .put("passes", passes);
    if (output == null) o.put("ir", ModelLoader.print(m));
    if (plan != null) o.put("memory_plan", Json.fromValue(JsonReader.parse("memory plan", plan.toJson().getBytes(StandardCharsets.UTF_8))));
    if (explainFusion) {
      FusionReport report = ctx.result(Fuse.NAME, FusionReport.class);
      Json.Arr groups = new Json.Arr();
      if (report != null) {
        for (FusionReport.Entry g : report.entries()) {
          groups.add(new Json.Obj().put("id", g.id()).put("kind", g.kind()).put("members", Json.strings(g.members()))
              .put("bytes_saved", g.bytesSaved()));
        }
      }
      o.put("fusion", new Json.Obj().put("groups", groups).put("kernels", KernelCount.of(m.main()).kernels()));
    }
    return o.toString();
  }
}
