package dev.weft.runtime.gpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.bundle.BundleWriter;
import dev.weft.bundle.DType;
import dev.weft.bundle.Tensor;
import dev.weft.bundle.manifest.KernelImage;
import dev.weft.bundle.manifest.Manifest;
import dev.weft.bundle.manifest.Mesh;
import dev.weft.bundle.manifest.RankEntry;
import dev.weft.bundle.manifest.Target;
import dev.weft.bundle.manifest.TensorSpec;
import dev.weft.bundle.manifest.Toolchain;
import dev.weft.bundle.program.Buffer;
import dev.weft.bundle.program.LibraryMatmul;
import dev.weft.bundle.program.Program;
import dev.weft.runtime.Bundle;
import dev.weft.runtime.BundleMismatchException;
import dev.weft.runtime.GpuTestSupport;
import dev.weft.runtime.Session;
import dev.weft.runtime.cpu.CpuTestAccess;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Library matmul steps through the real cuBLASLt FFM binding ({@code CublasLt}) against the fake
 * cuBLASLt in {@code fakegpu.c}: the exact arguments it receives (transposes, leading dims, batch
 * count and strides, types, workspace) and the numbers it computes on host memory, which must
 * equal a row-major matmul computed here by a plain loop. The program is the cuBLAS-swapped form
 * the compiler emits for {@code y[2,3,5] = x[2,3,4] x w[4,5]}.
 */
class CublasLtFakeTest {
  @TempDir static Path tmp;
  static Path fakeLib;

  @BeforeAll
  static void build() throws Exception { fakeLib = GpuTestSupport.buildFakeGpu(tmp); }

  /** Column-major D(5x3) = w(5x4, ld 5) x x(4x3, ld 4) per batch; w shared (stride 0). */
  static final LibraryMatmul CALL = new LibraryMatmul(5, 3, 4, 2, false, false, 5, 4, 5, 0, 12, 15, DType.F32, "none");

  static Program program() {
    return Program.builder().arenaBytes(0)
        .buffer(Buffer.input("x", DType.F32, Buffer.dims(2, 3, 4), 96))
        .buffer(Buffer.weight("w", DType.F32, Buffer.dims(4, 5), 80))
        .buffer(Buffer.output("y", DType.F32, Buffer.dims(2, 3, 5), 120))
        .step(CALL.step("w", "x", "y"))
        .build();
  }

  static Path write(Path dir, String kind, String arch, KernelImage image, byte[] imageBytes, Tensor w) {
    BundleWriter bw = BundleWriter.create(dir);
    bw.writeProgram(0, program());
    bw.writeWeights(0, new LinkedHashMap<>(Map.of("w", w)));
    bw.writeBytes(image.path(), imageBytes);
    bw.finish(new Manifest(1, "0.1.0-test", Target.of(kind, arch), Toolchain.of("test", Map.of("kernel_abi", "1")), Mesh.single(),
        List.of(new TensorSpec("x", DType.F32, Buffer.dims(2, 3, 4))), List.of(new TensorSpec("y", DType.F32, Buffer.dims(2, 3, 5))),
        List.of(), Map.of(), List.of(RankEntry.standard(0, 0, List.of(image), true))));
    return dir;
  }

  static Tensor random(long seed, long... shape) {
    Random r = new Random(seed);
    Tensor t = Tensor.zeros(DType.F32, shape);
    for (long i = 0; i < t.size(); i++) t.setDouble(i, r.nextInt(9) - 4); // small integers: every sum exact
    return t;
  }

  /** Row-major y[b,i,j] = sum_l x[b,i,l] w[l,j]: what the swapped column-major call must produce. */
  static float[] expected(Tensor x, Tensor w) {
    float[] y = new float[30];
    for (int b = 0; b < 2; b++)
      for (int i = 0; i < 3; i++)
        for (int j = 0; j < 5; j++) {
          float s = 0;
          for (int l = 0; l < 4; l++) s += x.getFloat(b * 12 + i * 4 + l) * w.getFloat(l * 5 + j);
          y[b * 15 + i * 5 + j] = s;
        }
    return y;
  }

  private static Object call(String name, FunctionDescriptor fd) throws Throwable {
    SymbolLookup l = SymbolLookup.libraryLookup(fakeLib, Arena.global());
    return Linker.nativeLinker().downcallHandle(l.find(name).orElseThrow(), fd).invoke();
  }

  @Test
  void cudaSessionRunsTheMatmulThroughCublasLtWithTheCompilersArguments() throws Throwable {
    Tensor w = random(1, 4, 5);
    Path dir = write(tmp.resolve("cuda"), "cuda", "sm_80", new KernelImage("ranks/0/kernels.ptx", "ptx", "sm_80"),
        "FAKEPTX sm_80\n".getBytes(), w);
    new FakeGpu(fakeLib).reset();
    try (Bundle b = Bundle.load(dir);
         Session s = b.session("cuda", 0, Map.of("library", fakeLib.toString(), "cublaslt", fakeLib.toString()))) {
      for (int round = 0; round < 2; round++) {
        Tensor x = random(10 + round, 2, 3, 4);
        float[] got = s.run(Map.of("x", x)).get("y").toFloatArray();
        assertEquals(java.util.Arrays.toString(expected(x, w)), java.util.Arrays.toString(got));
      }
    }
    MemorySegment last = (MemorySegment) call("fake_last_gemm", FunctionDescriptor.of(ValueLayout.ADDRESS));
    assertEquals("transa=0 transb=0 m=5 n=3 k=4 lda=5 ldb=4 ldc=5 batch=2 stride_a=0 stride_b=12 stride_c=15"
        + " type=0 compute=68 workspace=1024", last.reinterpret(512).getString(0),
        "the heuristic's workspace size (the fake offers 1 KiB of the 32 MiB) is what reaches cublasLtMatmul");
    assertEquals(2, (int) call("fake_gemm_calls", FunctionDescriptor.of(ValueLayout.JAVA_INT)), "one GEMM per run, replayed from the graph");
    assertEquals(0, (int) call("fake_lt_live", FunctionDescriptor.of(ValueLayout.JAVA_INT)), "handle, descriptors and layouts destroyed at close");
    assertEquals(0, new FakeGpu(fakeLib).liveAllocs(), "workspace freed with its queue");
  }

  @Test
  void aMissingCublasLtIsRefusedBeforeTheRunNamingTheLibrary() {
    Path dir = write(tmp.resolve("cuda-nolt"), "cuda", "sm_80", new KernelImage("ranks/0/kernels.ptx", "ptx", "sm_80"),
        "FAKEPTX sm_80\n".getBytes(), random(1, 4, 5));
    try (Bundle b = Bundle.load(dir)) {
      BundleMismatchException e = assertThrows(BundleMismatchException.class, () -> b.session("cuda", 0,
          Map.of("library", fakeLib.toString(), "cublaslt", tmp.resolve("libcublasLt-absent.so").toString())));
      assertTrue(e.getMessage().contains("libcublasLt-absent.so"), e.getMessage());
      assertTrue(e.getMessage().contains("cublaslt.matmul"), e.getMessage());
    }
  }

  @Test
  void cpuSessionRunsTheSameStepAsTheHostGemm() throws Exception {
    Path so = GpuTestSupport.buildLibrary(tmp, "libnokernels.so", "int weft_abi_version = 1;\n");
    Tensor w = random(2, 4, 5);
    String arch = CpuTestAccess.hostArch();
    Path dir = write(tmp.resolve("cpu"), "cpu", arch, new KernelImage("ranks/0/kernels.so", "so", arch),
        java.nio.file.Files.readAllBytes(so), w);
    try (Bundle b = Bundle.load(dir); Session s = b.session("cpu", 0, Map.of())) {
      Tensor x = random(3, 2, 3, 4);
      assertEquals(java.util.Arrays.toString(expected(x, w)), java.util.Arrays.toString(s.run(Map.of("x", x)).get("y").toFloatArray()));
    }
  }
}
