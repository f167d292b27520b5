package dev.weft.backend.cpu;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_FLOAT;
import static org.junit.jupiter.api.Assertions.*;

import dev.weft.codegen.llvm.CodegenException;
import dev.weft.codegen.llvm.Compiler;
import dev.weft.codegen.llvm.KernelModule;
import dev.weft.codegen.llvm.SampleKernels;
import dev.weft.codegen.target.Target;
import dev.weft.codegen.target.Targets;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class CpuToolchainTest {
  static final float SENTINEL = -12345.5f;
  static final float GELU_C = 0.044715f;
  static final int LN_WIDTH = 768;

  static List<KernelModule> kernels() {
    return List.of(SampleKernels.add("weft_add", null), SampleKernels.gelu("weft_gelu", null, GELU_C),
        SampleKernels.layerNorm("weft_ln", null, LN_WIDTH, 1e-5f));
  }

  @ParameterizedTest
  @ValueSource(strings = {"cpu", "cpu:portable"})
  void kernelsRunThroughFfmOnOddSizesAndSubRanges(String targetName, @TempDir Path out) {
    Target target = Targets.find(targetName);
    CpuKernels built;
    try (Compiler c = Compiler.create(Compiler.Mode.IN_PROCESS, 2, out.resolve("repro"))) {
      built = new CpuToolchain(c, target).build(kernels(), out);
    }
    for (var r : built.compiled()) System.out.printf("[weft] %s %s compiled in %.1f ms%n", targetName, r.kernel(), r.millis());
    assertEquals(out.resolve("kernels.so"), built.library());
    try (NativeLibrary lib = NativeLibrary.open(built.library()); Arena arena = Arena.ofConfined()) {
      assertEquals(1, lib.abiVersion());
      Random rnd = new Random(42);
      for (int n : new int[] {1, 3, 7, 17, 1000, 4099}) {
        float[] a = random(rnd, n);
        float[] b = random(rnd, n);
        MemorySegment sa = arena.allocateFrom(JAVA_FLOAT, a);
        MemorySegment sb = arena.allocateFrom(JAVA_FLOAT, b);
        // Whole range, then a sub-range that must leave the rest untouched.
        for (long[] range : new long[][] {{0, n}, {n / 3, n - n / 4}}) {
          float[] init = new float[n];
          java.util.Arrays.fill(init, SENTINEL);
          MemorySegment sc = arena.allocateFrom(JAVA_FLOAT, init);
          lib.kernel("weft_add").call(buffers(arena, sa, sb, sc), MemorySegment.NULL, range[0], range[1]);
          float[] c = sc.toArray(JAVA_FLOAT);
          for (int i = 0; i < n; i++) {
            float expected = i >= range[0] && i < range[1] ? a[i] + b[i] : SENTINEL;
            assertEquals(expected, c[i], targetName + " add n=" + n + " range " + range[0] + ".." + range[1] + " at " + i);
          }
          MemorySegment sy = arena.allocateFrom(JAVA_FLOAT, init);
          lib.kernel("weft_gelu").call(buffers(arena, sa, sy), MemorySegment.NULL, range[0], range[1]);
          float[] y = sy.toArray(JAVA_FLOAT);
          for (int i = 0; i < n; i++) {
            // No fast-math: the kernel rounds each operation as Java does, so equality is exact.
            float x = a[i];
            float expected = i >= range[0] && i < range[1] ? x * (0.5f + GELU_C * (x * x)) : SENTINEL;
            assertEquals(expected, y[i], targetName + " gelu n=" + n + " at " + i);
          }
        }
      }
      int rows = 5;
      float[] x = random(rnd, rows * LN_WIDTH);
      float[] g = random(rnd, LN_WIDTH);
      float[] beta = random(rnd, LN_WIDTH);
      MemorySegment sy = arena.allocate(JAVA_FLOAT, (long) rows * LN_WIDTH);
      lib.kernel("weft_ln").call(buffers(arena, arena.allocateFrom(JAVA_FLOAT, x), arena.allocateFrom(JAVA_FLOAT, g),
          arena.allocateFrom(JAVA_FLOAT, beta), sy), MemorySegment.NULL, 1, rows);
      float[] y = sy.toArray(JAVA_FLOAT);
      for (int r = 0; r < rows; r++) {
        float[] expected = layerNorm(x, r, g, beta);
        for (int j = 0; j < LN_WIDTH; j++) {
          float got = y[r * LN_WIDTH + j];
          if (r == 0) assertEquals(0f, got, "row 0 is outside [1, rows)");
          else assertEquals(expected[j], got, 1e-5f + 1.3e-6f * Math.abs(expected[j]), "ln row " + r + " col " + j);
        }
      }
    }
  }

  @Test
  void sameInputsGiveTheSameLibraryInProcessAndInWorkers(@TempDir Path out) throws Exception {
    Target target = Targets.find("cpu:portable");
    Path a = out.resolve("a");
    Path b = out.resolve("b");
    try (Compiler c = Compiler.create(Compiler.Mode.IN_PROCESS, 2, out)) {
      new CpuToolchain(c, target).build(kernels(), a);
    }
    try (Compiler c = Compiler.create(Compiler.Mode.WORKERS, 2, out)) {
      new CpuToolchain(c, target).build(kernels(), b);
    }
    assertArrayEquals(Files.readAllBytes(a.resolve("kernels.so")), Files.readAllBytes(b.resolve("kernels.so")));
    try (var left = Files.list(a)) {
      assertEquals(List.of(a.resolve("kernels.so")), left.toList(), "only kernels.so stays in the output directory");
    }
  }

  @Test
  void badKernelNamesAndDuplicatesAreRefusedBeforeLinking(@TempDir Path out) {
    try (Compiler c = Compiler.create(Compiler.Mode.IN_PROCESS, 1, out)) {
      CpuToolchain t = new CpuToolchain(c, Targets.find("cpu"));
      KernelModule add = SampleKernels.add("weft_add", null);
      CodegenException dup = assertThrows(CodegenException.class, () -> t.build(List.of(add, add), out));
      assertTrue(dup.getMessage().contains("twice"), dup.getMessage());
      KernelModule evil = new KernelModule("../../etc/x", add.bitcode());
      CodegenException bad = assertThrows(CodegenException.class, () -> t.build(List.of(evil), out));
      assertTrue(bad.getMessage().contains("not a C identifier"), bad.getMessage());
      KernelModule misnamed = new KernelModule("weft_other", add.bitcode());
      CodegenException missing = assertThrows(CodegenException.class, () -> t.build(List.of(misnamed), out));
      assertTrue(missing.getMessage().contains("'weft_other' is not exported"), missing.getMessage());
    }
  }

  static float[] layerNorm(float[] x, int row, float[] g, float[] beta) {
    int k = g.length;
    float sum = 0;
    for (int j = 0; j < k; j++) sum += x[row * k + j];
    float mean = sum / k;
    float sq = 0;
    for (int j = 0; j < k; j++) {
      float d = x[row * k + j] - mean;
      sq += d * d;
    }
    float inv = 1f / (float) Math.sqrt(sq / k + 1e-5f);
    float[] y = new float[k];
    for (int j = 0; j < k; j++) y[j] = (x[row * k + j] - mean) * inv * g[j] + beta[j];
    return y;
  }

  static MemorySegment buffers(Arena arena, MemorySegment... segments) {
    MemorySegment table = arena.allocate(ADDRESS, segments.length);
    for (int i = 0; i < segments.length; i++) table.setAtIndex(ADDRESS, i, segments[i]);
    return table;
  }

  static float[] random(Random rnd, int n) {
    float[] v = new float[n];
    for (int i = 0; i < n; i++) v[i] = (float) (rnd.nextGaussian() * 3);
    return v;
  }
}
