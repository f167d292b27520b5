package dev.weft.cli;

import dev.weft.api.Weft;
import dev.weft.bundle.Json;
import dev.weft.bundle.manifest.Manifest;
import dev.weft.compiler.BundleOutput;
import dev.weft.compiler.CompileOptions;
import dev.weft.compiler.Compiler;
import dev.weft.compiler.ShapeProfile;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code weft compile MODEL --target T -o DIR}: writes a bundle (manifest, program, kernels, weights, IR). */
@Command(
    name = "compile",
    mixinStandardHelpOptions = true,
    description = "Compile a model into a bundle folder for a target.",
    footer = {"", "Examples:", "  weft compile examples/mlp/model.wir --target cpu -o out/mlp.bundle",
        "  weft compile gpt.onnx --target cuda:sm_90 --shapes 'input_ids=1x64' -o out/gpt.sm90"})
final class CompileCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Parameters(index = "0", paramLabel = "MODEL", description = "A .onnx, .pt (TorchScript) or .wir model.")
  Path model;

  @Option(names = "--target", defaultValue = "cpu",
      description = "cpu, cpu:portable, cuda:sm_80, cuda:sm_90, cuda:sm_90a, rocm:gfx90a, rocm:gfx942. Default: ${DEFAULT-VALUE}.")
  String target;

  @Option(names = {"-o", "--output"}, required = true, paramLabel = "DIR", description = "Bundle folder to write (created).")
  Path output;

  @Option(names = "--shapes", paramLabel = "SPEC", description = "Input shapes, e.g. 'input_ids=1x128,mask=1x128' (MIN..MAX per dim compiles for MAX).")
  String shapes;

  @Option(names = "--precision", defaultValue = "fp32", description = "fp32, fp16 or bf16. Default: ${DEFAULT-VALUE}.")
  String precision;

  @Option(names = "--gemm", paramLabel = "ENGINE",
      description = "How matmuls run: cublaslt (cuBLASLt library steps; cuda targets only) or kernels (generated). "
          + "Default: cublaslt on cuda, kernels elsewhere.")
  String gemm;

  @Option(names = "--pipeline", paramLabel = "PASSES", description = "Graph pipeline (default: the optimizer's default pipeline).")
  String pipeline;

  @Option(names = "--quiet", description = "Print nothing on success (no progress either).")
  boolean quiet;

  @Option(names = "--json", description = "Print a JSON summary.")
  boolean json;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    CompileOptions options = new CompileOptions(target, ShapeProfile.parse(shapes), pipeline, precision, gemm);
    dev.weft.bundle.BundleWriter.checkUsable(output);
    long t0 = System.nanoTime();
    ProgressDisplay progress = quiet || json ? null : ProgressDisplay.forStdout(out);
    Compiler.Compilation c;
    try {
      c = Compiler.compile(Weft.load(model, options.shapes(), null), options, progress);
    } finally {
      if (progress != null) progress.finish();
    }
    dev.weft.compiler.cache.CacheStats cache = dev.weft.compiler.cache.KernelCache.lastBuild();
    Manifest m = BundleOutput.write(c, output);
    double ms = (System.nanoTime() - t0) / 1e6;
    if (json) {
      Json.Obj stages = new Json.Obj();
      c.stageMillis().forEach(stages::put);
      out.println(new Json.Obj().put("bundle", output.toString()).put("target", c.target())
          .put("kernels", c.lowered().kernels().size()).put("steps", c.lowered().steps().size())
          .put("library_calls", c.lowered().steps().stream().filter(st -> st instanceof dev.weft.bundle.program.Step.Library).count())
          .put("arena_bytes", c.plan().arenaBytes()).put("naive_bytes", c.plan().naiveBytes())
          .put("files", m.files().size()).put("kernel_cache_hits", cache.hits()).put("kernel_cache_misses", cache.misses())
          .put("stage_ms", stages).put("wall_ms", ms).put("warnings", Json.strings(c.lowered().uncompiled())));
    } else if (quiet) {
      // --quiet drops progress, not warnings: a branch compiled as a fail step changes what the bundle can run.
      for (String w : c.lowered().uncompiled()) spec.commandLine().getErr().println("weft: warning: " + w);
    } else {
      out.printf("compiled %s for %s: %d kernels, arena %d bytes (no reuse: %d), %d files in %s, %.0f ms %s%n",
          model.getFileName(), c.target(), c.lowered().kernels().size(), c.plan().arenaBytes(), c.plan().naiveBytes(),
          m.files().size(), output, ms, c.stageMillis());
    }
    return Main.OK;
  }
}
