package dev.weft.cli;

import dev.weft.compiler.CompileProgress;
import java.io.PrintWriter;

/**
 * How {@code weft compile} shows a long compile. On a terminal: one line, rewritten in place
 * with a carriage return, cut to the terminal's width ("lowering to kernels", then "compiling 30 kernels for cpu  kernels
 * 12/30"), ended with a newline by {@link #finish}. Elsewhere (a pipe, a log, TERM=dumb): one
 * plain line per stage and, at the end, one "kernels: N (M cached)" line, so logs carry no
 * control characters. {@code --quiet} and {@code --json} use {@link CompileProgress#NONE}.
 */
final class ProgressDisplay implements CompileProgress {
  private final PrintWriter out;
  private final boolean terminal;
  private final int width;
  private String stage = "";
  private int shownWidth;
  private int total = -1;
  private int done;
  private int cached;

  /** @param width terminal columns: a longer line would wrap, and a carriage return cannot go back up a row */
  ProgressDisplay(PrintWriter out, boolean terminal, int width) {
    this.out = out;
    this.terminal = terminal;
    this.width = Math.max(20, width);
  }

  /** A display for this process's stdout: $COLUMNS wide when the shell exports it, else 80. */
  static ProgressDisplay forStdout(PrintWriter out) {
    int columns = 80;
    try {
      String c = System.getenv("COLUMNS");
      if (c != null) columns = Integer.parseInt(c.trim());
    } catch (NumberFormatException ignored) {
      // keep 80
    }
    return new ProgressDisplay(out, stdoutIsTerminal(), columns);
  }

  /** Whether this process writes to an interactive terminal that understands a carriage return. */
  static boolean stdoutIsTerminal() {
    java.io.Console c = System.console();
    return c != null && c.isTerminal() && !"dumb".equals(System.getenv("TERM"));
  }

  @Override
  public synchronized void stage(String description) {
    stage = description;
    if (terminal) redraw(description);
    else out.println("  " + description);
  }

  @Override
  public synchronized void kernels(int done, int total, int cached) {
    this.done = done;
    this.total = total;
    this.cached = cached;
    if (terminal) redraw(stage + "  kernels " + done + "/" + total);
  }

  /** Ends the display: the terminal line gets its newline; plain output gets the kernel count. */
  synchronized void finish() {
    if (terminal) {
      if (shownWidth > 0) out.println();
      shownWidth = 0;
    } else if (total >= 0) {
      out.println("  kernels: " + done + " (" + cached + " cached)");
    }
    out.flush();
  }

  /** Rewrites the terminal line; spaces clear what is left of a longer previous line. */
  private void redraw(String line) {
    // One column short of the width, so the cursor never moves to a new row.
    String text = line.length() < width ? line : line.substring(0, width - 4) + "...";
    StringBuilder sb = new StringBuilder("\r").append(text);
    for (int i = text.length(); i < shownWidth; i++) sb.append(' ');
    shownWidth = text.length();
    out.print(sb);
    out.flush();
  }
}
