package dev.weft.passes.instrument;

import dev.weft.ir.Module;
import dev.weft.passes.ModuleText;
import dev.weft.passes.PassEvent;
import dev.weft.passes.PassInstrument;
import dev.weft.passes.PipelineException;
import java.io.PrintWriter;
import java.util.Set;

/**
 * MLIR's {@code --mlir-print-ir-after-*}: prints the module after passes, chosen by
 * {@code all}, {@code change} (only passes that changed it), {@code failure} (the module a
 * failing pass left) or a comma-separated list of pass names. Large constants are printed
 * as references to a weights file that is not written.
 */
public final class PrintIr implements PassInstrument {
  private final String mode;
  private final Set<String> names;
  private final PrintWriter out;

  public PrintIr(String spec, PrintWriter out) {
    if (spec == null || spec.isBlank()) throw new PipelineException("--print-ir-after needs NAME, all, change or failure");
    this.mode = switch (spec) {
      case "all", "change", "failure" -> spec;
      default -> "names";
    };
    this.names = mode.equals("names") ? Set.of(spec.split("\\s*,\\s*")) : Set.of();
    this.out = out;
  }

  @Override
  public void afterPass(PassEvent e, Module m) {
    boolean show = switch (mode) {
      case "all" -> true;
      case "change" -> e.changed();
      case "names" -> names.contains(e.pass());
      default -> false;
    };
    if (show) print("IR after " + e.entry() + (e.changed() ? "" : " (no change)"), m);
  }

  @Override
  public void afterFailure(PassEvent e, Module m, Throwable error) {
    if (!mode.equals("failure") && !mode.equals("all") && !names.contains(e.pass())) return;
    String text;
    try {
      text = ModuleText.of(m, "weights.bin").text();
    } catch (RuntimeException printError) {
      text = "(the module cannot be printed: " + printError.getMessage() + ")\n";
    }
    out.println("// -----// IR after failure of " + e.entry() + " //----- //");
    out.print(text);
    out.flush();
  }

  private void print(String title, Module m) {
    out.println("// -----// " + title + " //----- //");
    out.print(ModuleText.of(m, "weights.bin").text());
    out.flush();
  }
}
