package dev.weft.backend.rocm;

import dev.weft.codegen.target.Target;
import dev.weft.codegen.target.TargetProvider;
import java.util.List;

/** Registers rocm:gfx90a and rocm:gfx942. */
public final class RocmTargetProvider implements TargetProvider {
  @Override public List<String> names() { return List.of("rocm:gfx90a", "rocm:gfx942"); }

  @Override public Target create(String name) { return new RocmTarget(name); }
}
