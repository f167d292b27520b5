package dev.weft.frontend.torchscript;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** RELIABILITY.md item 18: zip archives are read in place and hostile ones are typed errors. */
class SafeZipTest {
  @TempDir Path dir;

  private static final byte[] NONE_PKL = PickleBytes.proto2().none().stop().bytes();

  private void expect(ZipBytes z, String entry, String fragment) {
    Fixtures.expectError(dir, z, TorchArchiveException.class, entry, fragment);
  }

  @Test
  void traversalAndAbsoluteNames() {
    expect(Fixtures.archive(NONE_PKL, "../evil", NONE_PKL), "../evil", "'..' segment");
    expect(Fixtures.archive(NONE_PKL, "m/a/../../../evil", NONE_PKL), "m/a/../../../evil", "'..' segment");
    expect(Fixtures.archive(NONE_PKL, "/etc/passwd", NONE_PKL), "/etc/passwd", "absolute entry name");
    expect(Fixtures.archive(NONE_PKL, "C:/evil", NONE_PKL), "C:/evil", "drive letter");
    expect(Fixtures.archive(NONE_PKL, "m\\..\\evil", NONE_PKL), "m\\..\\evil", "backslash");
    expect(Fixtures.archive(NONE_PKL, "m//evil", NONE_PKL), "m//evil", "empty segment");
    expect(Fixtures.archive(NONE_PKL, "m/./evil", NONE_PKL), "m/./evil", "'.' segment");
  }

  @Test
  void duplicateNames() {
    expect(Fixtures.archive(NONE_PKL, "m/data.pkl", NONE_PKL), "m/data.pkl", "duplicate entry name");
  }

  @Test
  void entriesOutsideTheRootFolder() {
    expect(Fixtures.archive(NONE_PKL, "other/x", NONE_PKL), "other/x", "outside the root folder 'm'");
    expect(new ZipBytes().stored("version", Fixtures.VERSION), "version", "not inside a root folder");
  }

  @Test
  void tooManyEntries() {
    ZipBytes z = Fixtures.archive(NONE_PKL);
    for (int i = 0; i < 20; i++) z.stored("m/extra/" + i, new byte[0]);
    Fixtures.expectError(dir, z, ArchiveLimits.DEFAULT.withMaxEntries(10), TorchArchiveException.class, null,
        "has 22 entries, more than the limit of 10");
  }

  @Test
  void zipBombByRatio() {
    // 16 MiB of zeros deflate to ~16 KiB: a 1000:1 ratio.
    ZipBytes z = Fixtures.archive(NONE_PKL).deflated("m/data/0", new byte[16 << 20]);
    expect(z, "m/data/0", "compression ratio");
  }

  @Test
  void zipBombByDeclaredSize() {
    // A few compressed bytes declaring 4 GiB: refused by ratio, and by the total budget when the
    // ratio check is relaxed, before anything is inflated.
    ZipBytes z = Fixtures.archive(NONE_PKL).deflated("m/data/0", new byte[100], 0xfffffff0L);
    expect(z, "m/data/0", "compression ratio");
    ArchiveLimits lax = new ArchiveLimits(100_000, 1L << 30, Long.MAX_VALUE, 1 << 20, 1 << 20, 1 << 16, 1 << 16, 64,
        1L << 30);
    Fixtures.expectError(dir, z, lax, TorchArchiveException.class, "m/data/0", "total more than the budget");
  }

  @Test
  void entryThatInflatesPastItsDeclaredSize() {
    byte[] big = PickleBytes.proto2().str("x".repeat(1000)).stop().bytes();
    ZipBytes z = new ZipBytes().stored("m/version", Fixtures.VERSION).deflated("m/data.pkl", big, 10);
    expect(z, "m/data.pkl", "inflates past its declared size of 10 bytes");
    ZipBytes shorter = new ZipBytes().stored("m/version", Fixtures.VERSION).deflated("m/data.pkl", big, 5000);
    expect(shorter, "m/data.pkl", "truncated: 1008 of 5000");
  }

  @Test
  void corruptDirectoryAndGarbage() {
    expect(ZipBytes.raw("not a zip at all".getBytes(StandardCharsets.US_ASCII)), null, "not a valid zip archive");
    byte[] good = Fixtures.archive(NONE_PKL).bytes();
    for (int cut : new int[] {good.length - 1, good.length - 10, good.length - 30, good.length / 2}) {
      byte[] truncated = java.util.Arrays.copyOf(good, cut);
      expect(ZipBytes.raw(truncated), null, "zip");
    }
    byte[] badCen = good.clone();
    int cen = indexOf(badCen, new byte[] {0x50, 0x4b, 0x01, 0x02});
    badCen[cen + 10] = 99; // compression method 99
    expect(ZipBytes.raw(badCen), null, "zip");
  }

  @Test
  void missingPiecesAreNamed() {
    expect(new ZipBytes().stored("m/data.pkl", NONE_PKL), "m/version", "missing");
    expect(new ZipBytes().stored("m/version", Fixtures.VERSION), "m/data.pkl", "entry is missing");
    expect(new ZipBytes().stored("m/version", "x3".getBytes(StandardCharsets.US_ASCII)).stored("m/data.pkl", NONE_PKL),
        "m/version", "not a decimal version number");
    expect(Fixtures.archive(NONE_PKL, "m/code/__torch__/a.py", new byte[] {(byte) 0xff}), "m/code/__torch__/a.py",
        "not valid UTF-8");
  }

  @Test
  void versionUnderDataFolderAndRootNotNamedArchive() throws Exception {
    ZipBytes z = new ZipBytes().stored("my_model/.data/version", "10\n".getBytes(StandardCharsets.US_ASCII))
        .stored("my_model/data.pkl", NONE_PKL)
        .deflated("my_model/code/__torch__/m.py", "def f(x):\n  return x\n".getBytes(StandardCharsets.UTF_8));
    Path file = Fixtures.write(dir, "ok.pt", z.bytes());
    try (TorchArchive a = TorchArchive.open(file)) {
      assertEquals("my_model", a.rootFolder());
      assertEquals(10, a.formatVersion());
      assertEquals(PyNone.NONE, a.data());
      assertEquals(List.of(), a.constants());
      assertEquals(List.of("__torch__/m.py"), List.copyOf(a.code().keySet()));
      assertEquals("def f(x):\n  return x\n", a.code().get("__torch__/m.py"));
      assertTrue(a.debugInfo("__torch__/m.py").isEmpty());
    }
    assertEquals(List.of("", "ok.pt"), Fixtures.listing(dir));
  }

  @Test
  void notAFile() {
    TorchArchiveException e = org.junit.jupiter.api.Assertions.assertThrows(TorchArchiveException.class,
        () -> TorchArchive.open(dir));
    assertTrue(e.getMessage().contains("not a readable file"), e.getMessage());
    org.junit.jupiter.api.Assertions.assertThrows(TorchArchiveException.class,
        () -> TorchArchive.open(dir.resolve("missing.pt")));
  }

  @Test
  void badNameRules() {
    assertEquals(null, SafeZip.badName("archive/code/__torch__/a.py"));
    assertEquals(null, SafeZip.badName("archive/data/"));
    assertTrue(SafeZip.badName("a/..").contains(".."));
    assertTrue(SafeZip.badName("a/b:c").contains(":"));
    assertTrue(SafeZip.badName("a/\u0000b").contains("control"));
  }

  private static int indexOf(byte[] b, byte[] pat) {
    outer:
    for (int i = 0; i + pat.length <= b.length; i++) {
      for (int j = 0; j < pat.length; j++) if (b[i + j] != pat[j]) continue outer;
      return i;
    }
    throw new AssertionError("pattern not found");
  }
}
