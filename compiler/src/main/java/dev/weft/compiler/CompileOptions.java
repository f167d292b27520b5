package dev.weft.compiler;

/**
 * What `weft compile` takes: target, input shape profile, graph pipeline, precision.
 *
 * @param pipeline the pass pipeline (null: the default pipeline)
 * @param precision fp32 (no rewrite), fp16 or bf16
 */
public record CompileOptions(String target, ShapeProfile shapes, String pipeline, String precision) {
  public CompileOptions {
    if (target == null) target = "cpu";
    if (shapes == null) shapes = ShapeProfile.NONE;
    if (precision == null) precision = "fp32";
    if (!precision.equals("fp32") && !precision.equals("fp16") && !precision.equals("bf16")) {
      throw new dev.weft.bundle.WeftException("--precision must be fp32, fp16 or bf16, not '" + precision + "'");
    }
  }

  public static CompileOptions cpu() { return new CompileOptions("cpu", ShapeProfile.NONE, null, "fp32"); }
}
