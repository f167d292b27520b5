package dev.weft.codegen.llvm;

import java.util.ArrayList;
import java.util.List;

/**
 * GPU kernels go into one code object per target: PTX text for NVPTX, one ELF for AMDGPU (the
 * HSA loader reads one metadata note per code object, so objects are joined as IR, not by the
 * linker). Each kernel is optimized on its own, in parallel; the optimized modules are linked
 * and emitted once. If that single emission kills a worker, each kernel is emitted alone to
 * find the one at fault, and its abort (with its reproducer) is what the caller sees.
 */
public final class LinkedEmission {
  private LinkedEmission() {}

  /** Per-kernel optimize times and the linked output. */
  public record Output(byte[] bytes, List<CompileResult> perKernel, CompileResult linked) {}

  public static Output emit(Compiler compiler, List<KernelModule> kernels, TargetSpec spec, EmitKind kind, String unitName) {
    if (kernels.isEmpty()) throw new CodegenException("no kernels to compile for " + spec.shortName());
    for (KernelModule k : kernels) KernelModule.checkName(k.name());
    List<CompileRequest> optimize = new ArrayList<>();
    for (KernelModule k : kernels) optimize.add(new CompileRequest(k.name(), spec, k.bitcode(), true, EmitKind.BITCODE));
    List<CompileResult> optimized = compiler.compileAll(optimize);
    List<byte[]> bitcodes = optimized.stream().map(CompileResult::output).toList();
    List<String> names = optimized.stream().map(CompileResult::kernel).toList();
    byte[] linked;
    try (OwnedModule m = LlvmToolchain.link(bitcodes, names, unitName)) {
      linked = LlvmToolchain.toBitcode(m.module());
    }
    try {
      CompileResult r = compiler.compile(new CompileRequest(unitName, spec, linked, false, kind));
      return new Output(r.output(), optimized, r);
    } catch (CodegenAbortException whole) {
      for (CompileResult k : optimized) {
        compiler.compile(new CompileRequest(k.kernel(), spec, k.output(), false, kind)); // throws for the culprit
      }
      throw whole; // only the linked module fails: its own reproducer is the one to look at
    }
  }
}
