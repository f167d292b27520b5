package dev.weft.bundle;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.bundle.manifest.DimRange;
import dev.weft.bundle.manifest.KernelImage;
import dev.weft.bundle.manifest.Manifest;
import dev.weft.bundle.manifest.ManifestJson;
import dev.weft.bundle.manifest.Mesh;
import dev.weft.bundle.manifest.RankEntry;
import dev.weft.bundle.manifest.ShapeProfile;
import dev.weft.bundle.manifest.Target;
import dev.weft.bundle.manifest.TensorSpec;
import dev.weft.bundle.manifest.Toolchain;
import dev.weft.bundle.program.Buffer;
import dev.weft.bundle.program.Program;
import dev.weft.bundle.program.Step;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BundleWriterTest {
  @Test
  void sha256MatchesTheStandardTestVector() {
    assertEquals("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
        FileHashes.sha256("abc".getBytes(java.nio.charset.StandardCharsets.US_ASCII)));
  }

  private static Manifest write(Path dir, boolean reversed) {
    BundleWriter w = BundleWriter.create(dir);
    Program p = Program.builder().arenaBytes(0)
        .buffer(Buffer.input("x", DType.F32, List.of(DimExpr.symbol("n")), 64))
        .buffer(Buffer.weight("w", DType.F32, Buffer.dims(2), 8))
        .buffer(Buffer.output("y", DType.F32, List.of(DimExpr.symbol("n")), 64))
        .dim("n", "x", 0)
        .step(Step.Launch.host("weft_g0", List.of("x", "w", "y"), List.of("n"), DimExpr.symbol("n")))
        .build();
    LinkedHashMap<String, Tensor> weights = new LinkedHashMap<>();
    weights.put("w", Tensor.ofFloats(new long[] {2}, 1f, 2f));
    weights.put("v", Tensor.ofLongs(new long[] {1}, 3));
    List<Runnable> writes = new ArrayList<>(List.of(
        () -> w.writeProgram(0, p),
        () -> w.writeWeights(0, weights),
        () -> w.writeBytes("ranks/0/kernels.so", new byte[] {0x7f, 'E', 'L', 'F'}),
        () -> w.writeString("ir/00-import.wir", "module {}\n")));
    if (reversed) java.util.Collections.reverse(writes);
    writes.forEach(Runnable::run);
    Manifest m = new Manifest(1, "0.1.0", Target.of("cpu", "x86_64"), Toolchain.of("t", Map.of("kernel_abi", "1")),
        Mesh.single(), List.of(new TensorSpec("x", DType.F32, List.of(DimExpr.symbol("n")))),
        List.of(new TensorSpec("y", DType.F32, List.of(DimExpr.symbol("n")))),
        List.of(new ShapeProfile("p", new TreeMap<>(Map.of("n", DimRange.of(1, 16))))), Map.of(),
        List.of(RankEntry.standard(0, 0, List.of(new KernelImage("ranks/0/kernels.so", "so", "x86_64")), true)));
    return w.finish(m);
  }

  private static Map<String, byte[]> contents(Path root) throws IOException {
    Map<String, byte[]> out = new TreeMap<>();
    try (Stream<Path> s = Files.walk(root)) {
      for (Path p : s.filter(Files::isRegularFile).toList()) out.put(root.relativize(p).toString(), Files.readAllBytes(p));
    }
    return out;
  }

  @Test
  void sameInputsGiveTheSameBytesInAnyWriteOrder(@TempDir Path tmp) throws IOException {
    Manifest a = write(tmp.resolve("a"), false);
    Manifest b = write(tmp.resolve("b"), true);
    assertEquals(a, b);
    Map<String, byte[]> ca = contents(tmp.resolve("a"));
    Map<String, byte[]> cb = contents(tmp.resolve("b"));
    assertEquals(ca.keySet(), cb.keySet());
    for (String k : ca.keySet()) assertArrayEquals(ca.get(k), cb.get(k), k);
    assertEquals(List.of("ir/00-import.wir", "manifest.json", "ranks/0/kernels.so", "ranks/0/program.json",
        "ranks/0/weights.safetensors"), List.copyOf(ca.keySet()));
    // The recorded hashes are those of the files on disk, and the manifest reads back.
    for (Map.Entry<String, String> e : a.files().entrySet()) {
      assertEquals(FileHashes.sha256(ca.get(e.getKey())), e.getValue(), e.getKey());
    }
    assertEquals(a, ManifestJson.read(ca.get("manifest.json")));
    assertTrue(!new String(ca.get("manifest.json")).contains(tmp.toString()), "no absolute paths");
  }

  @Test
  void refusesPathsThatLeaveTheBundle(@TempDir Path tmp) {
    BundleWriter w = BundleWriter.create(tmp.resolve("b"));
    for (String bad : List.of("../x", "a/../../x", "/etc/x", "a//b", "./a", "a\\b", "C:/x", "")) {
      BundleException e = assertThrows(BundleException.class, () -> w.writeBytes(bad, new byte[1]), bad);
      assertTrue(e.getMessage().startsWith("refusing to write"), e.getMessage());
    }
    assertThrows(BundleException.class, () -> w.writeBytes("manifest.json", new byte[1]));
    w.writeBytes("a", new byte[1]);
    assertThrows(BundleException.class, () -> w.writeBytes("a", new byte[1]));
    assertTrue(Files.notExists(tmp.resolve("x")));
  }

  @Test
  void refusesASymlinkedFolderLeadingOut(@TempDir Path tmp) throws IOException {
    Path outside = Files.createDirectories(tmp.resolve("outside"));
    BundleWriter w = BundleWriter.create(tmp.resolve("b"));
    Files.createSymbolicLink(tmp.resolve("b/ranks"), outside);
    BundleException e = assertThrows(BundleException.class, () -> w.writeBytes("ranks/0/x", new byte[1]));
    assertTrue(e.getMessage().contains("resolves outside the bundle"), e.getMessage());
  }

  @Test
  void refusesANonEmptyDirectory(@TempDir Path tmp) throws IOException {
    Files.writeString(tmp.resolve("stale"), "x");
    BundleException e = assertThrows(BundleException.class, () -> BundleWriter.create(tmp));
    assertTrue(e.getMessage().endsWith("bundle directory is not empty"));
  }

  @Test
  void finishRefusesRankFilesNeverWritten(@TempDir Path tmp) {
    BundleWriter w = BundleWriter.create(tmp.resolve("b"));
    w.writeBytes("ranks/0/program.json", new byte[1]);
    Manifest m = new Manifest(1, "0", Target.of("cpu", "x86_64"), Toolchain.of("t", Map.of()), Mesh.single(), List.of(),
        List.of(), List.of(), Map.of(), List.of(RankEntry.standard(0, 0, List.of(), true)));
    BundleException e = assertThrows(BundleException.class, () -> w.finish(m));
    assertTrue(e.getMessage().contains("ranks/0/weights.safetensors"), e.getMessage());
  }
}
