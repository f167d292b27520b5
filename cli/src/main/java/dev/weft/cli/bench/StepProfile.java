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
 * slow run (a page fault, a preempted core) does not distort a kernel's share.
 */
final class StepProfile {
  static final int TOP = 15;

  record Row(int step, String kind, String group, List<String> nodes, long medianNanos) {}

  private final List<Step> steps;
  private final long[][] samples;
  private int runs;

  StepProfile(List<Step> steps, int runs) {
    this.steps = steps;
    this.samples = new long[steps.size()][runs];
  }

  /** Records step {@code step}'s time in the current run; call {@link #endRun} after each run. */
  void record(int step, long nanos) { samples[step][runs] = nanos; }

  void endRun() { runs++; }

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
    out.printf(Locale.ROOT, "profile: %d steps, sum of per-step medians %.3f ms; top %d:%n", rows.size(), total / 1e6,
        Math.min(TOP, rows.size()));
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
