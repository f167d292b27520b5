package dev.weft.cli;

import dev.weft.compiler.CompileProgress;
import java.io.PrintWriter;

/**
 * How {@code weft compile} shows a long compile. On a terminal: one line, rewritten in place
 * with a carriage return ("lowering to kernels", then "compiling 30 kernels for cpu  kernels
 * 12/30"), ended with a newline by {@link #finish}. Elsewhere (a pipe, a log, TERM=dumb): one
 * plain line per stage and, at the end, one "kernels: N (M cached)" line, so logs carry no
 * control characters. {@code --quiet} and {@code --json} use {@link CompileProgress#NONE}.
 */
final class ProgressDisplay implements CompileProgress {
  private final PrintWriter out;
  private final boolean terminal;
  private String stage = "";
  private int shownWidth;
  private int total = -1;
  private int done;
  private int cached;

  ProgressDisplay(PrintWriter out, boolean terminal) {
    this.out = out;
    this.terminal = terminal;
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
  private void redraw(String text) {
    StringBuilder sb = new StringBuilder("\r").append(text);
    for (int i = text.length(); i < shownWidth; i++) sb.append(' ');
    shownWidth = text.length();
    out.print(sb);
    out.flush();
  }
}
