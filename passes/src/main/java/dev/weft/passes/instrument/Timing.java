package dev.weft.passes.instrument;

import dev.weft.ir.Module;
import dev.weft.passes.PassEvent;
import dev.weft.passes.PassInstrument;
import dev.weft.passes.Statistics;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Per-pass wall time, node counts and the statistics each pass counted, as a table
 * (MLIR's {@code --mlir-timing}, LLVM's {@code -stats}).
 */
public final class Timing implements PassInstrument {
  private final List<PassEvent> events = new ArrayList<>();

  @Override
  public void afterPass(PassEvent e, Module m) { events.add(e); }

  public List<PassEvent> events() { return List.copyOf(events); }

  /** The table: one row per pass run, then a total. {@code stats} may be null. */
  public String table(Statistics stats) {
    StringBuilder sb = new StringBuilder();
    sb.append(String.format(Locale.ROOT, "%-3s %-28s %10s %8s %8s %-7s %s%n", "#", "pass", "ms", "nodes", "after", "changed", "statistics"));
    long total = 0;
    for (PassEvent e : events) {
      total += e.nanos();
      String st = "";
      if (stats != null) {
        StringBuilder s = new StringBuilder();
        for (Map.Entry<String, Long> c : stats.of(e.pass()).entrySet()) s.append(s.isEmpty() ? "" : ", ").append(c.getKey()).append('=').append(c.getValue());
        st = s.toString();
      }
      sb.append(String.format(Locale.ROOT, "%-3d %-28s %10.2f %8d %8d %-7s %s%n", e.index() + 1, e.entry(), e.nanos() / 1e6,
          e.nodesBefore(), e.nodesAfter(), e.changed() ? "yes" : "no", st));
    }
    sb.append(String.format(Locale.ROOT, "%-3s %-28s %10.2f%n", "", "total", total / 1e6));
    return sb.toString();
  }
}
