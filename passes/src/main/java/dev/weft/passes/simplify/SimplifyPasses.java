package dev.weft.passes.simplify;

import dev.weft.passes.PassInfo;
import dev.weft.passes.PassLibrary;
import java.util.List;
import java.util.Map;

/**
 * The simplification passes. There is no {@code fold-matmul-add}: the core set has no
 * gemm-like op with a bias operand to fold into (Gemm imports as matmul + add, which fusion
 * groups later).
 */
public final class SimplifyPasses implements PassLibrary {
  @Override
  public List<PassInfo> passes() {
    return List.of(
        PassInfo.of("dce", "remove nodes whose results are unused (unused constants included)", o -> new Dce()),
        PassInfo.of("cse", "merge nodes with equal op, operands and attributes (equal constants too)", o -> new Cse()),
        new PassInfo("constant-fold", "run nodes whose operands are all constants and keep the result as a constant",
            Map.of("max-bytes", "largest folded result in bytes (default " + ConstantFold.DEFAULT_MAX_BYTES + ")"),
            ConstantFold::new),
        PassInfo.of("fold-shapes", "turn shape_of/gather/concat/slice chains into constants where the dims are known", o -> new FoldShapes()),
        PassInfo.of("canonicalize", "apply algebraic identities (x+0, x*1, identity, cast, transpose and reshape chains, ...)", o -> new Canonicalize()),
        PassInfo.of("normalize-layout", "move transposes through elementwise ops and reductions until they cancel or merge; "
            + "fold transposes of constants", o -> new NormalizeLayout()),
        PassInfo.of("fold-batchnorm", "fold an inference batch_norm after a conv into the conv's constant weights and bias", o -> new FoldBatchNorm()),
        PassInfo.of("fold-matmul-transpose", "fold transposes of the last two dims around a float matmul into its "
            + "transpose_a/transpose_b flags", o -> new FoldMatmulTranspose()));
  }
}
