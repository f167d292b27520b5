package dev.weft.passes.recurrent;

import dev.weft.passes.PassInfo;
import dev.weft.passes.PassLibrary;
import java.util.List;

/** The recurrent-layer passes. */
public final class RecurrentPasses implements PassLibrary {
  @Override
  public List<PassInfo> passes() {
    return List.of(PassInfo.of("unroll-recurrent", "rewrite lstm, gru and rnn nodes whose sequence length is static into "
        + "per-time-step matmul, slice and activation ops (symbolic lengths are left, and lowering reports them)",
        o -> new UnrollRecurrent()));
  }
}
