package dev.weft.passes.precision;

import dev.weft.passes.PassInfo;
import dev.weft.passes.PassLibrary;
import java.util.List;
import java.util.Map;

/** The precision pass ({@code precision{mode=fp16|bf16}}). */
public final class PrecisionPasses implements PassLibrary {
  @Override
  public List<PassInfo> passes() {
    return List.of(new PassInfo("precision",
        "run float32 compute in fp16/bf16 (float32 accumulation in matmul/conv; softmax, norms, reductions, exp/log/pow stay float32)",
        Map.of("mode", "fp16 (default) or bf16"), Precision::new));
  }
}
