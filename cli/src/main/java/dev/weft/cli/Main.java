package dev.weft.cli;

import dev.weft.bundle.WeftException;
import java.io.PrintWriter;
import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The {@code weft} command. Exit codes: 0 ok; 1 user error (bad flags, bad model) with a
 * one-line cause on stderr; 2 internal error. Stack traces only with {@code --verbose}. With
 * {@code --json} every command prints one JSON document on stdout, errors included ({@link JsonErrors}).
 */
@Command(
    name = "weft",
    mixinStandardHelpOptions = true,
    versionProvider = VersionProvider.class,
    description = "Weft: compile and run ML models (ONNX, TorchScript, .wir) on CPUs and GPUs.",
    footer = {"", "Examples:", "  weft inspect model.onnx --ops", "  weft run examples/mlp/model.wir --inputs examples/mlp/inputs --outputs out/mlp",
        "  weft optimize model.onnx -o model.opt.wir --timing", "  weft export model.onnx -o out/model.onnx"})
public final class Main implements Runnable {
  public static final int OK = 0;
  public static final int USER_ERROR = 1;
  public static final int INTERNAL_ERROR = 2;

  /**
   * The subcommands in usage order. They are added when a command line is parsed, and only the
   * one it names: picocli reads every added class's annotations, about 0.15 s for all of them.
   */
  static final List<Class<?>> SUBCOMMANDS = List.of(InspectCommand.class, RunCommand.class, CompileCommand.class,
      OptimizeCommand.class, ExportCommand.class, ConformanceCommand.class, DebugNumericsCommand.class,
      dev.weft.cli.bench.BenchCommand.class, CommandLine.HelpCommand.class);

  @Option(names = "--verbose", scope = CommandLine.ScopeType.INHERIT, description = "Print stack traces on errors.")
  boolean verbose;

  @Override
  public void run() {
    commandLine(this, new String[0]).usage(System.out);
  }

  public static void main(String[] args) {
    System.exit(execute(args, new PrintWriter(System.out, true), new PrintWriter(System.err, true)));
  }

  /** Runs the CLI with the given streams; returns the exit code (used by tests, no System.exit). */
  public static int execute(String[] args, PrintWriter out, PrintWriter err) {
    Main main = new Main();
    CommandLine cl = commandLine(main, args);
    cl.setOut(out);
    cl.setErr(err);
    boolean json = JsonErrors.requested(args);
    cl.setParameterExceptionHandler((ex, a) -> {
      if (json) JsonErrors.print(out, "usage", ex);
      err.println("weft: " + ex.getMessage());
      CommandLine.UnmatchedArgumentException.printSuggestions(ex, err);
      err.println("Try 'weft " + commandPath(ex.getCommandLine()) + " --help'.");
      return USER_ERROR;
    });
    cl.setExecutionExceptionHandler((ex, commandLine, parseResult) -> {
      boolean verbose = parseResult.hasMatchedOption("--verbose") || main.verbose || hasVerbose(args);
      if (json) JsonErrors.print(out, ex instanceof WeftException ? "user" : "internal", ex);
      if (ex instanceof WeftException) {
        err.println("weft: error: " + ex.getMessage());
        if (verbose) ex.printStackTrace(err);
        return USER_ERROR;
      }
      err.println("weft: internal error: " + ex);
      if (verbose) ex.printStackTrace(err);
      else err.println("(run with --verbose for the stack trace)");
      return INTERNAL_ERROR;
    });
    try {
      return cl.execute(args);
    } catch (StackOverflowError | OutOfMemoryError e) {
      // Limits in the readers should stop bad models first; this is the last line of defence.
      if (json) JsonErrors.print(out, "user", e);
      err.println("weft: error: the model is too large or too deeply nested (" + e.getClass().getSimpleName() + ")");
      if (hasVerbose(args)) e.printStackTrace(err);
      return USER_ERROR;
    } finally {
      out.flush();
      err.flush();
    }
  }

  /** The weft command with the subcommands {@code args} may reach ({@link #invoked}). */
  static CommandLine commandLine(Main main, String[] args) {
    CommandLine cl = new CommandLine(main);
    String invoked = invoked(args);
    for (Class<?> c : SUBCOMMANDS) {
      if (invoked == null || invoked.equals(c.getAnnotation(Command.class).name())) cl.addSubcommand(c);
    }
    return cl;
  }

  /**
   * The subcommand {@code args} run; "" for --version, which needs none; null where every one
   * is needed: no subcommand (usage), {@code help}, another root option than --verbose (--help, a
   * wrong one), or a word that names none (picocli suggests the near ones).
   */
  static String invoked(String[] args) {
    for (String a : args) {
      if (a.equals("--verbose")) continue;
      // --version needs no subcommand; a name none of them has is looked for among them all.
      if (a.equals("--version") || a.equals("-V")) return "";
      if (a.startsWith("-") || a.equals("help")) return null;
      for (Class<?> c : SUBCOMMANDS) if (a.equals(c.getAnnotation(Command.class).name())) return a;
      return null;
    }
    return null;
  }

  private static boolean hasVerbose(String[] args) {
    for (String a : args) if (a.equals("--verbose")) return true;
    return false;
  }

  private static String commandPath(CommandLine cl) {
    String name = cl.getCommandName();
    return "weft".equals(name) ? "" : name;
  }
}
