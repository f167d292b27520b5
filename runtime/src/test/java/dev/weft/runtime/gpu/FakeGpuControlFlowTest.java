package dev.weft.runtime.gpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
import dev.weft.bundle.program.Geometry;
import dev.weft.bundle.program.Program;
import dev.weft.bundle.program.Step;
import dev.weft.runtime.Bundle;
import dev.weft.runtime.GpuTestSupport;
import dev.weft.runtime.Session;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An if/loop program on the fake CUDA driver: the runtime reads the condition and trip count back
 * with device-to-host copies, writes the loop counter with a host-to-device copy, and records
 * nothing (each run may take another path). Expected values by hand.
 */
class FakeGpuControlFlowTest {
  @TempDir static Path tmp;
  static Path fakeLib;
  static FakeGpu fake;
  static Path bundle;

  static Program program() {
    Geometry g = Geometry.of(1, 32, 0);
    List<DimExpr> four = Buffer.dims(4);
    return Program.builder().arenaBytes(256)
        .buffer(Buffer.input("flag", DType.BOOL, Buffer.dims(1), 1))
        .buffer(Buffer.input("n", DType.I64, List.of(), 8))
        .buffer(Buffer.input("x", DType.F32, four, 16))
        .buffer(Buffer.output("y", DType.F32, four, 16))
        .buffer(Buffer.output("acc", DType.F32, four, 16))
        .buffer(Buffer.arena("state", DType.F32, four, 16, 0))
        .buffer(Buffer.arena("next", DType.F32, four, 16, 64))
        .buffer(Buffer.arena("it", DType.I64, List.of(), 8, 128))
        .step(new Step.If("flag", List.of(new Step.Launch("weft_add", List.of("x", "x", "y"), List.of(), DimExpr.of(4), g, "g0", List.of())),
            List.of(new Step.Copy("x", "y", DimExpr.of(16)))))
        .copy("x", "state", DimExpr.of(16))
        .step(new Step.Loop("n", null, "it", List.of(
            new Step.Launch("weft_add", List.of("state", "x", "next"), List.of(), DimExpr.of(4), g, "g1", List.of()),
            new Step.Copy("next", "state", DimExpr.of(16))), List.of()))
        .copy("state", "acc", DimExpr.of(16))
        .build();
  }

  @BeforeAll
  static void build() throws Exception {
    fakeLib = GpuTestSupport.buildFakeGpu(tmp);
    fake = new FakeGpu(fakeLib);
    bundle = tmp.resolve("cf");
    BundleWriter w = BundleWriter.create(bundle);
    w.writeProgram(0, program());
    w.writeWeights(0, new LinkedHashMap<>());
    w.writeString("ranks/0/kernels.sm_80.ptx", "FAKEPTX sm_80\n// .version 8.0\n");
    w.finish(new Manifest(1, "0.1.0-test", Target.of("cuda", "sm_80"), Toolchain.of("test-toolchain", Map.of("kernel_abi", "1")),
        Mesh.single(),
        List.of(new TensorSpec("flag", DType.BOOL, Buffer.dims(1)), new TensorSpec("n", DType.I64, List.of()),
            new TensorSpec("x", DType.F32, Buffer.dims(4))),
        List.of(new TensorSpec("y", DType.F32, Buffer.dims(4)), new TensorSpec("acc", DType.F32, Buffer.dims(4))),
        List.of(), Map.of(),
        List.of(RankEntry.standard(0, 0, List.of(new KernelImage("ranks/0/kernels.sm_80.ptx", "ptx", "sm_80")), true))));
  }

  static Map<String, Tensor> inputs(boolean flag, long n) {
    Map<String, Tensor> in = new LinkedHashMap<>();
    in.put("flag", Tensor.ofBools(new long[] {1}, flag));
    in.put("n", Tensor.ofLongs(new long[0], n));
    in.put("x", Tensor.ofFloats(new long[] {4}, 1, -2, 0.5f, 3));
    return in;
  }

  @Test
  void conditionsAreReadBackAndNothingIsRecorded() {
    fake.reset();
    try (Bundle b = Bundle.load(bundle); Session s = b.session("cuda", 0, Map.of("library", fakeLib.toString()))) {
      Map<String, Tensor> taken = s.run(inputs(true, 2));
      assertArrayEquals(new float[] {2, -4, 1, 6}, taken.get("y").toFloatArray());
      assertArrayEquals(new float[] {3, -6, 1.5f, 9}, taken.get("acc").toFloatArray(), "x + 2 iterations of + x");
      Map<String, Tensor> other = s.run(inputs(false, 0));
      assertArrayEquals(new float[] {1, -2, 0.5f, 3}, other.get("y").toFloatArray());
      assertArrayEquals(new float[] {1, -2, 0.5f, 3}, other.get("acc").toFloatArray(), "zero iterations");
      assertEquals(0, fake.captures(), "a program with control flow is never captured into a graph");
      assertEquals(3, fake.kernelLaunches(), "one launch in the taken branch, two loop iterations; none in the second run");
      assertTrue(fake.graphLaunches() == 0);
    }
  }
}
