package dev.weft.runtime;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.bundle.BundleException;
import dev.weft.bundle.DType;
import dev.weft.bundle.Tensor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CpuSessionTest {
  @TempDir static Path tmp;
  static Path kernelsSo;
  static Path bundleDir;

  @BeforeAll
  static void build() throws Exception {
    kernelsSo = NativeBuild.sharedLibrary(tmp, "kernels.so", TestBundles.KERNELS_C);
    bundleDir = TestBundles.writeCpu(tmp.resolve("bundle"), kernelsSo, 1);
  }

  private static void assertOutputs(Map<String, Tensor> in, Map<String, Tensor> out) {
    Map<String, float[]> want = TestBundles.expected(in);
    assertEquals(List.of("rows", "sum"), List.copyOf(out.keySet()));
    long batch = in.get("x").dim(0);
    long n = in.get("x").dim(1);
    assertArrayEquals(new long[] {batch}, out.get("rows").shape());
    assertArrayEquals(new long[] {batch, n}, out.get("sum").shape());
    assertArrayEquals(want.get("rows"), out.get("rows").toFloatArray());
    assertArrayEquals(want.get("sum"), out.get("sum").toFloatArray());
  }

  @Test
  void runsTheProgramForSeveralShapes() {
    try (Bundle b = Bundle.load(bundleDir); Session s = b.session("cpu")) {
      for (int[] shape : new int[][] {{1, 1}, {3, 5}, {8, 16}, {2, 16}, {8, 1}}) {
        Map<String, Tensor> in = TestBundles.inputs(shape[0], shape[1], shape[0] * 31L + shape[1]);
        assertOutputs(in, s.run(in));
      }
    }
  }

  @Test
  void timedRunReportsEveryStepOnceAndComputesTheSame() {
    try (Bundle b = Bundle.load(bundleDir); Session s = b.session("cpu")) {
      int steps = b.program(s.rank()).steps().size();
      Map<String, Tensor> in = TestBundles.inputs(3, 5, 7);
      List<Integer> seen = new ArrayList<>();
      Map<String, Tensor> out = s.run(in, (step, nanos) -> {
        assertTrue(nanos >= 0, "step " + step + " took " + nanos + " ns");
        seen.add(step);
      });
      assertOutputs(in, out);
      List<Integer> all = new ArrayList<>();
      for (int i = 0; i < steps; i++) all.add(i);
      assertEquals(all, seen, "each step, in program order");
    }
  }

  @Test
  void oneSessionServesManyThreads() throws Exception {
    try (Bundle b = Bundle.load(bundleDir); Session s = b.session("cpu")) {
      ExecutorService pool = Executors.newFixedThreadPool(8);
      try {
        List<Future<Integer>> results = new ArrayList<>();
        for (int t = 0; t < 8; t++) {
          int thread = t;
          results.add(pool.submit(() -> {
            for (int i = 0; i < 50; i++) {
              // Different shapes per run, so runs that shared memory would corrupt each other.
              int batch = 1 + (thread + i) % 8;
              int n = 1 + (thread * 7 + i) % 16;
              Map<String, Tensor> in = TestBundles.inputs(batch, n, thread * 1000L + i);
              assertOutputs(in, s.run(in));
            }
            return 50;
          }));
        }
        int total = 0;
        for (Future<Integer> f : results) total += f.get();
        assertEquals(400, total);
      } finally {
        pool.shutdownNow();
      }
    }
  }

  @Test
  void singleThreadedDeviceGivesTheSameResults() {
    try (Bundle b = Bundle.load(bundleDir); Session s = b.session("cpu", 0, Map.of("threads", "1"))) {
      Map<String, Tensor> in = TestBundles.inputs(7, 9, 5);
      assertOutputs(in, s.run(in));
    }
  }

  @Test
  void wrongInputsNameTheInputAndAxis() {
    try (Bundle b = Bundle.load(bundleDir); Session s = b.session("cpu")) {
      Map<String, Tensor> in = TestBundles.inputs(3, 5, 1);
      Map<String, Tensor> mismatched = new LinkedHashMap<>(in);
      mismatched.put("z", Tensor.zeros(DType.F32, 3, 6));
      assertEquals("input \"z\" axis 1 is 6 but n = 5 from input \"x\" axis 1",
          assertThrows(InputMismatchException.class, () -> s.run(mismatched)).getMessage());

      Map<String, Tensor> tooBig = TestBundles.inputs(9, 5, 1);
      assertEquals("input \"x\" axis 0 (batch = 9) is outside every shape profile: default allows batch 1..8",
          assertThrows(InputMismatchException.class, () -> s.run(tooBig)).getMessage());

      Map<String, Tensor> rank3 = new LinkedHashMap<>(in);
      rank3.put("x", Tensor.zeros(DType.F32, 3, 5, 1));
      assertEquals("input \"x\" has rank 3 [3, 5, 1], the bundle expects rank 2 [batch, n]",
          assertThrows(InputMismatchException.class, () -> s.run(rank3)).getMessage());

      Map<String, Tensor> wrongType = new LinkedHashMap<>(in);
      wrongType.put("x", Tensor.zeros(DType.F64, 3, 5));
      assertEquals("input \"x\" is float64, the bundle expects float32",
          assertThrows(InputMismatchException.class, () -> s.run(wrongType)).getMessage());

      Map<String, Tensor> missing = new LinkedHashMap<>(in);
      missing.remove("z");
      assertEquals("missing input \"z\" (float32 [batch, n])",
          assertThrows(InputMismatchException.class, () -> s.run(missing)).getMessage());

      Map<String, Tensor> extra = new LinkedHashMap<>(in);
      extra.put("q", Tensor.zeros(DType.F32, 1));
      assertTrue(assertThrows(InputMismatchException.class, () -> s.run(extra)).getMessage().startsWith("unknown input \"q\""));
      // The session still works after refused runs.
      assertOutputs(in, s.run(in));
    }
  }

  @Test
  void tamperedFileIsRefusedByName() throws IOException {
    Path copy = copyBundle("tampered");
    Path weights = copy.resolve("ranks/0/weights.safetensors");
    byte[] bytes = Files.readAllBytes(weights);
    bytes[bytes.length - 1] ^= 1;
    Files.write(weights, bytes);
    HashMismatchException e = assertThrows(HashMismatchException.class, () -> Bundle.load(copy));
    assertEquals("ranks/0/weights.safetensors", e.file());
    assertTrue(e.getMessage().startsWith("ranks/0/weights.safetensors: sha256 "), e.getMessage());
  }

  @Test
  void missingFileOfALocalRankIsNamed() throws IOException {
    Path copy = copyBundle("missing");
    Files.delete(copy.resolve("ranks/0/kernels.so"));
    BundleException e = assertThrows(BundleException.class, () -> Bundle.load(copy));
    assertTrue(e.getMessage().startsWith("ranks/0/kernels.so: missing from the bundle"), e.getMessage());
  }

  @Test
  void anotherRanksFolderMayBeAbsent() throws IOException {
    Path two = TestBundles.writeCpu(tmp.resolve("two-ranks"), kernelsSo, 2);
    deleteTree(two.resolve("ranks/1"));
    try (Bundle b = Bundle.load(two)) {
      assertEquals(List.of(0), b.localRanks());
      try (Session s = b.session("cpu")) {
        Map<String, Tensor> in = TestBundles.inputs(4, 4, 9);
        assertOutputs(in, s.run(in));
      }
    }
  }

  @Test
  void aBundleForAnotherTargetIsRefusedBeforeDeviceWork() throws IOException {
    Path copy = copyBundle("other-target");
    Path m = copy.resolve("manifest.json");
    String text = Files.readString(m).replace("\"arch\": \"" + dev.weft.runtime.cpu.CpuTestAccess.hostArch() + "\",\n    \"options\"",
        "\"arch\": \"riscv64\",\n    \"options\"").replace("\"kernel_abi\": \"1\"", "\"kernel_abi\": \"2\"");
    Files.writeString(m, text);
    try (Bundle b = Bundle.load(copy)) {
      BundleMismatchException e = assertThrows(BundleMismatchException.class, () -> b.session("cpu"));
      assertEquals(List.of("kernel ABI 2, this runtime speaks 1",
          "target arch riscv64, this host is " + dev.weft.runtime.cpu.CpuTestAccess.hostArch()), e.differences());
      BundleMismatchException kind = assertThrows(BundleMismatchException.class, () -> b.session(new FakeDevice("cuda")));
      assertTrue(kind.differences().get(0).startsWith("bundle targets cpu riscv64, the device is cuda"), kind.getMessage());
    }
  }

  @Test
  void unknownDeviceKindIsATypedError() {
    try (Bundle b = Bundle.load(bundleDir)) {
      DeviceUnavailableException e = assertThrows(DeviceUnavailableException.class, () -> b.session("tpu"));
      assertTrue(e.getMessage().startsWith("no device kind \"tpu\" (available: "), e.getMessage());
    }
  }

  @Test
  void closedSessionRefusesRuns() {
    try (Bundle b = Bundle.load(bundleDir)) {
      Session s = b.session("cpu");
      s.close();
      assertThrows(IllegalStateException.class, () -> s.run(TestBundles.inputs(1, 1, 1)));
    }
  }

  @Test
  void badKernelLibrariesAreNamedErrors() throws Exception {
    Path garbage = Files.write(tmp.resolve("garbage.so"), new byte[] {1, 2, 3, 4});
    try (Bundle b = Bundle.load(TestBundles.writeCpu(tmp.resolve("garbage-bundle"), garbage, 1))) {
      BundleException e = assertThrows(BundleException.class, () -> b.session("cpu"));
      assertTrue(e.getMessage().startsWith("ranks/0/kernels.so: cannot be loaded as a shared library"), e.getMessage());
    }
    Path noAbi = NativeBuild.sharedLibrary(tmp, "noabi.so", "void weft_add(void) {}\n");
    try (Bundle b = Bundle.load(TestBundles.writeCpu(tmp.resolve("noabi-bundle"), noAbi, 1))) {
      assertEquals("ranks/0/kernels.so: no weft_abi_version symbol (not a Weft kernel library)",
          assertThrows(BundleException.class, () -> b.session("cpu")).getMessage());
    }
    Path missing = NativeBuild.sharedLibrary(tmp, "missing.so",
        TestBundles.KERNELS_C.replace("void weft_rowsum(", "void weft_rowsum_renamed("));
    try (Bundle b = Bundle.load(TestBundles.writeCpu(tmp.resolve("missing-bundle"), missing, 1))) {
      assertEquals("ranks/0/kernels.so: no kernel symbol weft_rowsum",
          assertThrows(BundleException.class, () -> b.session("cpu")).getMessage());
    }
  }

  @Test
  void weightsThatDoNotMatchTheProgramAreNamed() throws IOException {
    Path copy = copyBundle("bad-weights");
    Path w = copy.resolve("ranks/0/weights.safetensors");
    dev.weft.bundle.safetensors.Safetensors.write(w, Map.of("w", Tensor.of(DType.F32, new long[] {2}, 1, 2)));
    // Re-record the hash so the load gets past the integrity check to the content check.
    Path m = copy.resolve("manifest.json");
    String text = Files.readString(m);
    String old;
    try (Bundle original = Bundle.load(bundleDir)) {
      old = original.manifest().files().get("ranks/0/weights.safetensors");
    }
    Files.writeString(m, text.replace(old, dev.weft.bundle.FileHashes.sha256(w)));
    try (Bundle b = Bundle.load(copy)) {
      assertEquals("ranks/0/weights.safetensors: tensor \"w\" is float32[2], the program's buffer is bfloat16[2]",
          assertThrows(BundleException.class, () -> b.session("cpu")).getMessage());
    }
  }

  private static Path copyBundle(String name) throws IOException {
    Path dst = tmp.resolve(name);
    try (var walk = Files.walk(bundleDir)) {
      for (Path p : walk.toList()) {
        Path t = dst.resolve(bundleDir.relativize(p).toString());
        if (Files.isDirectory(p)) Files.createDirectories(t);
        else Files.copy(p, t);
      }
    }
    return dst;
  }

  private static void deleteTree(Path p) throws IOException {
    try (var walk = Files.walk(p)) {
      for (Path q : walk.sorted(java.util.Comparator.reverseOrder()).toList()) Files.delete(q);
    }
  }
}
