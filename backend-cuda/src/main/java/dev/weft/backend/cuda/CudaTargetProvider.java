package dev.weft.backend.cuda;

import dev.weft.codegen.llvm.TargetSpec;
import dev.weft.codegen.target.Target;
import dev.weft.codegen.target.TargetProvider;
import java.util.List;

/** Registers cuda:sm_80, cuda:sm_90 and cuda:sm_90a. */
public final class CudaTargetProvider implements TargetProvider {
  @Override
  public List<String> names() { return TargetSpec.nvptxArchs().stream().map(sm -> "cuda:" + sm).toList(); }

  @Override
  public Target create(String name) {
    if (!name.startsWith("cuda:")) throw new IllegalArgumentException("not a cuda target: " + name);
    return new CudaTarget(name.substring("cuda:".length()));
  }
}
