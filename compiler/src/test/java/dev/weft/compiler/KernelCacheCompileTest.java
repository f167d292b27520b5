package dev.weft.compiler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.bundle.DType;
import dev.weft.bundle.Tensor;
import dev.weft.compiler.cache.CacheStats;
import dev.weft.compiler.cache.KernelCache;
import dev.weft.ir.Graph;
import dev.weft.ir.GraphBuilder;
import dev.weft.ir.Module;
import dev.weft.ir.TensorType;
import dev.weft.ir.Value;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A CPU compile twice against a fresh cache folder: the second is all hits and writes the same bundle bytes. */
class KernelCacheCompileTest {
  @TempDir Path tmp;
  private String before;

  @BeforeEach
  void useTempCache() {
    before = System.getProperty("weft.cache");
    System.setProperty("weft.cache", tmp.resolve("cache").toString());
  }

  @AfterEach
  void restore() {
    if (before == null) System.clearProperty("weft.cache");
    else System.setProperty("weft.cache", before);
  }

  @Test
  void secondCompileIsAllHitsWithIdenticalBytesAndDamageIsRecompiled() throws Exception {
    Map<String, String> first = compile("b1");
    CacheStats cold = KernelCache.lastBuild();
    assertEquals(0, cold.hits(), "empty cache: " + cold);
    assertTrue(last.built().kernelNotes().values().stream().allMatch(n -> n.startsWith("cache=miss llvm_ms=")), last.built().kernelNotes().toString());
    assertTrue(cold.misses() >= 3, "several kernels (and the ABI object) compiled: " + cold);

    Map<String, String> second = compile("b2");
    CacheStats warm = KernelCache.lastBuild();
    assertEquals(new CacheStats(cold.misses(), 0, 0), warm, "every object from the cache");
    assertEquals(first, second, "same bundle bytes, file by file");
    assertEquals(last.lowered().kernels().size(), last.built().kernelNotes().size(), last.built().kernelNotes().toString());
    assertTrue(last.built().kernelNotes().values().stream().allMatch("cache=hit"::equals), last.built().kernelNotes().toString());

    Path entry;
    try (Stream<Path> s = Files.walk(tmp.resolve("cache"))) {
      entry = s.filter(p -> p.toString().endsWith(".bin")).sorted().findFirst().orElseThrow();
    }
    byte[] raw = Files.readAllBytes(entry);
    raw[raw.length / 2] ^= 0x01;
    Files.write(entry, raw);
    Map<String, String> third = compile("b3");
    CacheStats repaired = KernelCache.lastBuild();
    assertEquals(new CacheStats(cold.misses() - 1, 1, 1), repaired, "the damaged entry detected and recompiled");
    assertEquals(first, third);
    compile("b4");
    assertEquals(new CacheStats(cold.misses(), 0, 0), KernelCache.lastBuild(), "the damaged entry was rewritten");
  }

  /** GPU backends cache their whole linked emission (PTX; AMDGPU object): one entry, hit the second time. */
  @Test
  void gpuLinkedEmissionIsCachedWhole() {
    for (String target : List.of("cuda:sm_90", "rocm:gfx942")) {
      CompileOptions options = new CompileOptions(target, ShapeProfile.NONE, null, "fp32");
      Compiler.Compilation a = Compiler.compile(model(), options, null);
      assertEquals(new CacheStats(0, 1, 0), KernelCache.lastBuild(), target);
      Compiler.Compilation b = Compiler.compile(model(), options, null);
      assertEquals(new CacheStats(1, 0, 0), KernelCache.lastBuild(), target);
      assertEquals(a.built().images().size(), b.built().images().size());
      for (int i = 0; i < a.built().images().size(); i++) {
        assertTrue(java.util.Arrays.equals(a.built().images().get(i).bytes(), b.built().images().get(i).bytes()), target + " image " + i);
      }
      assertTrue(b.built().kernelNotes().values().stream().allMatch(n -> n.startsWith("cache=hit")), b.built().kernelNotes().toString());
    }
  }

  @Test
  void offSwitchCompilesEverything() {
    System.setProperty("weft.cache", "off");
    compile("o1");
    compile("o2");
    CacheStats s = KernelCache.lastBuild();
    assertEquals(0, s.hits());
    assertTrue(s.misses() >= 3, s.toString());
  }

  private Compiler.Compilation last;

  private Map<String, String> compile(String name) {
    Compiler.Compilation c = Compiler.compile(model(), CompileOptions.cpu(), null);
    last = c;
    Path dir = tmp.resolve(name);
    BundleOutput.write(c, dir);
    return digests(dir);
  }

  /** x[4,16] -> matmul -> add bias -> tanh -> matmul -> softmax: a handful of kernels. */
  private static Module model() {
    Graph g = new Graph("m");
    Value x = g.addInput("x", TensorType.of(DType.F32, 4, 16));
    GraphBuilder b = new GraphBuilder(g);
    Value h = b.op1("matmul", x, b.constant(random(1, 16, 32)));
    Value t = b.op1("tanh", b.op1("add", h, b.constant(random(2, 32))));
    Value y = b.op1("matmul", t, b.constant(random(3, 32, 8)));
    Value s = b.op1("softmax", Map.of("axis", dev.weft.ir.Attribute.of(-1L)), y);
    g.addOutput(s);
    return new Module(g);
  }

  private static Tensor random(long seed, long... shape) {
    Random r = new Random(seed);
    Tensor t = Tensor.zeros(DType.F32, shape);
    for (long i = 0; i < t.size(); i++) t.setDouble(i, r.nextGaussian());
    return t;
  }

  static Map<String, String> digests(Path dir) {
    Map<String, String> out = new TreeMap<>();
    try (Stream<Path> s = Files.walk(dir)) {
      for (Path p : s.filter(Files::isRegularFile).toList()) {
        out.put(dir.relativize(p).toString(), HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(p))));
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
    assertTrue(out.containsKey("manifest.json"), "a bundle was written: " + out.keySet());
    return out;
  }
}
