package dev.weft.compiler;

import dev.weft.codegen.target.Targets;

/** The kernel backend for a `--target` name. */
public final class Backends {
  private Backends() {}

  public static KernelBackend forTarget(String name) {
    if (name.equals("cpu") || name.equals("cpu:portable")) return new CpuKernelBackend(name, Targets.find(name));
    if (name.startsWith("cuda:")) return new CudaKernelBackend(name, Targets.find(name));
    if (name.startsWith("rocm:")) return new RocmKernelBackend(name, Targets.find(name));
    throw Compiler.unknownTarget(name);
  }
}
