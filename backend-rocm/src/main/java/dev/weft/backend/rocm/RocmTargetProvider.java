package dev.weft.backend.rocm;

import dev.weft.codegen.llvm.TargetSpec;
import dev.weft.codegen.target.Target;
import dev.weft.codegen.target.TargetProvider;
import java.util.List;

/** Registers rocm:gfx90a and rocm:gfx942. */
public final class RocmTargetProvider implements TargetProvider {
  @Override
  public List<String> names() { return TargetSpec.amdgpuArchs().stream().map(g -> "rocm:" + g).toList(); }

  @Override
  public Target create(String name) {
    if (!name.startsWith("rocm:")) throw new IllegalArgumentException("not a rocm target: " + name);
    return new RocmTarget(name.substring("rocm:".length()));
  }
}
