package dev.weft.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** {@code weft debug-numerics} on the bundled MLP: clean, and with a fault injected into one group. */
class DebugNumericsCommandTest {
  private static String model() { return ExampleMlpTest.repoExample().resolve("model.wir").toString(); }

  private static String inputs() { return ExampleMlpTest.repoExample().resolve("inputs").toString(); }

  @Test
  void cleanModelReportsNoDivergenceAndItsWorstError() {
    CliTest.Result r = CliTest.weft("debug-numerics", model(), "--inputs", inputs());
    assertEquals(0, r.code(), r.out() + r.err());
    assertTrue(r.out().contains("no divergence; worst error: max abs"), r.out());
    assertTrue(r.out().contains("g0 "), "the summary table lists the groups: " + r.out());
  }

  @Test
  void injectedFaultIsReportedAtItsGroupWithNodeNames() {
    CliTest.Result r = CliTest.weft("debug-numerics", model(), "--inputs", inputs(), "--inject-fault-in-group", "g1");
    assertEquals(Main.USER_ERROR, r.code(), r.out() + r.err());
    assertTrue(r.out().contains("FIRST DIVERGENCE at step"), r.out());
    String header = r.out().lines().filter(l -> l.startsWith("FIRST DIVERGENCE")).findFirst().orElseThrow();
    assertTrue(header.contains("group g1 "), header);
    String nodes = r.out().lines().filter(l -> l.startsWith("  nodes: ")).findFirst().orElseThrow();
    // The MLP's nodes carry locations "mlp" fc1/fc2 (examples/mlp/model.wir); the report names them.
    assertTrue(nodes.contains("fc"), nodes);
    assertTrue(r.out().contains("first bad element [0, 0]"), r.out());
    // g0 ran before the fault and still matches.
    assertTrue(r.out().lines().anyMatch(l -> l.matches("\\d+\\s+g0\\s+.*\\bok\\b.*")), r.out());
  }

  @Test
  void jsonNamesTheFirstDivergence() {
    CliTest.Result r = CliTest.weft("debug-numerics", model(), "--inputs", inputs(), "--json", "--inject-fault-in-group", "g0");
    assertEquals(Main.USER_ERROR, r.code(), r.err());
    String json = r.out().replaceAll("\\s+", "");
    assertTrue(json.contains("\"diverged\":true"), json);
    assertTrue(json.contains("\"first_divergence\":{\"step\":0,\"group\":\"g0\""), json);
  }

  @Test
  void missingInputsFolderIsAUserError() {
    CliTest.Result r = CliTest.weft("debug-numerics", model(), "--inputs", Path.of("no-such-folder").toString());
    assertEquals(Main.USER_ERROR, r.code());
    assertTrue(r.err().contains("no-such-folder"), r.err());
  }
}
