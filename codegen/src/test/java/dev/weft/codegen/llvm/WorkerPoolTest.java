package dev.weft.codegen.llvm;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WorkerPoolTest {
  /** Reads %clusterid, which exists from sm_90 on: on sm_80 instruction selection aborts ("Cannot select"). */
  static final String CLUSTER_ID_KERNEL = """
      declare i32 @llvm.nvvm.read.ptx.sreg.clusterid.x()
      define ptx_kernel void @weft_cluster(ptr addrspace(1) %p) {
        %r = call i32 @llvm.nvvm.read.ptx.sreg.clusterid.x()
        store i32 %r, ptr addrspace(1) %p
        ret void
      }
      """;

  /** An AVX-512 intrinsic: the x86-64 baseline cannot legalize its 512-bit vectors and aborts. */
  static final String AVX512_KERNEL = """
      declare <16 x float> @llvm.x86.avx512.rcp14.ps.512(<16 x float>, <16 x float>, i16)
      define void @weft_rcp(ptr %p) {
        %x = load <16 x float>, ptr %p
        %r = call <16 x float> @llvm.x86.avx512.rcp14.ps.512(<16 x float> %x, <16 x float> %x, i16 -1)
        store <16 x float> %r, ptr %p
        ret void
      }
      """;

  static byte[] bitcode(String ir, String name) {
    try (OwnedModule m = LlvmToolchain.parseIr(ir, name)) {
      return LlvmToolchain.toBitcode(m.module());
    }
  }

  @Test
  void llvmAbortFailsOneRequestWithAReproducerAndThePoolCarriesOn(@TempDir Path repro) throws Exception {
    KernelModule good = SampleKernels.add("weft_add", null);
    CompileRequest goodRequest = new CompileRequest(good.name(), TargetSpec.host(), good.bitcode(), true, EmitKind.OBJECT);
    byte[] inProcess = KernelCompilation.run(goodRequest).output();
    try (WorkerPool pool = new WorkerPool(1, repro, WorkerPool.DEFAULT_TIMEOUT)) {
      assertArrayEquals(inProcess, pool.compile(goodRequest).output(), "a worker emits the same object as this JVM");

      CompileRequest bad = new CompileRequest("weft_cluster", TargetSpec.nvptx("sm_80"),
          bitcode(CLUSTER_ID_KERNEL, "weft_cluster"), true, EmitKind.ASSEMBLY);
      CodegenAbortException e = assertThrows(CodegenAbortException.class, () -> pool.compile(bad));
      System.out.println("[weft] worker abort reported as: " + e.getMessage().replace("\n", "\n[weft]   "));
      assertEquals("weft_cluster", e.kernel());
      assertEquals(134, e.exitCode(), "SIGABRT from report_fatal_error");
      assertTrue(e.getMessage().contains("Cannot select"), "LLVM's own words reach the message: " + e.getMessage());
      assertTrue(e.getMessage().contains("weft_cluster") && e.getMessage().contains(e.reproducer().toString()), e.getMessage());
      String saved = Files.readString(e.reproducer());
      assertTrue(saved.contains("@llvm.nvvm.read.ptx.sreg.clusterid.x()"), saved);
      assertTrue(saved.contains("; replay: opt -passes='default<O3>'") && saved.contains("-mcpu=sm_80"), saved);
      assertEquals(e.reproducer().getParent(), repro);

      // The pool replaces the dead worker and keeps compiling.
      assertArrayEquals(inProcess, pool.compile(goodRequest).output());
      assertEquals(2, pool.workersStarted());
      assertEquals(1, pool.workerDeaths());

      CompileRequest hostAbort = new CompileRequest("weft_rcp", TargetSpec.portableHost(), bitcode(AVX512_KERNEL, "weft_rcp"),
          false, EmitKind.OBJECT);
      CodegenAbortException h = assertThrows(CodegenAbortException.class, () -> pool.compile(hostAbort));
      assertTrue(Files.readString(h.reproducer()).contains("; replay: llc -O3 -mtriple=x86_64-unknown-linux-gnu -mcpu=x86-64 "), 
          Files.readString(h.reproducer()));
      assertEquals(2, pool.workerDeaths());
      assertEquals(2, pool.compileAll(List.of(goodRequest, goodRequest)).size());
    }
  }

  @Test
  void linkedEmissionNamesTheKernelThatKilledTheWorker(@TempDir Path repro) throws Exception {
    TargetSpec sm80 = TargetSpec.nvptx("sm_80");
    List<KernelModule> kernels = List.of(new KernelModule("weft_add", bitcode(LlvmToolchainTest.NVPTX_ADD, "weft_add")),
        new KernelModule("weft_cluster", bitcode(CLUSTER_ID_KERNEL, "weft_cluster")));
    try (WorkerPool pool = new WorkerPool(2, repro, WorkerPool.DEFAULT_TIMEOUT)) {
      // The linked module aborts; compiling each kernel alone finds the culprit.
      CodegenAbortException e = assertThrows(CodegenAbortException.class,
          () -> LinkedEmission.emit(pool, kernels, sm80, EmitKind.ASSEMBLY, "kernels"));
      assertEquals("weft_cluster", e.kernel(), e.getMessage());
      assertFalse(Files.readString(e.reproducer()).contains("@weft_add"), "the reproducer holds the culprit alone");
      String ptx = new String(LinkedEmission.emit(pool, kernels.subList(0, 1), sm80, EmitKind.ASSEMBLY, "kernels").bytes());
      assertTrue(ptx.contains(".entry weft_add("), ptx);
    }
  }

  @Test
  void aBackgroundStartReturnsAtOnceServesTheFirstRequestAndAnUnusedPoolDiesWithoutWaiting(@TempDir Path repro) {
    KernelModule good = SampleKernels.add("weft_add", null);
    CompileRequest request = new CompileRequest(good.name(), TargetSpec.host(), good.bitcode(), true, EmitKind.OBJECT);
    try (WorkerPool pool = new WorkerPool(2, repro, WorkerPool.DEFAULT_TIMEOUT)) {
      long t0 = System.nanoTime();
      pool.startInBackground(2);
      long startMillis = (System.nanoTime() - t0) / 1_000_000;
      // A worker JVM takes about a second to load LLVM; returning must not wait for that.
      assertTrue(startMillis < 500, "startInBackground returned after " + startMillis + " ms");
      assertEquals(0, pool.requestsServed());
      assertArrayEquals(KernelCompilation.run(request).output(), pool.compile(request).output());
      assertEquals(2, pool.workersStarted(), "the request started no worker beyond the pool's two");
      assertEquals(1, pool.requestsServed());
    }
    WorkerPool unused = new WorkerPool(2, repro, WorkerPool.DEFAULT_TIMEOUT);
    unused.startInBackground(2);
    long t0 = System.nanoTime();
    unused.closeNow();
    long closeMillis = (System.nanoTime() - t0) / 1_000_000;
    assertTrue(closeMillis < 500, "closeNow took " + closeMillis + " ms");
    assertThrows(IllegalStateException.class, () -> unused.compile(request));
  }

  @Test
  void theWorkerClassPathIsAbsoluteSoARelativeJarWorksFromTheWorkersFolder() {
    String cwd = Path.of("").toAbsolutePath().toString();
    String sep = java.io.File.pathSeparator;
    assertEquals(cwd + "/weft.jar" + sep + "/opt/x.jar", WorkerPool.absoluteClassPath("weft.jar" + sep + sep + "/opt/x.jar"));
  }

  @Test
  void typedErrorsFromAWorkerDoNotCostTheWorker(@TempDir Path repro) {
    String expOnNvptx = LlvmToolchainTest.NVPTX_ADD.replace("%z = fadd float %x, %y", "%z = call float @llvm.exp.f32(float %x)")
        + "declare float @llvm.exp.f32(float)\n";
    try (WorkerPool pool = new WorkerPool(1, repro, WorkerPool.DEFAULT_TIMEOUT)) {
      UnsupportedIntrinsicException u = assertThrows(UnsupportedIntrinsicException.class, () -> pool.compile(
          new CompileRequest("weft_exp", TargetSpec.nvptx("sm_90"), bitcode(expOnNvptx, "weft_exp"), true, EmitKind.ASSEMBLY)));
      assertEquals("llvm.exp.f32", u.function());
      CodegenException garbage = assertThrows(CodegenException.class, () -> pool.compile(
          new CompileRequest("weft_garbage", TargetSpec.host(), new byte[] {'B', 'C', (byte) 0xC0, (byte) 0xDE, 1, 2, 3}, true,
              EmitKind.OBJECT)));
      assertFalse(garbage instanceof CodegenAbortException, garbage.toString());
      CodegenException wrongTriple = assertThrows(CodegenException.class, () -> pool.compile(new CompileRequest("weft_add",
          TargetSpec.amdgpu("gfx942"), bitcodeFor(LlvmToolchainTest.NVPTX_ADD, TargetSpec.nvptx("sm_80")), true, EmitKind.OBJECT)));
      assertTrue(wrongTriple.getMessage().contains("was built for nvptx64-nvidia-cuda"), wrongTriple.getMessage());
      assertEquals(1, pool.workersStarted(), "one worker answered all three");
      assertEquals(0, pool.workerDeaths());
    }
  }

  @Test
  void aRequestOverTheTimeLimitKillsItsWorker(@TempDir Path repro) {
    List<KernelModule> kernels = SampleKernels.gpt2Like(2, null);
    try (WorkerPool pool = new WorkerPool(1, repro, Duration.ofMillis(1))) {
      CodegenAbortException e = assertThrows(CodegenAbortException.class, () -> pool.compile(
          new CompileRequest(kernels.get(1).name(), TargetSpec.host(), kernels.get(1).bitcode(), true, EmitKind.OBJECT)));
      assertEquals(-1, e.exitCode());
      assertTrue(e.getMessage().contains("did not finish within PT0.001S"), e.getMessage());
    }
  }

  private static byte[] bitcodeFor(String ir, TargetSpec spec) {
    try (OwnedModule m = LlvmToolchain.parseIr(ir, "m")) {
      LlvmToolchain.configure(m.module(), spec);
      return LlvmToolchain.toBitcode(m.module());
    }
  }
}
