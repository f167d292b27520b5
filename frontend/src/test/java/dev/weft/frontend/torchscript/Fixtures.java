package dev.weft.frontend.torchscript;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/** Writes test archives into a directory and checks that reading them creates no file. */
final class Fixtures {
  private Fixtures() {}

  static final byte[] VERSION = "3\n".getBytes(StandardCharsets.US_ASCII);

  /** An archive {@code m/} with a version, the given data.pkl and any extra entries (name, bytes). */
  static ZipBytes archive(byte[] dataPkl, Object... extra) {
    ZipBytes z = new ZipBytes().stored("m/version", VERSION).stored("m/data.pkl", dataPkl);
    for (int i = 0; i < extra.length; i += 2) z.stored((String) extra[i], (byte[]) extra[i + 1]);
    return z;
  }

  static Path write(Path dir, String name, byte[] bytes) {
    try {
      return Files.write(dir.resolve(name), bytes);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static List<String> listing(Path dir) {
    try (Stream<Path> s = Files.walk(dir)) {
      return s.map(p -> dir.relativize(p).toString()).sorted().toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Opens the archive expecting a typed error of {@code type} that names {@code entry} (null: no
   * entry) and contains {@code fragment}; checks the directory and the working directory gained no file.
   */
  static <T extends TorchArchiveException> T expectError(Path dir, ZipBytes zip, Class<T> type, String entry,
      String fragment) {
    return expectError(dir, zip, ArchiveLimits.DEFAULT, type, entry, fragment);
  }

  static <T extends TorchArchiveException> T expectError(Path dir, ZipBytes zip, ArchiveLimits limits, Class<T> type,
      String entry, String fragment) {
    Path file = write(dir, "model.pt", zip.bytes());
    List<String> before = listing(dir);
    List<String> cwdBefore = listing1(Path.of(""));
    T e = assertThrows(type, () -> {
      try (TorchArchive a = TorchArchive.open(file, limits)) {
        a.debugInfo("x.py"); // not reached when open fails
      }
    });
    assertTrue(e.getMessage().contains(fragment), "message '" + e.getMessage() + "' lacks '" + fragment + "'");
    assertTrue(e.getMessage().startsWith(file.toString()), "message names the archive: " + e.getMessage());
    assertEquals(entry, e.entry().orElse(null), e.getMessage());
    assertEquals(before, listing(dir), "files appeared next to the archive");
    assertEquals(cwdBefore, listing1(Path.of("")), "files appeared in the working directory");
    return e;
  }

  private static List<String> listing1(Path dir) {
    try (Stream<Path> s = Files.list(dir.toAbsolutePath())) {
      return s.map(p -> p.getFileName().toString()).sorted().toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
