package dev.weft.testsuite;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.api.Weft;
import dev.weft.compiler.CompileOptions;
import dev.weft.compiler.ShapeProfile;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The same model and flags give the same bundle bytes: in two fresh JVMs (no shared JIT,
 * hash-seed or LLVM state; kernel cache off, so both really compile), in a third with a kernel
 * cache filled by an earlier compile, and twice in this JVM. Compares every file's sha256 and
 * the manifest.json bytes (which hold the other files' hashes).
 */
class BundleDeterminismTest {
  @TempDir Path tmp;

  /** The gpt corpus model when present (the brief's benchmark), else the checked-in MLP example. */
  private record Subject(Path model, String shapes) { }

  private static Subject subject() {
    Path gpt = Corpus.root().resolve("models/gpt/gpt_opset17.onnx");
    if (Files.isRegularFile(gpt)) return new Subject(gpt, "input_ids=1x64");
    String repo = System.getProperty("weft.root", ".");
    Path mlp = Path.of(repo).resolve("examples/mlp/model.wir").toAbsolutePath().normalize();
    System.out.println("[weft] no gpt corpus model at " + gpt + ": determinism checked on " + mlp);
    return new Subject(mlp, null);
  }

  @Test
  void twoFreshJvmsAndAWarmCacheWriteIdenticalBundles() throws Exception {
    Subject s = subject();
    Path cache = tmp.resolve("cache");
    Map<String, String> a = digests(compileInFreshJvm(s, tmp.resolve("a"), "off"));
    Map<String, String> b = digests(compileInFreshJvm(s, tmp.resolve("b"), "off"));
    assertEquals(a, b, "two fresh JVMs, cache off");
    assertArrayEquals(Files.readAllBytes(tmp.resolve("a/manifest.json")), Files.readAllBytes(tmp.resolve("b/manifest.json")));
    compileInFreshJvm(s, tmp.resolve("fill"), cache.toString());
    Map<String, String> c = digests(compileInFreshJvm(s, tmp.resolve("c"), cache.toString()));
    assertEquals(a, c, "a compile served by the kernel cache");
  }

  @Test
  void twoCompilesInOneJvmWriteIdenticalBundles() {
    Subject s = subject();
    String before = System.getProperty("weft.cache");
    System.setProperty("weft.cache", "off");
    try {
      CompileOptions options = new CompileOptions("cpu", s.shapes() == null ? ShapeProfile.NONE : ShapeProfile.parse(s.shapes()), null, "fp32");
      Weft.compile(s.model(), options, tmp.resolve("x"));
      Weft.compile(s.model(), options, tmp.resolve("y"));
    } finally {
      if (before == null) System.clearProperty("weft.cache");
      else System.setProperty("weft.cache", before);
    }
    assertEquals(digests(tmp.resolve("x")), digests(tmp.resolve("y")));
  }

  /** Runs `weft compile` as a new JVM on this test's class path. */
  private static Path compileInFreshJvm(Subject s, Path out, String cache) throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>(List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "--enable-native-access=ALL-UNNAMED", "--sun-misc-unsafe-memory-access=allow", "-Xss16m", "-Xmx2g",
        "-Dweft.cache=" + cache,
        "-cp", System.getProperty("java.class.path"),
        "dev.weft.cli.Main", "compile", s.model().toString(), "-o", out.toString(), "--quiet"));
    if (s.shapes() != null) cmd.addAll(List.of("--shapes", s.shapes()));
    Path log = Files.createTempFile("weft-compile", ".log");
    try {
      Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
      if (!p.waitFor(300, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new AssertionError("compile in a fresh JVM took over 300 s: " + Files.readString(log));
      }
      assertEquals(0, p.exitValue(), "weft compile failed:\n" + Files.readString(log));
    } finally {
      Files.deleteIfExists(log);
    }
    return out;
  }

  private static Map<String, String> digests(Path dir) {
    Map<String, String> out = new TreeMap<>();
    try (Stream<Path> s = Files.walk(dir)) {
      for (Path p : s.filter(Files::isRegularFile).toList()) {
        out.put(dir.relativize(p).toString(), HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(p))));
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
    assertTrue(out.containsKey("manifest.json") && out.size() > 2, "a bundle was written in " + dir + ": " + out.keySet());
    return out;
  }
}
