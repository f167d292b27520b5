package dev.weft.passes.testing;

import dev.weft.ir.Module;
import dev.weft.ir.text.WirParser;
import dev.weft.ir.text.WirPrinter;
import dev.weft.passes.PassContext;
import dev.weft.passes.PassManager;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A small FileCheck for golden pass tests (STYLE item 4; IREE's {@code test/<pass>.mlir}).
 * A test file is {@code .wir} text with directives in {@code //} comments:
 * <pre>
 * // RUN: canonicalize,dce
 * graph @g(%x: f32[4]) -> (%y) { ... }
 * // CHECK: graph @g
 * // CHECK-NOT: add(
 * // CHECK-NEXT: ...
 * // -----
 * graph @h(...) ...
 * </pre>
 * Cases are separated by {@code // -----} lines; each is parsed, run through the pipeline of
 * the file's {@code RUN} line (a case may have its own), printed, and matched:
 * {@code CHECK} finds its pattern on a later line than the previous match,
 * {@code CHECK-NEXT} on the line right after it, {@code CHECK-NOT} on no line between the
 * previous match and the next one (or the end). Patterns are literal text, with
 * {@code {{regex}}} for the parts that vary.
 */
public final class WirCheck {
  private static final Pattern DIRECTIVE = Pattern.compile("^\\s*//\\s*(RUN|CHECK|CHECK-NEXT|CHECK-NOT):\\s?(.*)$");
  private static final Pattern SPLIT = Pattern.compile("^\\s*//\\s*-----\\s*$");

  private WirCheck() {}

  /** A check directive: kind, pattern and the file line it came from. */
  record Check(String kind, String pattern, int line) {}

  /** One case of a test file. */
  record Case(int firstLine, String text, String pipeline, List<Check> checks) {}

  /** A failed expectation, with everything needed to see why. */
  public static final class Failure extends AssertionError {
    Failure(String message) { super(message); }
  }

  /** Runs every case of the file text; throws {@link Failure} at the first case that does not match. */
  public static int check(String fileName, String text) {
    List<Case> cases = split(fileName, text);
    for (Case c : cases) run(fileName, c);
    return cases.size();
  }

  static List<Case> split(String fileName, String text) {
    String[] lines = text.split("\n", -1);
    String filePipeline = null;
    List<Case> out = new ArrayList<>();
    int start = 0;
    for (int i = 0; i <= lines.length; i++) {
      if (i < lines.length && !SPLIT.matcher(lines[i]).matches()) continue;
      StringBuilder body = new StringBuilder();
      String pipeline = null;
      List<Check> checks = new ArrayList<>();
      for (int k = start; k < i; k++) {
        Matcher m = DIRECTIVE.matcher(lines[k]);
        if (m.matches()) {
          if (m.group(1).equals("RUN")) pipeline = m.group(2).trim();
          else checks.add(new Check(m.group(1), m.group(2).trim(), k + 1));
          body.append('\n');   // keep line numbers of the .wir text as in the file
        } else {
          body.append(lines[k]).append('\n');
        }
      }
      if (pipeline != null && out.isEmpty()) filePipeline = pipeline;
      if (pipeline == null) pipeline = filePipeline;
      if (pipeline == null) throw new Failure(fileName + ":" + (start + 1) + ": no // RUN: line (the pipeline) before this case");
      if (checks.isEmpty()) throw new Failure(fileName + ":" + (start + 1) + ": a case without CHECK lines checks nothing");
      // Blank out lines before the case so parse errors report file line numbers.
      out.add(new Case(start + 1, "\n".repeat(start) + body, pipeline, checks));
      start = i + 1;
    }
    return out;
  }

  private static void run(String fileName, Case c) {
    Module m = new WirParser().parse(c.text(), fileName);
    new PassManager(dev.weft.passes.PassRegistry.global(), dev.weft.passes.Pipeline.parse(c.pipeline()))
        .run(m, new PassContext().verify(true));
    String printed = WirPrinter.toText(m);
    match(fileName, c, printed);
  }

  /** Matches the checks of {@code c} against {@code output}; public for testing the checker itself. */
  static void match(String fileName, Case c, String output) {
    String[] lines = output.split("\n", -1);
    int last = -1;                      // index of the line the previous positive check matched
    List<Check> pendingNots = new ArrayList<>();
    for (Check chk : c.checks()) {
      Pattern p = compile(fileName, chk);
      switch (chk.kind()) {
        case "CHECK-NOT" -> pendingNots.add(chk);
        case "CHECK" -> {
          int at = -1;
          for (int i = last + 1; i < lines.length; i++) {
            if (p.matcher(lines[i]).find()) {
              at = i;
              break;
            }
          }
          if (at < 0) throw fail(fileName, chk, c, "not found after line " + (last + 1) + " of the output", output);
          checkNots(fileName, c, pendingNots, lines, last + 1, at, output);
          last = at;
        }
        case "CHECK-NEXT" -> {
          int at = last + 1;
          if (last < 0 || at >= lines.length || !p.matcher(lines[at]).find()) {
            throw fail(fileName, chk, c, "not on the line after the previous match (output line " + (at + 1) + ")", output);
          }
          checkNots(fileName, c, pendingNots, lines, last + 1, at, output);
          last = at;
        }
        default -> throw new IllegalStateException(chk.kind());
      }
    }
    checkNots(fileName, c, pendingNots, lines, last + 1, lines.length, output);
  }

  private static void checkNots(String fileName, Case c, List<Check> nots, String[] lines, int from, int to, String output) {
    for (Check n : nots) {
      Pattern p = compile(fileName, n);
      for (int i = from; i < to; i++) {
        if (p.matcher(lines[i]).find()) throw fail(fileName, n, c, "found on output line " + (i + 1) + ": " + lines[i].trim(), output);
      }
    }
    nots.clear();
  }

  /** Literal text with {@code {{regex}}} islands. */
  static Pattern compile(String fileName, Check chk) {
    StringBuilder re = new StringBuilder();
    String s = chk.pattern();
    int i = 0;
    while (i < s.length()) {
      int open = s.indexOf("{{", i);
      if (open < 0) {
        re.append(Pattern.quote(s.substring(i)));
        break;
      }
      re.append(Pattern.quote(s.substring(i, open)));
      int close = s.indexOf("}}", open + 2);
      if (close < 0) throw new Failure(fileName + ":" + chk.line() + ": unclosed {{ in " + chk.kind());
      re.append('(').append(s, open + 2, close).append(')');
      i = close + 2;
    }
    if (re.isEmpty()) throw new Failure(fileName + ":" + chk.line() + ": empty " + chk.kind() + " pattern");
    return Pattern.compile(re.toString());
  }

  private static Failure fail(String fileName, Check chk, Case c, String why, String output) {
    return new Failure(fileName + ":" + chk.line() + ": " + chk.kind() + ": " + chk.pattern() + "\n  " + why
        + "\n  pipeline: " + c.pipeline() + "\n  output:\n" + output.indent(4));
  }
}
