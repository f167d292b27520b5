package dev.weft.passes.instrument;

import dev.weft.ir.Module;
import dev.weft.passes.ModuleText;
import dev.weft.passes.PassEvent;
import dev.weft.passes.PassInstrument;
import dev.weft.passes.Pipeline;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Writes the module to {@code DIR} before the pipeline ({@code 00-input.wir}) and after each
 * pass ({@code 01-canonicalize.wir}, ...; {@code NN-pass.failed.wir} for a failing pass), each
 * with its own {@code .weights.bin} when it has large constants, so any two can be diffed and
 * any one fed back to {@code weft optimize}.
 */
public final class DumpDir implements PassInstrument {
  private final Path dir;

  public DumpDir(Path dir) { this.dir = dir; }

  @Override
  public void beforePipeline(Pipeline pipeline, Module m) {
    try {
      Files.createDirectories(dir);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create dump folder " + dir, e);
    }
    write("00-input", m, "// Input of pipeline: " + pipeline + "\n");
  }

  @Override
  public void afterPass(PassEvent e, Module m) {
    write(String.format("%02d-%s", e.index() + 1, e.pass()), m,
        "// After " + e.entry() + (e.changed() ? "" : " (no change)") + "\n");
  }

  @Override
  public void afterFailure(PassEvent e, Module m, Throwable error) {
    write(String.format("%02d-%s.failed", e.index() + 1, e.pass()), m, "// After failure of " + e.entry() + ": "
        + String.valueOf(error).lines().findFirst().orElse("") + "\n");
  }

  private void write(String stem, Module m, String header) {
    try {
      ModuleText.of(m, stem + ".weights.bin").write(dir.resolve(stem + ".wir"), header);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + dir.resolve(stem + ".wir"), e);
    }
  }
}
