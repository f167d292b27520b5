package dev.weft.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Only the subcommand a command line names is built; help, usage and typos still see them all. */
class LazySubcommandsTest {
  private static final List<String> ALL =
      List.of("inspect", "run", "compile", "optimize", "export", "conformance", "debug-numerics", "bench", "help");

  private static List<String> built(String... args) {
    return List.copyOf(Main.commandLine(new Main(), args).getSubcommands().keySet());
  }

  @Test
  void aNamedSubcommandIsTheOnlyOneBuilt() {
    assertEquals(List.of("inspect"), built("inspect", "m.wir", "--ops"));
    assertEquals(List.of("run"), built("--verbose", "run", "m.wir"));
    assertEquals(List.of("debug-numerics"), built("debug-numerics", "--help"));
    assertEquals(List.of(), built("--version"));
  }

  @Test
  void helpUsageAndUnknownWordsBuildEveryOneInUsageOrder() {
    assertEquals(ALL, built());
    assertEquals(ALL, built("--help"));
    assertEquals(ALL, built("help", "run"));
    assertEquals(ALL, built("rnu"));
  }

  @Test
  void theRootHelpListsEveryCommandAndSubcommandHelpKeepsInheritedOptions() {
    CliTest.Result root = CliTest.weft("--help");
    assertEquals(0, root.code());
    for (String name : ALL) assertTrue(root.out().contains("\n  " + name + " "), name + " in: " + root.out());
    CliTest.Result run = CliTest.weft("run", "--help");
    assertTrue(run.out().contains("--verbose"), run.out());
    CliTest.Result typo = CliTest.weft("rnu");
    assertEquals(1, typo.code());
    assertTrue(typo.err().contains("Did you mean"), typo.err());
  }
}
