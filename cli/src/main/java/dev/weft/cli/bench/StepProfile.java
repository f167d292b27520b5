package dev.weft.cli.bench;

import dev.weft.bundle.Json;
import dev.weft.bundle.program.Step;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;

/**
 * Per-step wall times over several timed runs: each step's median across the runs, so one
 * slow run (a page fault, a preempted core) does not distort a kernel's share. It also keeps
 * each profiled run's whole wall time, so the sum of step medians is set against runs of the
 * same period: on a shared host the load moves between the plain timed runs and the profiled
 * ones, and comparing across the two once made the steps look like 60% of a run when, measured
 * in the same runs, they were 97% (testsuite/BENCHMARKS.md, "cpu launch chunking").
 */
final class StepProfile {
  static final int TOP = 15;

  record Row(int step, String kind, String group, List<String> nodes, long medianNanos) {}

  private final List<Step> steps;
  private final long[][] samples;
  private final long[] runNanos;
  private int runs;

  StepProfile(List<Step> steps, int runs) {
    this.steps = steps;
    this.samples = new long[steps.size()][runs];
    this.runNanos = new long[runs];
  }

  /** Records step {@code step}'s time in the current run; call {@link #endRun} after each run. */
  void record(int step, long nanos) { samples[step][runs] = nanos; }

  /** Ends the current run, which took {@code nanos} as a whole (inputs in to outputs out). */
  void endRun(long nanos) { runNanos[runs++] = nanos; }

  /** The median whole-run time of the profiled runs. */
  long runMedianNanos() { return runs == 0 ? 0 : Latency.median(java.util.Arrays.copyOf(runNanos, runs)); }

  /** Every step, slowest median first (ties by step index, for a deterministic order). */
  List<Row> rows() {
    List<Row> rows = new ArrayList<>();
    for (int i = 0; i < steps.size(); i++) {
      long[] xs = java.util.Arrays.copyOf(samples[i], runs);
      long med = runs == 0 ? 0 : Latency.median(xs);
      rows.add(switch (steps.get(i)) {
        case Step.Launch l -> new Row(i, l.kernel(), l.group(), l.nodes(), med);
        case Step.Copy c -> new Row(i, "copy", "", List.of(c.src() + " -> " + c.dst()), med);
        default -> new Row(i, steps.get(i).op(), "", List.of(), med);   // if/loop: timed with everything nested in it
      });
    }
    rows.sort(Comparator.comparingLong(Row::medianNanos).reversed().thenComparingInt(Row::step));
    return rows;
  }

  long totalNanos() { return rows().stream().mapToLong(Row::medianNanos).sum(); }

  void print(PrintWriter out) {
    List<Row> rows = rows();
    long total = Math.max(1, totalNanos());
    long run = runMedianNanos();
    out.printf(Locale.ROOT, "profile: %d steps, sum of per-step medians %.3f ms of a profiled run's median %.3f ms (%.0f%%); top %d:%n",
        rows.size(), total / 1e6, run / 1e6, 100.0 * total / Math.max(1, run), Math.min(TOP, rows.size()));
    out.printf(Locale.ROOT, "  %5s %10s %6s  %-28s %s%n", "step", "median ms", "share", "kernel / group", "nodes");
    for (Row r : rows.subList(0, Math.min(TOP, rows.size()))) {
      String name = r.group().isEmpty() ? r.kind() : r.group();
      out.printf(Locale.ROOT, "  %5d %10.3f %5.1f%%  %-28s %s%n", r.step(), r.medianNanos() / 1e6, 100.0 * r.medianNanos() / total,
          name, abbreviate(r.nodes()));
    }
  }

  Json.Arr toJson() {
    Json.Arr a = new Json.Arr();
    for (Row r : rows().subList(0, Math.min(TOP, steps.size()))) {
      a.add(new Json.Obj().put("step", r.step()).put("kernel", r.kind()).put("group", r.group())
          .put("nodes", Json.strings(r.nodes())).put("median_ms", r.medianNanos() / 1e6));
    }
    return a;
  }

  private static String abbreviate(List<String> nodes) {
    if (nodes.size() <= 4) return String.join(", ", nodes);
    return String.join(", ", nodes.subList(0, 3)) + ", ... (" + nodes.size() + " nodes)";
  }
}
