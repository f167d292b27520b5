package dev.weft.runtime;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import dev.weft.bundle.Tensor;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/** Test bundles and the fake GPU driver for the gpu test package. */
public final class GpuTestSupport {
  private GpuTestSupport() {}

  /** Compiles {@code fakegpu.c} (test resource) into {@code dir/libfakegpu.so}; skips without cc. */
  public static Path buildFakeGpu(Path dir) throws IOException, InterruptedException {
    try (InputStream in = GpuTestSupport.class.getResourceAsStream("/fakegpu.c")) {
      return NativeBuild.sharedLibrary(dir, "libfakegpu.so", new String(in.readAllBytes(), StandardCharsets.UTF_8));
    }
  }

  public static Path buildLibrary(Path dir, String name, String source) throws IOException, InterruptedException {
    return NativeBuild.sharedLibrary(dir, name, source);
  }

  /** A cuda bundle (target sm_80) with an sm_90 cubin and an sm_80 PTX, both fake. */
  public static Path writeCudaBundle(Path dir, Map<String, String> toolchain) {
    return TestBundles.writeGpu(dir, "cuda", "sm_80", toolchain, List.of(
        new TestBundles.FakeImage("cubin", "sm_90", "FAKECUBIN sm_90\n"),
        new TestBundles.FakeImage("ptx", "sm_80", "FAKEPTX sm_80\n// .version 8.0\n")));
  }

  /** A rocm bundle (gfx942) with one fake HSACO. */
  public static Path writeRocmBundle(Path dir) {
    return TestBundles.writeGpu(dir, "rocm", "gfx942", Map.of("kernel_abi", "1"),
        List.of(new TestBundles.FakeImage("hsaco", "gfx942", "FAKEHSACO gfx942\n")));
  }

  public static Map<String, Tensor> inputs(int batch, int n, long seed) { return TestBundles.inputs(batch, n, seed); }

  public static void assertOutputs(Map<String, Tensor> in, Map<String, Tensor> out) {
    Map<String, float[]> want = TestBundles.expected(in);
    assertArrayEquals(want.get("rows"), out.get("rows").toFloatArray());
    assertArrayEquals(want.get("sum"), out.get("sum").toFloatArray());
    assertArrayEquals(new long[] {in.get("x").dim(0)}, out.get("rows").shape());
  }
}
