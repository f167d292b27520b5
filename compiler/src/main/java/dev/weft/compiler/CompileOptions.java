package dev.weft.compiler;

import dev.weft.bundle.WeftException;

/**
 * What `weft compile` takes: target, input shape profile, graph pipeline, precision, GEMM engine.
 *
 * @param pipeline the pass pipeline (null: the default pipeline)
 * @param precision fp32 (no rewrite), fp16 or bf16
 * @param gemm how matmuls run: {@code cublaslt} (library steps; cuda targets only) or
 *     {@code kernels} (generated kernels); null picks the target's default ({@link #gemmFor})
 */
public record CompileOptions(String target, ShapeProfile shapes, String pipeline, String precision, String gemm) {
  public static final String GEMM_CUBLASLT = "cublaslt";
  public static final String GEMM_KERNELS = "kernels";

  public CompileOptions {
    if (target == null) target = "cpu";
    if (shapes == null) shapes = ShapeProfile.NONE;
    if (precision == null) precision = "fp32";
    if (!precision.equals("fp32") && !precision.equals("fp16") && !precision.equals("bf16")) {
      throw new WeftException("--precision must be fp32, fp16 or bf16, not '" + precision + "'");
    }
    if (gemm != null && !gemm.equals(GEMM_CUBLASLT) && !gemm.equals(GEMM_KERNELS)) {
      throw new WeftException("--gemm must be cublaslt or kernels, not '" + gemm + "'");
    }
    if (GEMM_CUBLASLT.equals(gemm) && !target.startsWith("cuda:")) {
      throw new WeftException("--gemm cublaslt needs a cuda target, not '" + target + "' (use --gemm kernels)");
    }
  }

  /** The target's default GEMM engine. */
  public CompileOptions(String target, ShapeProfile shapes, String pipeline, String precision) {
    this(target, shapes, pipeline, precision, null);
  }

  public static CompileOptions cpu() { return new CompileOptions("cpu", ShapeProfile.NONE, null, "fp32"); }

  /**
   * The GEMM engine in effect: as given, else cuBLASLt on cuda (vendor GEMMs beat the
   * generated ones until the generated kernels are tiled for tensor cores), kernels elsewhere
   * (rocm has no hipBLASLt binding yet).
   */
  public String gemmFor() {
    if (gemm != null) return gemm;
    return target.startsWith("cuda:") ? GEMM_CUBLASLT : GEMM_KERNELS;
  }
}
