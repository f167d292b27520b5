package dev.weft.codegen.llvm;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.File;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** Workers run in their own folder, so a relative class path entry must reach them absolute. */
class WorkerClassPathTest {
  @Test
  void relativeEntriesBecomeAbsoluteAndAbsoluteOnesStay() {
    String cwd = Path.of("").toAbsolutePath().toString();
    String got = WorkerPool.absoluteClassPath("cli/target/weft.jar" + File.pathSeparator + "/opt/lib/a.jar" + File.pathSeparator);
    assertEquals(cwd + "/cli/target/weft.jar" + File.pathSeparator + "/opt/lib/a.jar", got);
  }
}
