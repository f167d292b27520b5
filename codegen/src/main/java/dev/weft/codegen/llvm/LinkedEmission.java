package dev.weft.codegen.llvm;

import java.util.ArrayList;
import java.util.List;

/**
 * GPU kernels go into one code object per target: PTX text for NVPTX, one ELF for AMDGPU (the
 * HSA loader reads one metadata note per code object, so objects are joined as IR, not by the
 * linker). The kernels' unoptimized modules are linked here (LLVM's IR linker, no code
 * generation); the linked module is optimized and emitted as one request to the
 * {@link Compiler}, a worker process in {@link Compiler.Mode#WORKERS}.
 *
 * <p>If that request kills its worker, the abort names the whole module: each kernel is then
 * optimized and emitted alone (in parallel; the first failure in kernel order wins) to find the
 * one LLVM cannot compile, and its abort, with its own IR as the reproducer and the linked
 * module's abort suppressed inside, is what the caller sees.
 */
public final class LinkedEmission {
  private LinkedEmission() {}

  /** The emitted bytes and the linked request's result (its times). */
  public record Output(byte[] bytes, CompileResult linked) {}

  public static Output emit(Compiler compiler, List<KernelModule> kernels, TargetSpec spec, EmitKind kind, String unitName) {
    if (kernels.isEmpty()) throw new CodegenException("no kernels to compile for " + spec.shortName());
    for (KernelModule k : kernels) KernelModule.checkName(k.name());
    List<byte[]> bitcodes = kernels.stream().map(KernelModule::bitcode).toList();
    List<String> names = kernels.stream().map(KernelModule::name).toList();
    byte[] linked;
    try (OwnedModule m = LlvmToolchain.link(bitcodes, names, unitName)) {
      linked = LlvmToolchain.toBitcode(m.module());
    }
    try {
      CompileResult r = compiler.compile(new CompileRequest(unitName, spec, linked, true, kind));
      return new Output(r.output(), r);
    } catch (CodegenAbortException whole) {
      List<CompileRequest> alone = new ArrayList<>();
      for (KernelModule k : kernels) alone.add(new CompileRequest(k.name(), spec, k.bitcode(), true, kind));
      try {
        compiler.compileAll(alone); // throws the first culprit's abort, in kernel order
      } catch (CodegenAbortException culprit) {
        culprit.addSuppressed(whole);
        throw culprit;
      }
      throw whole; // only the linked module fails: its own reproducer is the one to look at
    }
  }
}
