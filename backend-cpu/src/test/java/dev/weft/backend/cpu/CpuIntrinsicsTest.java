package dev.weft.backend.cpu;

import static java.lang.foreign.ValueLayout.JAVA_DOUBLE;
import static java.lang.foreign.ValueLayout.JAVA_FLOAT;
import static org.junit.jupiter.api.Assertions.*;

import dev.weft.codegen.llvm.Compiler;
import dev.weft.codegen.llvm.IntrinsicClaims;
import dev.weft.codegen.llvm.KernelModule;
import dev.weft.codegen.llvm.LlvmToolchain;
import dev.weft.codegen.llvm.SampleKernels;
import dev.weft.codegen.target.Target;
import dev.weft.codegen.target.Targets;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.DoubleUnaryOperator;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Every math intrinsic a host target claims is compiled (in worker processes, so a wrong claim
 * fails here instead of aborting the JVM), linked into kernels.so with --no-undefined (so no
 * libm call slipped in), and run on values whose results Java computes exactly. Every one it
 * does not claim is refused by the preflight before LLVM sees it.
 */
class CpuIntrinsicsTest {
  static final double[] INPUTS = {-2.5, -1.5, -0.5, -0.4, -0.0, 0.0, 0.3, 0.5, 1.5, 2.5, 3.7, -7.25, 1e10, Double.NaN,
      Double.POSITIVE_INFINITY};

  /** Results of f(x) or f(x, x) or f(x, x, x): every operand is the same input (see SampleKernels.mathIntrinsic). */
  static final Map<String, DoubleUnaryOperator> EXPECTED = Map.ofEntries(
      Map.entry("sqrt", Math::sqrt), Map.entry("fabs", Math::abs), Map.entry("copysign", x -> x),
      Map.entry("minimum", x -> x), Map.entry("maximum", x -> x), Map.entry("minnum", x -> x), Map.entry("maxnum", x -> x),
      Map.entry("floor", Math::floor), Map.entry("ceil", Math::ceil), Map.entry("trunc", x -> x < 0 ? Math.ceil(x) : Math.floor(x)),
      Map.entry("rint", Math::rint), Map.entry("nearbyint", Math::rint), Map.entry("roundeven", Math::rint),
      Map.entry("round", x -> Double.isNaN(x) || Double.isInfinite(x) ? x : Math.copySign(Math.floor(Math.abs(x) + 0.5), x)));

  @ParameterizedTest
  @ValueSource(strings = {"cpu", "cpu:portable"})
  void claimedIntrinsicsCompileInlineAndComputeTheRightValues(String targetName, @TempDir Path out) {
    Target target = Targets.find(targetName);
    List<KernelModule> claimed = IntrinsicClaims.checkRefusedAndCollectClaimed(targetName, target, null, LlvmToolchain::optimize);
    assertTrue(claimed.size() >= 16, "sqrt/fabs/copysign/min/max forms are claimed everywhere");
    CpuKernels built;
    try (Compiler workers = Compiler.create(Compiler.Mode.WORKERS, 2, out.resolve("repro"))) {
      built = new CpuToolchain(workers, target).build(claimed, out);
    }
    try (NativeLibrary lib = NativeLibrary.open(built.library()); Arena arena = Arena.ofConfined()) {
      for (KernelModule k : claimed) {
        String[] parts = k.name().split("_");
        String name = parts[1];
        boolean f32 = parts[2].equals("f32");
        int n = INPUTS.length;
        MemorySegment x = arena.allocate(f32 ? 4L * n : 8L * n);
        MemorySegment y = arena.allocate(f32 ? 4L * n : 8L * n);
        for (int i = 0; i < n; i++) {
          if (f32) x.setAtIndex(JAVA_FLOAT, i, (float) INPUTS[i]);
          else x.setAtIndex(JAVA_DOUBLE, i, INPUTS[i]);
        }
        lib.kernel(k.name()).call(CpuToolchainTest.buffers(arena, x, y), MemorySegment.NULL, 0, n);
        for (int i = 0; i < n; i++) {
          double in = f32 ? (double) (float) INPUTS[i] : INPUTS[i];
          String what = targetName + " " + k.name() + "(" + in + ")";
          if (name.equals("fma") || name.equals("fmuladd")) {
            double fused = f32 ? Math.fma((float) in, (float) in, (float) in) : Math.fma(in, in, in);
            double separate = f32 ? (float) in * (float) in + (float) in : in * in + in;
            double got = f32 ? y.getAtIndex(JAVA_FLOAT, i) : y.getAtIndex(JAVA_DOUBLE, i);
            if (name.equals("fma")) assertEquals(fused, got, what);
            else assertTrue(Double.compare(fused, got) == 0 || Double.compare(separate, got) == 0, what + " = " + got);
          } else if (f32) {
            assertEquals((float) EXPECTED.get(name).applyAsDouble(in), y.getAtIndex(JAVA_FLOAT, i), what);
          } else {
            assertEquals(EXPECTED.get(name).applyAsDouble(in), y.getAtIndex(JAVA_DOUBLE, i), what);
          }
        }
      }
    }
  }
}
