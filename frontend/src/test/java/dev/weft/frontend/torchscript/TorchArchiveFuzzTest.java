package dev.weft.frontend.torchscript;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * Fuzz targets for the unpickler and the zip reader: only {@link TorchArchiveException}s may
 * escape (Jazzer reports any other throwable, a hang or an OOM as a finding).
 *
 * <p>A plain {@code mvn test} replays the inputs committed under
 * {@code src/test/resources/dev/weft/frontend/torchscript/TorchArchiveFuzzTestInputs/<method>/}
 * (regression mode); {@code JAZZER_FUZZ=1 mvn test -Dtest=TorchArchiveFuzzTest} fuzzes.
 */
class TorchArchiveFuzzTest {
  private static final ArchiveLimits LIMITS = new ArchiveLimits(1000, 64L << 20, 100, 1 << 20, 16 << 20, 1 << 16,
      1 << 16, 256, 64L << 20);
  private static Path dir;

  @BeforeAll
  static void makeDir() throws IOException {
    dir = Files.createTempDirectory("weft-fuzz");
  }

  @AfterAll
  static void removeDir() throws IOException {
    try (var s = Files.list(dir)) {
      for (Path p : s.toList()) Files.delete(p);
    }
    Files.delete(dir);
  }

  /** The bytes as data.pkl of an archive, with one 64-byte storage and one code file. */
  @FuzzTest(maxDuration = "60s")
  void unpickler(byte[] pickle) throws IOException {
    ZipBytes z = Fixtures.archive(pickle, "m/data/0", new byte[64], "m/constants.pkl", pickle,
        "m/constants/0", new byte[64], "m/code/a.py", new byte[0], "m/code/a.py.debug_pkl", pickle);
    openAndRead(Files.write(dir.resolve("u.pt"), z.bytes()));
  }

  /** The bytes straight into the unpickler (no zip, no file: fast), every storage 64 bytes. */
  @FuzzTest(maxDuration = "60s")
  void unpicklerInMemory(byte[] pickle) {
    java.lang.foreign.MemorySegment storage = java.lang.foreign.MemorySegment.ofArray(new byte[64]);
    Unpickler.StorageLoader loader = (key, type, location, numel) -> {
      if (numel * type.dtype().byteSize() != 64) throw new Unpickler.StorageError("size mismatch");
      return new Unpickler.Storage("m/data/" + key, type.dtype(), numel, storage);
    };
    try {
      Object v = new Unpickler("f.pt", "m/data.pkl", pickle, LIMITS, loader, new TensorViews.Budget(1 << 20)).load();
      v.toString();
      v.hashCode(); // the value model must be safe to print and hash
      DebugPickles.decode(v, 1 << 20);
    } catch (TorchArchiveException | DebugPickles.Malformed expected) {
      // the only failures allowed
    }
  }

  /** The bytes as a whole archive file. */
  @FuzzTest(maxDuration = "60s")
  void zipReader(byte[] zip) throws IOException {
    openAndRead(Files.write(dir.resolve("z.pt"), zip));
  }

  private static void openAndRead(Path file) {
    try (TorchArchive a = TorchArchive.open(file, LIMITS)) {
      for (String path : List.copyOf(a.code().keySet())) a.debugInfo(path);
    } catch (TorchArchiveException expected) {
      // the only failure allowed
    }
  }
}
