package dev.weft.passes.fusion;

import dev.weft.passes.PassInfo;
import dev.weft.passes.PassLibrary;
import java.util.List;
import java.util.Map;

/** The fusion pass. */
public final class FusionPasses implements PassLibrary {
  @Override
  public List<PassInfo> passes() {
    return List.of(new PassInfo(Fuse.NAME,
        "group nodes into fused kernels (elementwise chains, reductions, matmul/conv epilogues, attention)",
        Map.of("dup-max-bytes", "largest producer recomputed across a broadcast (default " + Fuse.DEFAULT_DUP_MAX_BYTES + ")",
            "max-group-size", "most nodes in one group (default " + Fuse.DEFAULT_MAX_GROUP_SIZE + ")",
            "symbol-size", "size assumed for a symbolic dim in byte estimates (default " + Fuse.DEFAULT_SYMBOL_SIZE + ")"),
        Fuse::new));
  }
}
