package dev.weft.bundle.manifest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.bundle.DType;
import dev.weft.bundle.DimExpr;
import dev.weft.bundle.json.JsonException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class ManifestJsonTest {
  static final String HASH = "a".repeat(64);

  static Manifest sample() {
    TreeMap<String, String> files = new TreeMap<>(Map.of(
        "ranks/0/program.json", HASH, "ranks/0/kernels.so", HASH, "ranks/0/weights.safetensors", HASH,
        "ranks/1/program.json", HASH, "ranks/1/kernels.so", HASH, "ir/00-import.wir", HASH));
    List<KernelImage> k0 = List.of(new KernelImage("ranks/0/kernels.so", "so", "x86_64"));
    List<KernelImage> k1 = List.of(new KernelImage("ranks/1/kernels.so", "so", "x86_64"));
    return new Manifest(1, "0.1.0", Target.of("cpu", "x86_64", Map.of("os", "linux")),
        Toolchain.of("f".repeat(64), Map.of("llvm", "20.1.7", "kernel_abi", "1")), new Mesh(1, 2),
        List.of(new TensorSpec("x", DType.F32, List.of(DimExpr.symbol("batch"), DimExpr.of(4)))),
        List.of(new TensorSpec("y", DType.F32, List.of(DimExpr.symbol("batch")))),
        List.of(new ShapeProfile("default", new TreeMap<>(Map.of("batch", new DimRange(1, 8, 64))))), files,
        List.of(RankEntry.standard(0, 0, k0, true), new RankEntry(1, 0, 1, "ranks/1", "ranks/1/program.json", k1, null)));
  }

  @Test
  void roundTripsExactly() {
    Manifest m = sample();
    String text = ManifestJson.write(m);
    Manifest back = ManifestJson.read(text.getBytes(StandardCharsets.UTF_8));
    assertEquals(m, back);
    assertEquals(text, ManifestJson.write(back));
    assertTrue(text.startsWith("{\n  \"format_version\": 1,\n  \"compiler_version\": \"0.1.0\",\n  \"target\": {"), text);
    // Files are sorted by path whatever order they were given in.
    assertTrue(text.indexOf("\"ir/00-import.wir\"") < text.indexOf("\"ranks/0/kernels.so\""));
  }

  @Test
  void builderMakesTheSameManifestWithAnEmptyFileTable() {
    Manifest m = sample();
    Manifest.Builder b = Manifest.builder().compilerVersion(m.compilerVersion()).target(m.target()).toolchain(m.toolchain())
        .mesh(m.mesh());
    m.inputs().forEach(b::input);
    m.outputs().forEach(b::output);
    m.profiles().forEach(b::profile);
    m.ranks().forEach(b::rank);
    Manifest built = b.build();
    assertTrue(built.files().isEmpty());
    assertEquals(m, built.withFiles(m.files()));
  }

  private static String error(String text) {
    return assertThrows(JsonException.class, () -> ManifestJson.read(text.getBytes(StandardCharsets.UTF_8))).getMessage();
  }

  @Test
  void newerFormatIsRefusedByVersion() {
    String text = ManifestJson.write(sample()).replace("\"format_version\": 1", "\"format_version\": 2");
    assertEquals("manifest.json: format_version: bundle format 2 is not supported (this runtime reads format 1)", error(text));
  }

  @Test
  void pathsThatLeaveTheBundleAreRefused() {
    String text = ManifestJson.write(sample()).replace("\"ir/00-import.wir\"", "\"ir/../../etc/passwd\"");
    assertEquals("manifest.json: files: \"ir/../../etc/passwd\": '..' segment in path", error(text));
    String abs = ManifestJson.write(sample()).replace("\"ir/00-import.wir\"", "\"/etc/passwd\"");
    assertEquals("manifest.json: files: \"/etc/passwd\": absolute path", error(abs));
  }

  @Test
  void rankFilesMustBeListedAndInsideTheRankFolder() {
    String text = ManifestJson.write(sample()).replace("\"weights\": \"ranks/0/weights.safetensors\"",
        "\"weights\": \"ranks/1/program.json\"");
    assertEquals("manifest.json: ranks[0]: \"ranks/1/program.json\" is not inside ranks/0", error(text));
  }

  @Test
  void profilesMustCoverEverySymbolicDim() {
    String text = ManifestJson.write(sample()).replace("\"batch\": {", "\"batsh\": {");
    assertEquals("manifest.json: profiles: \"default\" has no range for dim \"batch\"", error(text));
  }
}
