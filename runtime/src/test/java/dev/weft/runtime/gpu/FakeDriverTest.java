package dev.weft.runtime.gpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.bundle.Tensor;
import dev.weft.runtime.Bundle;
import dev.weft.runtime.BundleMismatchException;
import dev.weft.runtime.DeviceException;
import dev.weft.runtime.DeviceUnavailableException;
import dev.weft.runtime.GpuTestSupport;
import dev.weft.runtime.Session;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The cuda and rocm devices end to end against a fake driver library (test resource
 * {@code fakegpu.c}): the real FFM bindings, kernelParams marshalling, stream capture and
 * replay, per-thread contexts and error mapping, with C kernels that read their arguments as
 * the GPU ABI lays them out. No GPU is involved; a GPU machine runs the same code on the real driver.
 */
class FakeDriverTest {
  @TempDir static Path tmp;
  static Path fakeLib;
  static FakeGpu fake;

  @BeforeAll
  static void build() throws Exception {
    fakeLib = GpuTestSupport.buildFakeGpu(tmp);
    fake = new FakeGpu(fakeLib);
  }

  @BeforeEach
  void reset() { fake.reset(); }

  private static Map<String, String> cuda() { return Map.of("library", fakeLib.toString()); }

  private static Path cudaBundle(String name, Map<String, String> toolchain) {
    return GpuTestSupport.writeCudaBundle(tmp.resolve(name), toolchain);
  }

  @Test
  void cudaRunsRecordsOnceAndReplaysPerShape() {
    try (Bundle b = Bundle.load(cudaBundle("cuda-run", Map.of("kernel_abi", "1"))); Session s = b.session("cuda", 0, cuda())) {
      // The device is sm_80: the sm_90 cubin does not fit, the sm_80 PTX does.
      assertEquals("FAKEPTX sm_80", fake.lastModule());
      for (int round = 0; round < 2; round++) {
        for (int[] shape : new int[][] {{1, 1}, {3, 5}, {8, 16}}) {
          Map<String, Tensor> in = GpuTestSupport.inputs(shape[0], shape[1], round * 100 + shape[0]);
          GpuTestSupport.assertOutputs(in, s.run(in));
        }
      }
      assertEquals(3, fake.captures(), "one capture per distinct shape");
      assertEquals(6, fake.graphLaunches(), "every run replays a graph");
      assertEquals(18, fake.kernelLaunches(), "three kernels per run, none outside the graphs");
      // The last run (batch 8) launched weft_affine over extent 8 with block 32: one block.
      assertEquals(1, fake.lastGridX());
    }
    assertEquals(0, fake.liveAllocs(), "closing the session frees all device memory");
  }

  @Test
  void cudaCubinIsPreferredWhenItFits() {
    fake.setComputeCapability(9, 0);
    try (Bundle b = Bundle.load(cudaBundle("cuda-90", Map.of("kernel_abi", "1"))); Session s = b.session("cuda", 0, cuda())) {
      assertEquals("FAKECUBIN sm_90", fake.lastModule());
      Map<String, Tensor> in = GpuTestSupport.inputs(2, 3, 7);
      GpuTestSupport.assertOutputs(in, s.run(in));
    }
  }

  @Test
  void cudaSessionServesManyThreads() throws Exception {
    try (Bundle b = Bundle.load(cudaBundle("cuda-mt", Map.of("kernel_abi", "1"))); Session s = b.session("cuda", 0, cuda())) {
      ExecutorService pool = Executors.newFixedThreadPool(8);
      try {
        List<Future<?>> fs = new ArrayList<>();
        for (int t = 0; t < 8; t++) {
          int thread = t;
          fs.add(pool.submit(() -> {
            for (int i = 0; i < 50; i++) {
              Map<String, Tensor> in = GpuTestSupport.inputs(1 + (thread + i) % 8, 1 + (thread * 3 + i) % 16, thread * 1000L + i);
              GpuTestSupport.assertOutputs(in, s.run(in));
            }
            return null;
          }));
        }
        for (Future<?> f : fs) f.get();
      }
      finally {
        pool.shutdownNow();
      }
      assertEquals(400, fake.graphLaunches());
    }
  }

  @Test
  void cudaWithoutRecordingLaunchesDirectly() {
    System.setProperty("weft.record", "false");
    try (Bundle b = Bundle.load(cudaBundle("cuda-direct", Map.of("kernel_abi", "1"))); Session s = b.session("cuda", 0, cuda())) {
      Map<String, Tensor> in = GpuTestSupport.inputs(4, 4, 3);
      GpuTestSupport.assertOutputs(in, s.run(in));
      assertEquals(0, fake.captures());
      assertEquals(3, fake.kernelLaunches());
    } finally {
      System.clearProperty("weft.record");
    }
  }

  @Test
  void cudaMisfitsAreReportedBeforeTheDeviceIsTouched() {
    fake.setComputeCapability(7, 5);
    try (Bundle b = Bundle.load(cudaBundle("cuda-misfit", Map.of("kernel_abi", "1", "cuda_driver_min", "13000")))) {
      BundleMismatchException e = assertThrows(BundleMismatchException.class, () -> b.session("cuda", 0, cuda()));
      assertEquals(List.of("no kernel image loads on sm_75 (the bundle has cubin sm_90, ptx sm_80)",
          "kernels need driver version 13000 or newer, this machine has 12040"), e.differences());
      assertEquals("", fake.lastModule(), "no module was loaded");
      assertEquals(0, fake.liveAllocs());
    }
  }

  @Test
  void driverErrorsNameTheCallAndTheDriversWords() {
    fake.setAllocLimit(540);
    try (Bundle b = Bundle.load(cudaBundle("cuda-oom", Map.of("kernel_abi", "1"))); Session s = b.session("cuda", 0, cuda())) {
      DeviceException e = assertThrows(DeviceException.class, () -> s.run(GpuTestSupport.inputs(2, 2, 1)));
      assertEquals("cuda: cuMemAlloc_v2(544 bytes) failed: CUDA_ERROR_OUT_OF_MEMORY (out of memory)", e.getMessage());
      assertEquals(2, e.code());
    }
    assertEquals(0, fake.liveAllocs(), "a failed run context frees what it had allocated");
  }

  @Test
  void missingDriverLibraryIsATypedErrorNamingIt() {
    try (Bundle b = Bundle.load(cudaBundle("cuda-nolib", Map.of("kernel_abi", "1")))) {
      DeviceUnavailableException e = assertThrows(DeviceUnavailableException.class,
          () -> b.session("cuda", 0, Map.of("library", "/nonexistent/libcuda.so.1")));
      assertTrue(e.getMessage().startsWith("cuda: cannot load /nonexistent/libcuda.so.1"), e.getMessage());
      DeviceUnavailableException r = assertThrows(DeviceUnavailableException.class,
          () -> b.session("rocm", 0, Map.of("library", "/nonexistent/libamdhip64.so")));
      assertTrue(r.getMessage().startsWith("rocm: cannot load /nonexistent/libamdhip64.so"), r.getMessage());
    }
  }

  @Test
  void theRealDriversAreCleanErrorsWhereAbsent() {
    for (String lib : List.of("libcuda.so.1", "libamdhip64.so")) {
      boolean present;
      try {
        java.lang.foreign.SymbolLookup.libraryLookup(lib, java.lang.foreign.Arena.ofAuto());
        present = true;
      } catch (IllegalArgumentException e) {
        present = false;
      }
      org.junit.jupiter.api.Assumptions.assumeFalse(present, "SKIPPED: " + lib + " is installed here; this test is for machines without it");
    }
    DeviceUnavailableException e = assertThrows(DeviceUnavailableException.class, () -> dev.weft.runtime.Devices.open("cuda"));
    assertTrue(e.getMessage().startsWith("cuda: cannot load libcuda.so.1"), e.getMessage());
    DeviceUnavailableException r = assertThrows(DeviceUnavailableException.class, () -> dev.weft.runtime.Devices.open("rocm"));
    assertTrue(r.getMessage().startsWith("rocm: cannot load libamdhip64.so"), r.getMessage());
  }

  @Test
  void aLibraryMissingAFunctionIsNamed() throws Exception {
    Path partial = dev.weft.runtime.GpuTestSupport.buildLibrary(tmp, "libpartial.so",
        "int cuInit(unsigned f) { return 0; }\nint cuGetErrorName(int r, const char **s) { return 1; }\n");
    DeviceUnavailableException e = assertThrows(DeviceUnavailableException.class,
        () -> dev.weft.runtime.Devices.open("cuda", 0, Map.of("library", partial.toString())));
    assertEquals("cuda: " + partial + " has no function cuGetErrorString (a driver too old for this runtime?)", e.getMessage());
  }

  @Test
  void aHipLibraryMissingAFunctionOfTheSharedTableIsNamed() throws Exception {
    Path partial = dev.weft.runtime.GpuTestSupport.buildLibrary(tmp, "libpartialhip.so",
        "const char *hipGetErrorName(int r) { return 0; }\nconst char *hipGetErrorString(int r) { return 0; }\n"
            + "int hipInit(unsigned f) { return 0; }\nint hipDriverGetVersion(int *v) { return 0; }\n");
    DeviceUnavailableException e = assertThrows(DeviceUnavailableException.class,
        () -> dev.weft.runtime.Devices.open("rocm", 0, Map.of("library", partial.toString())));
    assertEquals("rocm: " + partial + " has no function hipGetDeviceCount (a driver too old for this runtime?)", e.getMessage());
  }

  @Test
  void rocmRunsThroughHipWithTheArchitectureFromKfd() throws Exception {
    Path kfd = tmp.resolve("kfd-nodes");
    Files.createDirectories(kfd.resolve("1"));
    Files.writeString(kfd.resolve("1/properties"), "gfx_target_version 90402\n");
    org.junit.jupiter.api.Assumptions.assumeTrue(System.getenv("HIP_VISIBLE_DEVICES") == null
        && System.getenv("ROCR_VISIBLE_DEVICES") == null && System.getenv("CUDA_VISIBLE_DEVICES") == null,
        "SKIPPED: a *_VISIBLE_DEVICES variable is set");
    Path dir = GpuTestSupport.writeRocmBundle(tmp.resolve("rocm-run"));
    Map<String, String> opts = Map.of("library", fakeLib.toString(), "kfd", kfd.toString());
    try (Bundle b = Bundle.load(dir); Session s = b.session("rocm", 0, opts)) {
      assertEquals("FAKEHSACO gfx942", fake.lastModule());
      assertTrue(s.device().description().startsWith("rocm:0 (Fake AMD GPU, gfx942"), s.device().description());
      for (int[] shape : new int[][] {{2, 3}, {8, 16}, {2, 3}}) {
        Map<String, Tensor> in = GpuTestSupport.inputs(shape[0], shape[1], shape[1]);
        GpuTestSupport.assertOutputs(in, s.run(in));
      }
      assertEquals(2, fake.captures());
      assertEquals(3, fake.graphLaunches());
    }
    // A gfx90a machine: the gfx942 code object does not fit.
    Path kfd90a = tmp.resolve("kfd-90a");
    Files.createDirectories(kfd90a.resolve("1"));
    Files.writeString(kfd90a.resolve("1/properties"), "gfx_target_version 90010\n");
    try (Bundle b = Bundle.load(dir)) {
      BundleMismatchException e = assertThrows(BundleMismatchException.class,
          () -> b.session("rocm", 0, Map.of("library", fakeLib.toString(), "kfd", kfd90a.toString())));
      assertEquals(List.of("no kernel image loads on gfx90a (the bundle has hsaco gfx942)"), e.differences());
    }
  }

  @Test
  void heapAndNativeInputsGiveTheSameResults() {
    try (Bundle b = Bundle.load(cudaBundle("cuda-native", Map.of("kernel_abi", "1"))); Session s = b.session("cuda", 0, cuda());
        java.lang.foreign.Arena arena = java.lang.foreign.Arena.ofConfined()) {
      Map<String, Tensor> heap = GpuTestSupport.inputs(3, 4, 11);
      Map<String, Tensor> nativeIn = new java.util.LinkedHashMap<>();
      heap.forEach((k, t) -> {
        java.lang.foreign.MemorySegment seg = arena.allocate(t.byteSize(), 16);
        seg.copyFrom(t.data());
        nativeIn.put(k, Tensor.wrap(t.dtype(), t.shape(), seg));
      });
      Map<String, Tensor> a = s.run(heap);
      Map<String, Tensor> c = s.run(nativeIn);
      assertArrayEquals(a.get("rows").toFloatArray(), c.get("rows").toFloatArray());
      GpuTestSupport.assertOutputs(heap, c);
    }
  }
}
