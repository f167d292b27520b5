package dev.weft.codegen.lower.ops;

import dev.weft.codegen.lower.LoweringLibrary;
import dev.weft.codegen.lower.LoweringTable;

/**
 * Kernel lowerings of the compute ops: reductions (sum, prod, max, min and the composites mean
 * and log_sum_exp), group_norm, matmul, conv and conv_transpose, max/avg/lp pools, attention,
 * quantize_linear and dequantize_linear. Composites not listed here (softmax, log_softmax,
 * layer/rms/instance/batch norm, mean_variance_normalization, lp_normalization, lrn,
 * dynamic_quantize_linear, the activations, clip, prelu) lower through their decompositions onto
 * these, the elementwise and the layout rules, with linear work; a composite has a rule here only
 * where its decomposition does not lower, costs more, or computes something else (each rule says
 * which).
 *
 * <p>lstm, gru and rnn have no rule: a kernel computes each element as an expression without
 * scratch state, so a time step's hidden state can only be an expression of the previous step's
 * whole state, which costs hidden_size^steps to evaluate. The unroll-recurrent pass (default
 * pipeline) writes their steps out as core ops when the sequence length is static; a node left
 * with a symbolic length is reported as unsupported, naming the dim.
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
