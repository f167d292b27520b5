package dev.weft.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The compile progress display: exact bytes on a (fake) terminal and in plain mode. */
class ProgressDisplayTest {
  @TempDir Path tmp;

  private static void drive(ProgressDisplay d) {
    d.stage("lowering");
    d.stage("compiling 3 kernels");
    d.kernels(0, 3, 0);
    d.kernels(1, 3, 1);
    d.kernels(3, 3, 1);
    d.stage("done");
    d.finish();
  }

  @Test
  void terminalRewritesOneLineAndClearsLeftovers() {
    StringWriter w = new StringWriter();
    drive(new ProgressDisplay(new PrintWriter(w), true, 80));
    String nl = System.lineSeparator();
    // "done" is shorter than the 32-character line before it (19 + 13): 28 spaces blank the rest.
    assertEquals("\rlowering"
        + "\rcompiling 3 kernels"
        + "\rcompiling 3 kernels  kernels 0/3"
        + "\rcompiling 3 kernels  kernels 1/3"
        + "\rcompiling 3 kernels  kernels 3/3"
        + "\rdone" + " ".repeat(28)
        + nl, w.toString());
  }

  @Test
  void terminalLinesAreCutToTheWidthSoTheyNeverWrap() {
    StringWriter w = new StringWriter();
    ProgressDisplay d = new ProgressDisplay(new PrintWriter(w), true, 24);
    d.stage("graph passes: fold-shapes,constant-fold,cse");   // 44 characters on a 24-column terminal
    d.stage("lowering");
    d.finish();
    // 20 characters + "..." = 23 columns: the cursor stays on the row; "lowering" then clears 15 more.
    assertEquals("\rgraph passes: fold-s..." + "\rlowering" + " ".repeat(15) + System.lineSeparator(), w.toString());
  }

  @Test
  void plainModeWritesStageLinesAndOneKernelCount() {
    StringWriter w = new StringWriter();
    drive(new ProgressDisplay(new PrintWriter(w), false, 80));
    String nl = System.lineSeparator();
    assertEquals("  lowering" + nl + "  compiling 3 kernels" + nl + "  done" + nl + "  kernels: 3 (1 cached)" + nl, w.toString());
  }

  @Test
  void plainModeWithoutKernelsPrintsNoCount() {
    StringWriter w = new StringWriter();
    ProgressDisplay d = new ProgressDisplay(new PrintWriter(w), false, 80);
    d.stage("binding shapes");
    d.finish();
    assertEquals("  binding shapes" + System.lineSeparator(), w.toString());
  }

  private static final String ADD_RELU = """
      module {
        graph @main(%a: f32[2,3], %b: f32[3]) -> (%y) {
          %s = add(%a, %b)
          %y = relu(%s)
        }
      }
      """;

  /** Tests do not run on a terminal, so weft compile writes the plain form; --quiet writes nothing. */
  @Test
  void compileCountsTheCodegensKernels() throws Exception {
    Path model = tmp.resolve("m.wir");
    Files.writeString(model, ADD_RELU);
    CliTest.Result r = CliTest.weft("compile", model.toString(), "-o", tmp.resolve("b").toString());
    assertEquals(0, r.code(), r.err());
    assertTrue(r.out().contains("  compiling 1 kernels for cpu"), r.out());
    // add+relu fuse into one kernel: from the cache or compiled, it is counted once.
    assertTrue(r.out().matches("(?s).*  kernels: 1 \\([01] cached\\)\\R.*"), r.out());
    assertTrue(!r.out().contains("\r"), "no carriage returns off a terminal");
    CliTest.Result q = CliTest.weft("compile", model.toString(), "-o", tmp.resolve("q").toString(), "--quiet");
    assertEquals(0, q.code(), q.err());
    assertEquals("", q.out());
  }
}
