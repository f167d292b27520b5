package dev.weft.backend.cuda;

import static org.junit.jupiter.api.Assertions.*;

import dev.weft.codegen.llvm.Compiler;
import dev.weft.codegen.llvm.KernelModule;
import dev.weft.codegen.llvm.Ptxas;
import dev.weft.codegen.llvm.SampleKernels;
import dev.weft.codegen.target.Target;
import dev.weft.codegen.target.Targets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class CudaToolchainTest {
  static List<KernelModule> kernels(Target t) {
    return List.of(SampleKernels.add("weft_add", t), SampleKernels.gelu("weft_gelu", t, 0.044715f),
        SampleKernels.layerNorm("weft_ln", t, 768, 1e-5f), SampleKernels.softmax("weft_softmax", t, 128),
        SampleKernels.matmul("weft_mm", t, 768, 768));
  }

  @ParameterizedTest
  @ValueSource(strings = {"cuda:sm_80", "cuda:sm_90", "cuda:sm_90a"})
  void ptxForEachSmAssemblesWithPtxas(String name, @TempDir Path out) throws Exception {
    CudaTarget target = (CudaTarget) Targets.find(name);
    CudaKernels built;
    try (Compiler c = Compiler.create(Compiler.Mode.IN_PROCESS, 2, out.resolve("repro"))) {
      built = new CudaToolchain(c, target, true).build(kernels(target), out);
    }
    String ptx = Files.readString(built.ptx());
    assertTrue(ptx.contains(".target " + target.sm()), ptx);
    for (String k : List.of("weft_add", "weft_gelu", "weft_ln", "weft_softmax", "weft_mm")) {
      assertTrue(ptx.contains(".visible .entry " + k + "("), k);
    }
    assertTrue(ptx.contains(".maxntid 256, 1, 1"), "the launch bound reached the PTX");
    assertFalse(ptx.contains(".extern .func"), "no calls to functions outside the module");
    if (!Ptxas.available()) {
      System.out.println("[weft] SKIPPED cubin for " + name + ": ptxas not found (PATH, $CUDA_HOME/bin, /usr/local/cuda/bin)");
      Assumptions.abort("ptxas not installed: PTX checked, cubin not");
    }
    byte[] cubin = Files.readAllBytes(built.cubin().orElseThrow());
    assertEquals(0x7f, cubin[0]);
    assertEquals('E', cubin[1]);
    assertEquals(5, built.stats().size(), built.stats().toString());
    for (Ptxas.KernelStats s : built.stats()) {
      assertTrue(s.registers() > 0, s.toString());
      assertEquals(0, s.spillStoreBytes(), s.toString());
      assertEquals(0, s.spillLoadBytes(), s.toString());
      System.out.printf("[weft] %s %s: %d registers, %d B spill stores, %d B spill loads, %d B shared%n",
          name, s.kernel(), s.registers(), s.spillStoreBytes(), s.spillLoadBytes(), s.sharedBytes());
    }
    System.out.printf("[weft] ptxas -arch=%s: %d kernels assembled in %.0f ms%n", target.sm(), built.stats().size(),
        built.ptxasMillis().orElseThrow());
  }

  @Test
  void gpt2LikeKernelSetCompileTime(@TempDir Path out) {
    CudaTarget target = (CudaTarget) Targets.find("cuda:sm_90a");
    List<KernelModule> kernels = SampleKernels.gpt2Like(40, target);
    for (Compiler.Mode mode : Compiler.Mode.values()) {
      try (Compiler c = Compiler.create(mode, Compiler.defaultParallelism(), out.resolve("repro"))) {
        CudaToolchain t = new CudaToolchain(c, target, false);
        t.build(kernels, out.resolve("warm-" + mode));
        long t0 = System.nanoTime();
        CudaKernels built = t.build(kernels, out.resolve(mode.name()));
        System.out.printf("[weft] %s: 40 kernels -> kernels.ptx for sm_90a in %.0f ms wall (linked module: O3 %.0f ms,"
            + " PTX emission %.0f ms)%n", mode, (System.nanoTime() - t0) / 1e6, built.linked().optimizeNanos() / 1e6,
            built.linked().emitNanos() / 1e6);
      }
    }
    if (Ptxas.available()) {
      try (Compiler c = Compiler.create(Compiler.Mode.IN_PROCESS, 2, out.resolve("repro"))) {
        CudaKernels built = new CudaToolchain(c, target, true).build(kernels, out.resolve("cubin"));
        assertEquals(40, built.stats().size());
        System.out.printf("[weft] ptxas -arch=sm_90a: 40 kernels in %.0f ms%n", built.ptxasMillis().orElseThrow());
      }
    } else {
      System.out.println("[weft] SKIPPED ptxas timing: ptxas not found");
    }
  }
}
