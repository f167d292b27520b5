package dev.weft.compiler.cache;

import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.CodeSource;

/**
 * Identifies the build of a class's code: for a jar its size and modification time, for a
 * classes folder the class file's. Cheap (no hashing of a 150 MB shaded jar) and changes
 * whenever the code is rebuilt, which is what invalidating the kernel cache needs.
 */
final class CodeIdentity {
  private CodeIdentity() {}

  static String of(Class<?> c) {
    try {
      CodeSource src = c.getProtectionDomain().getCodeSource();
      if (src == null || src.getLocation() == null) return "unknown";
      Path p = Path.of(src.getLocation().toURI());
      if (Files.isDirectory(p)) p = p.resolve(c.getName().replace('.', '/') + ".class");
      return Files.size(p) + "@" + Files.getLastModifiedTime(p).toMillis();
    } catch (URISyntaxException | java.io.IOException | RuntimeException e) {
      return "unknown";
    }
  }
}
