package dev.weft.codegen.lower.ops;

import dev.weft.codegen.lower.LoweringLibrary;
import dev.weft.codegen.lower.LoweringTable;

/**
 * Kernel lowerings of the compute ops: reductions, matmul, convolutions, pools, attention and
 * (de)quantization. Composites not listed here (softmax, layer_norm, gelu, clip, ...) lower
 * through their decompositions onto these and the elementwise rules.
 */
public final class ComputeLowerings implements LoweringLibrary {
  @Override
  public void register(LoweringTable t) {
    ReductionLowerings.register(t);
    NormLowerings.register(t);
    MatmulLowering.register(t);
    ConvLowerings.register(t);
    PoolLowerings.register(t);
    AttentionLowering.register(t);
    QuantLowerings.register(t);
  }
}
