package dev.weft.runtime;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/** Compiles test C sources into shared libraries with the host {@code cc}; tests skip loudly without one. */
final class NativeBuild {
  private NativeBuild() {}

  static Path findCc() {
    for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin").split(":")) {
      Path p = Path.of(dir, "cc");
      if (Files.isExecutable(p)) return p;
    }
    return null;
  }

  /** Compiles {@code source} to {@code dir/name}; skips the test (with a message) when there is no cc. */
  static Path sharedLibrary(Path dir, String name, String source) throws IOException, InterruptedException {
    Path cc = findCc();
    Assumptions.assumeTrue(cc != null, "SKIPPED: no C compiler 'cc' on PATH, so no kernels.so can be built for this test");
    Path c = dir.resolve(name + ".c");
    Files.writeString(c, source);
    Path so = dir.resolve(name);
    Process p = new ProcessBuilder(List.of(cc.toString(), "-shared", "-fPIC", "-O2", "-o", so.toString(), c.toString()))
        .redirectErrorStream(true).start();
    String log = new String(p.getInputStream().readAllBytes());
    if (!p.waitFor(120, TimeUnit.SECONDS) || p.exitValue() != 0) throw new IllegalStateException("cc failed:\n" + log);
    return so;
  }
}
