package dev.weft.runtime;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.bundle.BundleException;
import dev.weft.bundle.BundleWriter;
import dev.weft.bundle.DType;
import dev.weft.bundle.DimExpr;
import dev.weft.bundle.Tensor;
import dev.weft.bundle.manifest.KernelImage;
import dev.weft.bundle.manifest.Manifest;
import dev.weft.bundle.manifest.Mesh;
import dev.weft.bundle.manifest.RankEntry;
import dev.weft.bundle.manifest.Target;
import dev.weft.bundle.manifest.TensorSpec;
import dev.weft.bundle.manifest.Toolchain;
import dev.weft.bundle.program.Buffer;
import dev.weft.bundle.program.Program;
import dev.weft.bundle.program.Step;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A hand-built program with an {@code if} on a data-dependent flag and a {@code loop} with a
 * trip count from an input, a carried value, the iteration counter and a scan output, run
 * through Session on the cpu device; expected values computed by hand.
 */
class CpuControlFlowTest {
  @TempDir static Path tmp;
  static Path bundleDir;

  static final String KERNELS_C = """
      #include <stdint.h>
      const int32_t weft_abi_version = 1;

      void weft_add(void **buf, const int64_t *dims, int64_t begin, int64_t end) {
        const float *a = buf[0], *b = buf[1];
        float *y = buf[2];
        for (int64_t p = begin; p < end; p++) y[p] = a[p] + b[p];
      }

      void weft_iter(void **buf, const int64_t *dims, int64_t begin, int64_t end) {
        const int64_t *it = buf[0];
        float *y = buf[1];
        for (int64_t p = begin; p < end; p++) y[p] = (float) *it;
      }
      """;

  static Program program() {
    List<DimExpr> four = Buffer.dims(4);
    List<DimExpr> one = Buffer.dims(1);
    return Program.builder().arenaBytes(4096)
        .buffer(Buffer.input("flag", DType.BOOL, one, 1))
        .buffer(Buffer.input("x", DType.F32, four, 16))
        .buffer(Buffer.input("n", DType.I64, List.of(), 8))
        .buffer(Buffer.weight("yes", DType.BOOL, List.of(), 1))
        .buffer(Buffer.output("y", DType.F32, four, 16))
        .buffer(Buffer.output("acc", DType.F32, four, 16))
        .buffer(Buffer.output("iters", DType.F32, Buffer.dims(3), 12))
        .buffer(Buffer.arena("state", DType.F32, four, 16, 0))
        .buffer(Buffer.arena("next", DType.F32, four, 16, 64))
        .buffer(Buffer.arena("it", DType.I64, List.of(), 8, 128))
        .buffer(Buffer.arena("cond", DType.BOOL, List.of(), 1, 192))
        .buffer(Buffer.arena("itf", DType.F32, one, 4, 256))
        // y = flag ? x + x : x
        .step(new Step.If("flag", List.of(Step.Launch.host("weft_add", List.of("x", "x", "y"), List.of(), DimExpr.of(4))),
            List.of(new Step.Copy("x", "y", DimExpr.of(16)))))
        // state = x; for it < n: state = state + x; iters[it] = it
        .copy("x", "state", DimExpr.of(16))
        .copy("yes", "cond", DimExpr.of(1))
        .step(new Step.Loop("n", "cond", "it", List.of(
            Step.Launch.host("weft_add", List.of("state", "x", "next"), List.of(), DimExpr.of(4)),
            new Step.Copy("next", "state", DimExpr.of(16)),
            Step.Launch.host("weft_iter", List.of("it", "itf"), List.of(), DimExpr.of(1))),
            List.of(new Step.Scan("itf", "iters", 4))))
        .copy("state", "acc", DimExpr.of(16))
        .build();
  }

  @BeforeAll
  static void build() throws Exception {
    Path so = NativeBuild.sharedLibrary(tmp, "kernels.so", KERNELS_C);
    bundleDir = tmp.resolve("bundle");
    BundleWriter w = BundleWriter.create(bundleDir);
    String arch = dev.weft.runtime.cpu.CpuTestAccess.hostArch();
    w.writeProgram(0, program());
    w.writeWeights(0, new LinkedHashMap<>(Map.of("yes", Tensor.ofBools(new long[0], true))));
    w.copyFile("ranks/0/kernels.so", so);
    Manifest m = new Manifest(1, "0.1.0-test", Target.of("cpu", arch), Toolchain.of("test-toolchain", Map.of("kernel_abi", "1")),
        Mesh.single(),
        List.of(new TensorSpec("flag", DType.BOOL, Buffer.dims(1)), new TensorSpec("x", DType.F32, Buffer.dims(4)),
            new TensorSpec("n", DType.I64, List.of())),
        List.of(new TensorSpec("y", DType.F32, Buffer.dims(4)), new TensorSpec("acc", DType.F32, Buffer.dims(4)),
            new TensorSpec("iters", DType.F32, Buffer.dims(3))),
        List.of(), Map.of(), List.of(RankEntry.standard(0, 0, List.of(new KernelImage("ranks/0/kernels.so", "so", arch)), true)));
    w.finish(m);
  }

  static Map<String, Tensor> inputs(boolean flag, long n) {
    Map<String, Tensor> in = new LinkedHashMap<>();
    in.put("flag", Tensor.ofBools(new long[] {1}, flag));
    in.put("x", Tensor.ofFloats(new long[] {4}, 1, -2, 0.5f, 3));
    in.put("n", Tensor.ofLongs(new long[0], n));
    return in;
  }

  @Test
  void bothBranchesAndTheLoopRunOnData() {
    try (Bundle b = Bundle.load(bundleDir); Session s = b.session("cpu")) {
      Map<String, Tensor> taken = s.run(inputs(true, 3));
      assertArrayEquals(new float[] {2, -4, 1, 6}, taken.get("y").toFloatArray());
      assertArrayEquals(new float[] {4, -8, 2, 12}, taken.get("acc").toFloatArray(), "x + 3 iterations of + x");
      assertArrayEquals(new float[] {0, 1, 2}, taken.get("iters").toFloatArray(), "the iteration counter, stacked");
      Map<String, Tensor> notTaken = s.run(inputs(false, 3));
      assertArrayEquals(new float[] {1, -2, 0.5f, 3}, notTaken.get("y").toFloatArray());
      // a second run of the same context sees fresh conditions (nothing recorded and replayed)
      assertArrayEquals(new float[] {2, -4, 1, 6}, s.run(inputs(true, 3)).get("y").toFloatArray());
    }
  }

  @Test
  void timedRunTimesTheIfAndLoopAsOneStepEach() {
    try (Bundle b = Bundle.load(bundleDir); Session s = b.session("cpu")) {
      List<Integer> steps = new java.util.ArrayList<>();
      Map<String, Tensor> out = s.run(inputs(true, 3), (k, nanos) -> steps.add(k));
      assertTrue(steps.equals(List.of(0, 1, 2, 3, 4)), steps.toString());
      assertArrayEquals(new float[] {4, -8, 2, 12}, out.get("acc").toFloatArray());
    }
  }

  @Test
  void aTripCountThatDoesNotFitTheScanOutputIsATypedError() {
    try (Bundle b = Bundle.load(bundleDir); Session s = b.session("cpu")) {
      BundleException more = assertThrows(BundleException.class, () -> s.run(inputs(true, 4)));
      assertTrue(more.getMessage().contains("\"iters\""), more.getMessage());
      BundleException fewer = assertThrows(BundleException.class, () -> s.run(inputs(true, 2)));
      assertTrue(fewer.getMessage().contains("ran 2 iterations"), fewer.getMessage());
    }
  }
}
