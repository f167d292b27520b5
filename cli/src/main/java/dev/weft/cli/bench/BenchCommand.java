package dev.weft.cli.bench;

import dev.weft.api.Weft;
import dev.weft.bundle.Json;
import dev.weft.bundle.Tensor;
import dev.weft.bundle.WeftException;
import dev.weft.bundle.manifest.Manifest;
import dev.weft.bundle.manifest.TensorSpec;
import dev.weft.cli.Main;
import dev.weft.cli.ModelLoader;
import dev.weft.compiler.ShapeProfile;
import dev.weft.frontend.onnx.OnnxTestData;
import dev.weft.ir.Module;
import dev.weft.ir.Value;
import dev.weft.runtime.Bundle;
import dev.weft.runtime.Session;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code weft bench BUNDLE|MODEL}: latency of the compiled CPU code, optionally per step and
 * against ONNX Runtime on the same inputs and thread count.
 */
@Command(
    name = "bench",
    mixinStandardHelpOptions = true,
    description = {"Measure the latency (median, p90) and throughput of a compiled model on the CPU.",
        "A MODEL (.onnx, .pt, .wir) is first compiled for the CPU, specialized on the input shapes."},
    footer = {"", "Examples:", "  weft bench model.onnx --compare onnxruntime --inputs test_data_set_0",
        "  weft bench out/bundle --model model.onnx --compare onnxruntime --warmup 3 --iters 10 --json",
        "  weft bench examples/mlp/model.wir --profile"})
public final class BenchCommand implements Callable<Integer> {
  public enum Yardstick { onnxruntime }

  @Spec CommandSpec spec;

  @Parameters(index = "0", paramLabel = "BUNDLE|MODEL", description = "A bundle folder (with manifest.json) or a .onnx, .pt or .wir model.")
  Path target;

  @Option(names = "--inputs", paramLabel = "DIR", description = "input_K.pb files in input order; default: seeded synthetic inputs.")
  Path inputs;

  @Option(names = "--shapes", paramLabel = "NAME=DxD,...", description = "Shapes for synthetic inputs with symbolic dims (default: those dims are 1).")
  String shapes;

  @Option(names = "--seed", defaultValue = "0", description = "Seed of the synthetic inputs. Default: ${DEFAULT-VALUE}.")
  long seed;

  @Option(names = "--compare", paramLabel = "ENGINE", description = "Also run this engine on the same inputs: ${COMPLETION-CANDIDATES}.")
  Yardstick compare;

  @Option(names = "--model", paramLabel = "X.onnx", description = "For a BUNDLE: the ONNX model to compare against (and to size token ids from).")
  Path onnxModel;

  @Option(names = "--warmup", defaultValue = "5", description = "Untimed runs first. Default: ${DEFAULT-VALUE}.")
  int warmup;

  @Option(names = "--iters", defaultValue = "20", description = "Timed runs. Default: ${DEFAULT-VALUE}.")
  int iters;

  @Option(names = "--threads", description = "Intra-op threads for Weft's cpu device and ONNX Runtime. Default: the available processors.")
  Integer threads;

  @Option(names = "--profile", description = "Also time each step (kernel launch or copy); prints the slowest 15 by median.")
  boolean profile;

  @Option(names = "--json", description = "Print only a JSON report on stdout.")
  boolean json;

  @Override
  public Integer call() throws IOException {
    if (iters < 1) throw new WeftException("--iters must be at least 1, got " + iters);
    if (warmup < 0) throw new WeftException("--warmup must not be negative, got " + warmup);
    int nThreads = threads == null ? Runtime.getRuntime().availableProcessors() : threads;
    if (nThreads < 1) throw new WeftException("--threads must be at least 1, got " + nThreads);
    if (inputs != null && !Files.isDirectory(inputs)) throw new WeftException(inputs + ": no such folder");
    Path onnx = onnxToCompare();
    Map<String, long[]> shapeMap = ShapeProfile.parse(shapes).shapes();

    Report report;
    if (Files.isDirectory(target) && Files.isRegularFile(target.resolve(Manifest.FILE_NAME))) {
      report = benchBundle(target, onnx, shapeMap, nThreads);
    } else if (Files.isDirectory(target)) {
      throw new WeftException(target + ": a folder without " + Manifest.FILE_NAME + " is not a bundle");
    } else {
      report = benchModel(onnx, shapeMap, nThreads);
    }
    print(report, nThreads);
    return Main.OK;
  }

  /** The ONNX file ONNX Runtime runs: the model itself or --model; null without --compare. */
  private Path onnxToCompare() {
    Path p = onnxModel != null ? onnxModel : (isOnnx(target) ? target : null);
    if (compare == null) return onnxModel;
    if (p == null) {
      throw new WeftException("--compare onnxruntime needs an ONNX model: " + target
          + " is not a .onnx file; for a bundle or a .pt/.wir model name the ONNX file with --model X.onnx");
    }
    if (!isOnnx(p)) throw new WeftException("--model " + p + ": not a .onnx file");
    if (!Files.isRegularFile(p)) throw new WeftException(p + ": no such file");
    return p;
  }

  private static boolean isOnnx(Path p) { return p.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".onnx"); }

  private Report benchBundle(Path dir, Path onnx, Map<String, long[]> shapeMap, int nThreads) {
    try (Bundle b = Bundle.load(dir)) {
      List<TensorSpec> specs = b.manifest().inputs();
      List<Tensor> given;
      if (inputs != null) {
        given = readInputs(specs.stream().map(TensorSpec::name).toList());
      } else if (onnx != null) {
        // The ONNX graph tells which inputs index an embedding and how large it is.
        given = InputGenerator.generate(InputGenerator.specsOf(ModelLoader.load(onnx).main(), shapeMap), seed);
      } else {
        given = InputGenerator.generate(InputGenerator.specsOf(specs, shapeMap), seed);
      }
      return measure(b, given, onnx, nThreads, null);
    }
  }

  private Report benchModel(Path onnx, Map<String, long[]> shapeMap, int nThreads) throws IOException {
    if (!Files.isRegularFile(target)) throw new WeftException(target + ": no such file or bundle folder");
    boolean torch = ModelLoader.formatOf(target) == ModelLoader.Format.TORCHSCRIPT;
    List<Tensor> given;
    Module m;
    if (torch) {
      if (inputs == null) throw new WeftException(target + ": a TorchScript model takes its input types from files: pass --inputs DIR");
      given = readAll(inputs);
      m = Weft.load(target, ShapeProfile.NONE, given);
    } else {
      m = ModelLoader.load(target);
      List<String> names = m.main().inputs().stream().map(Value::name).toList();
      given = inputs != null ? readInputs(names) : InputGenerator.generate(InputGenerator.specsOf(m.main(), shapeMap), seed);
    }
    try (Weft.TempBundle tb = Weft.compileFor(m, "cpu", given); Bundle b = Bundle.load(tb.dir())) {
      return measure(b, given, onnx, nThreads, tb.compileMillis());
    }
  }

  /** input_K.pb for each named input, in order; a missing or extra file is an error naming it. */
  private List<Tensor> readInputs(List<String> names) {
    List<Tensor> out = new ArrayList<>();
    for (int k = 0; k < names.size(); k++) {
      Path f = inputs.resolve("input_" + k + ".pb");
      if (!Files.isRegularFile(f)) throw new WeftException(f + ": missing (input " + k + " is '" + names.get(k) + "')");
      out.add(OnnxTestData.readTensor(f));
    }
    Path extra = inputs.resolve("input_" + names.size() + ".pb");
    if (Files.exists(extra)) throw new WeftException(extra + ": the model has only " + names.size() + " input(s)");
    return out;
  }

  private static List<Tensor> readAll(Path dir) {
    List<Tensor> out = new ArrayList<>();
    for (int k = 0; Files.isRegularFile(dir.resolve("input_" + k + ".pb")); k++) out.add(OnnxTestData.readTensor(dir.resolve("input_" + k + ".pb")));
    if (out.isEmpty()) throw new WeftException(dir + ": no input_0.pb");
    return out;
  }

  /** What one benchmark measured. */
  record Report(Latency weft, StepProfile profile, Latency ort, List<OutputDiff.Entry> diffs, Double compileMs, String device) {}

  private Report measure(Bundle b, List<Tensor> given, Path onnx, int nThreads, Double compileMs) {
    List<Integer> ranks = b.localRanks();
    if (ranks.size() != 1) throw new WeftException(b.root() + ": bench takes single-rank bundles, this one holds ranks " + ranks);
    int rank = ranks.getFirst();
    List<TensorSpec> specs = b.manifest().inputs();
    if (given.size() != specs.size()) {
      throw new WeftException(b.root() + ": " + given.size() + " input(s) given, the bundle takes " + specs.size());
    }
    Map<String, Tensor> feed = new LinkedHashMap<>();
    for (int k = 0; k < given.size(); k++) feed.put(specs.get(k).name(), given.get(k));

    Latency weft;
    StepProfile prof = null;
    Map<String, Tensor> weftOut;
    String device;
    try (Session s = b.session("cpu", rank, Map.of("threads", Integer.toString(nThreads)))) {
      device = s.device().description();
      for (int i = 0; i < warmup; i++) s.run(feed);
      long[] ns = new long[iters];
      Map<String, Tensor> last = null;
      for (int i = 0; i < iters; i++) {
        long t0 = System.nanoTime();
        last = s.run(feed);
        ns[i] = System.nanoTime() - t0;
      }
      weft = new Latency(ns);
      weftOut = last;
      if (profile) {
        prof = new StepProfile(b.program(rank).steps(), iters);
        for (int i = 0; i < iters; i++) {
          long t0 = System.nanoTime();
          s.run(feed, prof::record);
          prof.endRun(System.nanoTime() - t0);
        }
      }
    }
    if (compare == null) return new Report(weft, prof, null, List.of(), compileMs, device);

    try (OrtRunner ort = new OrtRunner(onnx, nThreads, given)) {
      for (int i = 0; i < warmup; i++) ort.runDiscarding();
      long[] ns = new long[iters];
      for (int i = 0; i < iters; i++) {
        long t0 = System.nanoTime();
        ort.runDiscarding();
        ns[i] = System.nanoTime() - t0;
      }
      return new Report(weft, prof, new Latency(ns), OutputDiff.compare(weftOut, ort.run()), compileMs, device);
    }
  }

  private void print(Report r, int nThreads) {
    PrintWriter out = spec.commandLine().getOut();
    if (json) {
      Json.Obj root = new Json.Obj();
      Json.Obj w = engineJson(r.weft(), nThreads);
      if (r.compileMs() != null) w.put("compile_ms", r.compileMs());
      if (r.profile() != null) {
        w.put("profile", r.profile().toJson());
        w.put("profile_step_sum_ms", r.profile().totalNanos() / 1e6);
        w.put("profile_run_median_ms", r.profile().runMedianNanos() / 1e6);
      }
      root.put("weft", w);
      if (r.ort() != null) {
        Json.Obj o = engineJson(r.ort(), nThreads);
        o.put("max_abs_diff", OutputDiff.worst(r.diffs()));
        root.put("onnxruntime", o);
        root.put("ratio", r.weft().medianMs() / r.ort().medianMs());
      }
      out.println(root);
      return;
    }
    if (r.compileMs() != null) out.printf(Locale.ROOT, "compiled %s for cpu in %.0f ms%n", target.getFileName(), r.compileMs());
    out.printf(Locale.ROOT, "%d timed runs after %d warmup, %d thread(s), on %s%n", iters, warmup, nThreads, r.device());
    line(out, "weft", r.weft());
    if (r.ort() != null) {
      line(out, "onnxruntime", r.ort());
      out.printf(Locale.ROOT, "ratio weft/onnxruntime (median): %.2fx%n", r.weft().medianMs() / r.ort().medianMs());
      for (OutputDiff.Entry e : r.diffs()) {
        if (e.problem() != null) out.printf(Locale.ROOT, "output %s: NOT COMPARABLE (%s)%n", e.name(), e.problem());
        else out.printf(Locale.ROOT, "output %s: max abs diff vs onnxruntime %.3g%n", e.name(), e.maxAbsDiff());
      }
    }
    if (r.profile() != null) r.profile().print(out);
  }

  private static Json.Obj engineJson(Latency l, int nThreads) {
    return new Json.Obj().put("median_ms", l.medianMs()).put("p90_ms", l.p90Ms()).put("min_ms", l.minMs())
        .put("throughput_per_s", l.throughput()).put("iters", l.iterations()).put("threads", nThreads);
  }

  private static void line(PrintWriter out, String engine, Latency l) {
    out.printf(Locale.ROOT, "%-12s median %9.3f ms   p90 %9.3f ms   throughput %8.2f runs/s%n", engine, l.medianMs(), l.p90Ms(), l.throughput());
  }
}
