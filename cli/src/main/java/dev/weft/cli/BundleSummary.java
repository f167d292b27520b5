package dev.weft.cli;

import dev.weft.bundle.BundleException;
import dev.weft.bundle.BundlePaths;
import dev.weft.bundle.FileHashes;
import dev.weft.bundle.Json;
import dev.weft.bundle.manifest.Manifest;
import dev.weft.bundle.manifest.KernelStats;
import dev.weft.bundle.manifest.ManifestJson;
import dev.weft.bundle.manifest.RankEntry;
import dev.weft.bundle.manifest.TensorSpec;
import dev.weft.bundle.program.Buffer;
import dev.weft.bundle.program.BufferKind;
import dev.weft.bundle.program.Program;
import dev.weft.bundle.program.ProgramJson;
import dev.weft.bundle.program.Step;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * What {@code weft inspect BUNDLE} reports: target, toolchain, inputs and outputs, every file
 * with its size and whether its sha256 matches the manifest, and per rank the program's
 * kernels, steps, arena and weight bytes, its library calls, and ptxas's per-kernel usage
 * where the bundle has a kernels.json. It reads without loading kernels, so a bundle for
 * another target or with a corrupt file can still be inspected.
 */
record BundleSummary(Manifest manifest, List<FileStatus> files, List<RankStats> ranks) {
  /** @param status ok, MISMATCH (sha256 differs from the manifest) or MISSING; bytes is -1 when missing */
  record FileStatus(String path, long bytes, String status) { }

  /**
   * Launches, copies and library calls are counted inside if branches and loop bodies too;
   * {@code controls} counts if/loop steps.
   *
   * @param libraryCalls one line per library step: {@code cublaslt.matmul [A, B, D] {attrs}}
   * @param kernelStats the rank's kernels.json (ptxas usage per kernel), empty when it has none
   * @param failSteps the messages of its fail steps: if branches the compiler could not compile
   */
  record RankStats(int rank, boolean present, int kernels, int launches, int copies, int library, int controls, int steps,
                   long arenaBytes, long weightBytes, List<String> libraryCalls, List<KernelStats> kernelStats,
                   List<String> failSteps) { }

  static BundleSummary of(Path dir) {
    Path manifestPath = BundlePaths.existingFile(dir, Manifest.FILE_NAME);
    Manifest m = ManifestJson.read(Manifest.FILE_NAME, read(manifestPath, Manifest.FILE_NAME));
    List<FileStatus> files = new ArrayList<>();
    for (Map.Entry<String, String> e : m.files().entrySet()) {
      Path p = BundlePaths.resolve(dir, e.getKey());
      if (!Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)) {
        files.add(new FileStatus(e.getKey(), -1, "MISSING"));
        continue;
      }
      files.add(new FileStatus(e.getKey(), size(p), FileHashes.sha256(p).equals(e.getValue()) ? "ok" : "MISMATCH"));
    }
    List<RankStats> ranks = new ArrayList<>();
    for (RankEntry r : m.ranks()) {
      Path programPath = BundlePaths.resolve(dir, r.program());
      if (!Files.isRegularFile(programPath, LinkOption.NOFOLLOW_LINKS)) {
        ranks.add(new RankStats(r.rank(), false, 0, 0, 0, 0, 0, 0, 0, 0, List.of(), List.of(), List.of()));
        continue;
      }
      Program p = ProgramJson.read(r.program(), read(programPath, r.program()));
      TreeSet<String> kernels = new TreeSet<>();
      int launches = 0;
      int copies = 0;
      List<String> calls = new ArrayList<>();
      int controls = 0;
      List<String> fails = new ArrayList<>();
      for (Step s : Step.flatten(p.steps())) {
        if (s instanceof Step.Launch l) {
          launches++;
          kernels.add(l.kernel());
        } else if (s instanceof Step.Copy) {
          copies++;
        } else if (s instanceof Step.Library l) {
          calls.add(l.library() + "." + l.call() + " " + l.args() + " " + l.attrs());
        } else if (s instanceof Step.Fail f) {
          fails.add(f.message());
        } else if (!s.nested().isEmpty()) {
          controls++;
        }
      }
      String statsFile = r.dir() + "/" + KernelStats.FILE_NAME;
      Path statsPath = BundlePaths.resolve(dir, statsFile);
      List<KernelStats> stats = m.files().containsKey(statsFile) && Files.isRegularFile(statsPath, LinkOption.NOFOLLOW_LINKS)
          ? KernelStats.read(statsFile, read(statsPath, statsFile)) : List.of();
      long weights = 0;
      for (Buffer b : p.buffersOf(BufferKind.WEIGHT)) weights += b.bytes();
      ranks.add(new RankStats(r.rank(), true, kernels.size(), launches, copies, calls.size(), controls, p.steps().size(),
          p.arenaBytes(), weights, calls, stats, fails));
    }
    return new BundleSummary(m, files, ranks);
  }

  boolean allFilesOk() { return files.stream().allMatch(f -> f.status().equals("ok")); }

  void print(PrintWriter out, String name) {
    out.println("bundle: " + name + " (format " + manifest.formatVersion() + ", weft " + manifest.compilerVersion() + ")");
    out.println("target: " + manifest.target().kind() + " " + manifest.target().arch()
        + (manifest.target().options().isEmpty() ? "" : " " + manifest.target().options()));
    out.println("toolchain: " + manifest.toolchain().fingerprint());
    manifest.toolchain().components().forEach((k, v) -> out.println("  " + k + ": " + v));
    out.println("mesh: " + manifest.mesh().nodes() + "x" + manifest.mesh().devicesPerNode());
    out.println("inputs:");
    for (TensorSpec t : manifest.inputs()) out.println("  " + t.name() + ": " + t.dtype() + t.shape());
    out.println("outputs:");
    for (TensorSpec t : manifest.outputs()) out.println("  " + t.name() + ": " + t.dtype() + t.shape());
    for (RankStats r : ranks) {
      if (!r.present()) {
        out.println("rank " + r.rank() + ": folder not on this node");
        continue;
      }
      out.printf("rank %d: %d kernels, %d steps (%d launches, %d library calls, %d copies%s), arena %d bytes, weights %d bytes%n",
          r.rank(), r.kernels(), r.steps(), r.launches(), r.library(), r.copies(),
          r.controls() == 0 ? "" : ", " + r.controls() + " if/loop, counts include their branches and bodies",
          r.arenaBytes(), r.weightBytes());
      for (String call : r.libraryCalls()) out.println("  library " + call);
      for (String fail : r.failSteps()) out.println("  fail step: " + fail);
      for (KernelStats k : r.kernelStats()) out.println("  ptxas " + k.describe());
    }
    out.println("files:");
    for (FileStatus f : files) out.printf("  %-8s %12s  %s%n", f.status(), f.bytes() < 0 ? "-" : Long.toString(f.bytes()), f.path());
    out.println(allFilesOk() ? "all " + files.size() + " files match manifest.json" : "SOME FILES DO NOT MATCH manifest.json");
  }

  String toJson(String name) {
    Json.Obj o = new Json.Obj().put("bundle", name).put("format_version", manifest.formatVersion())
        .put("compiler_version", manifest.compilerVersion());
    Json.Obj target = new Json.Obj().put("kind", manifest.target().kind()).put("arch", manifest.target().arch());
    Json.Obj opts = new Json.Obj();
    manifest.target().options().forEach(opts::put);
    o.put("target", target.put("options", opts));
    Json.Obj comps = new Json.Obj();
    manifest.toolchain().components().forEach(comps::put);
    o.put("toolchain", new Json.Obj().put("fingerprint", manifest.toolchain().fingerprint()).put("components", comps));
    o.put("inputs", specs(manifest.inputs())).put("outputs", specs(manifest.outputs()));
    Json.Arr rs = new Json.Arr();
    for (RankStats r : ranks) {
      Json.Arr stats = new Json.Arr();
      for (KernelStats k : r.kernelStats()) {
        stats.add(new Json.Obj().put("name", k.name()).put("registers", k.registers()).put("spill_stores", k.spillStores())
            .put("spill_loads", k.spillLoads()).put("shared_bytes", k.sharedBytes()).put("stack_frame_bytes", k.stackFrameBytes()));
      }
      rs.add(new Json.Obj().put("rank", r.rank()).put("present", r.present()).put("kernels", r.kernels()).put("steps", r.steps())
          .put("launches", r.launches()).put("library_calls", r.library()).put("copies", r.copies())
          .put("control_flow_steps", r.controls()).put("arena_bytes", r.arenaBytes())
          .put("weight_bytes", r.weightBytes()).put("library", Json.strings(r.libraryCalls())).put("kernel_stats", stats)
          .put("fail_steps", Json.strings(r.failSteps())));
    }
    o.put("ranks", rs);
    Json.Arr fs = new Json.Arr();
    for (FileStatus f : files) fs.add(new Json.Obj().put("path", f.path()).put("bytes", f.bytes()).put("status", f.status()));
    return o.put("files", fs).put("files_ok", allFilesOk()).toString();
  }

  private static Json.Arr specs(List<TensorSpec> specs) {
    Json.Arr a = new Json.Arr();
    for (TensorSpec t : specs) {
      Json.Arr shape = new Json.Arr();
      t.shape().forEach(d -> shape.add(d.isStatic() ? (Object) d.evaluate(Map.of()) : d.toString()));
      a.add(new Json.Obj().put("name", t.name()).put("dtype", t.dtype().toString()).put("shape", shape));
    }
    return a;
  }

  private static long size(Path p) {
    try {
      return Files.size(p);
    } catch (IOException e) {
      return -1;
    }
  }

  /** Manifest and program files are JSON; the runtime caps them at 256 MiB and so does this. */
  private static byte[] read(Path p, String rel) {
    try {
      long size = Files.size(p);
      if (size > (256L << 20)) throw new BundleException(rel + ": " + size + " bytes, more than the limit of " + (256L << 20));
      return Files.readAllBytes(p);
    } catch (IOException e) {
      throw new BundleException(rel + ": cannot be read: " + e.getMessage(), e);
    }
  }
}
