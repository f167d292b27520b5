package dev.weft.codegen.llvm;

import java.util.List;
import java.util.Set;

/**
 * Which floating-point math intrinsics ({@code llvm.<name>.f32/f64}) LLVM 20.1 selects to
 * inline code per target, as probed with the jar's llc and re-checked by the backends' tests
 * (one function per claimed intrinsic, compiled in a worker so a wrong claim fails the test
 * instead of aborting the JVM). What is not claimed either becomes a libm call (x86: exp, log,
 * sin, ..., and floor/fma without SSE4.1/FMA) or aborts instruction selection (NVPTX: exp, log,
 * sin, cos, pow, tanh; AMDGPU: every f64 transcendental, tan/tanh). Kernels must expand those
 * themselves (polynomials over the operations claimed here).
 */
public final class MathIntrinsics {
  /** Every name this table answers for; other names are not math intrinsics Weft emits. */
  public static final List<String> KNOWN = List.of(
      "sqrt", "fabs", "copysign", "minimum", "maximum", "minnum", "maxnum", "fmuladd",
      "floor", "ceil", "trunc", "rint", "nearbyint", "round", "roundeven", "fma",
      "exp", "exp2", "exp10", "log", "log2", "log10", "sin", "cos", "tan", "tanh", "pow",
      "asin", "acos", "atan", "atan2", "sinh", "cosh");

  /** Inline on every target, including the SSE2-only x86-64 baseline (fmuladd falls back to mul+add). */
  private static final Set<String> EVERYWHERE =
      Set.of("sqrt", "fabs", "copysign", "minimum", "maximum", "minnum", "maxnum", "fmuladd");

  /** roundss/roundsd on x86 need SSE4.1; both GPUs have native rounding instructions. */
  private static final Set<String> ROUNDING = Set.of("floor", "ceil", "trunc", "rint", "nearbyint", "round", "roundeven");

  /**
   * AMDGPU f32 only: LLVM expands these around v_exp_f32/v_log_f32 with range reduction to about
   * 1 ulp. sin/cos are left out although they select: v_sin_f32 after a single-precision
   * reduction loses accuracy for large arguments. f64 forms abort.
   */
  private static final Set<String> AMDGPU_F32 = Set.of("exp", "exp2", "log", "log2", "log10");

  private MathIntrinsics() {}

  /** Whether {@code llvm.<name>} selects inline on {@code spec} for both f32 and f64. */
  public static boolean selectable(TargetSpec spec, String name) {
    return selectable(spec, name, 32) && selectable(spec, name, 64);
  }

  /** Whether {@code llvm.<name>.f<bits>} (bits 32 or 64) selects inline on {@code spec}. */
  public static boolean selectable(TargetSpec spec, String name, int bits) {
    if (bits != 32 && bits != 64) return false;
    if (EVERYWHERE.contains(name)) return true;
    return switch (spec.arch()) {
      case X86_64 -> ROUNDING.contains(name) ? x86HasSse41(spec) : name.equals("fma") && x86HasFma(spec);
      // exp2.f32 becomes ex2.approx.f32 (max 2 ulp); every other transcendental aborts isel.
      case NVPTX -> ROUNDING.contains(name) || name.equals("fma") || (bits == 32 && name.equals("exp2"));
      case AMDGPU -> ROUNDING.contains(name) || name.equals("fma") || (bits == 32 && AMDGPU_F32.contains(name));
    };
  }

  private static boolean x86HasSse41(TargetSpec spec) {
    if (spec.features().contains("-sse4.1")) return false;
    return spec.hasFeature("sse4.1") || spec.hasFeature("avx") || x86Level(spec.cpu()) >= 2;
  }

  private static boolean x86HasFma(TargetSpec spec) {
    if (spec.features().contains("-fma,") || spec.features().endsWith("-fma")) return false;
    return spec.hasFeature("fma") || x86Level(spec.cpu()) >= 3;
  }

  /** The x86-64 micro-architecture level a generic cpu name promises (named cpus count as 1 unless features say more). */
  private static int x86Level(String cpu) {
    return switch (cpu) {
      case "x86-64-v2" -> 2;
      case "x86-64-v3" -> 3;
      case "x86-64-v4" -> 4;
      default -> 1;
    };
  }
}
