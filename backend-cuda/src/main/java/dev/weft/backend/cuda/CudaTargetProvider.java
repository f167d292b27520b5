package dev.weft.backend.cuda;

import dev.weft.codegen.target.Target;
import dev.weft.codegen.target.TargetProvider;
import java.util.List;

/** Registers cuda:sm_80, cuda:sm_90 and cuda:sm_90a. */
public final class CudaTargetProvider implements TargetProvider {
  @Override public List<String> names() { return List.of("cuda:sm_80", "cuda:sm_90", "cuda:sm_90a"); }

  @Override public Target create(String name) { return new CudaTarget(name); }
}
