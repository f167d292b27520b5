package dev.weft.backend.cpu;

import dev.weft.codegen.target.Target;
import dev.weft.codegen.target.TargetProvider;
import java.util.List;

/** Registers {@code cpu} and {@code cpu:portable}. */
public final class CpuTargetProvider implements TargetProvider {
  @Override public List<String> names() { return List.of("cpu", "cpu:portable"); }

  @Override public Target create(String name) { return new CpuTarget(name); }
}
