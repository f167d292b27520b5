package dev.weft.backend.cpu;

import dev.weft.codegen.target.Target;
import dev.weft.codegen.target.TargetProvider;
import java.util.List;

/** Registers "cpu" and "cpu:portable". */
public final class CpuTargetProvider implements TargetProvider {
  @Override
  public List<String> names() { return List.of(CpuTarget.HOST, CpuTarget.PORTABLE); }

  @Override
  public Target create(String name) {
    return switch (name) {
      case CpuTarget.HOST -> CpuTarget.host();
      case CpuTarget.PORTABLE -> CpuTarget.portable();
      default -> throw new IllegalArgumentException("not a cpu target: " + name);
    };
  }
}
