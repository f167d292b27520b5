package dev.weft.compiler;

import dev.weft.codegen.kir.Kernel;
import dev.weft.codegen.llvm.CodegenAbortException;
import dev.weft.codegen.llvm.CompileRequest;
import dev.weft.codegen.llvm.EmitKind;
import dev.weft.codegen.llvm.LlvmToolchain;
import dev.weft.codegen.llvm.OwnedModule;
import dev.weft.codegen.llvm.TargetSpec;
import dev.weft.compiler.cache.KernelCache;
import java.util.ArrayList;
import java.util.List;

/**
 * A GPU target's kernels as one code object (PTX text for NVPTX, one ELF object for AMDGPU):
 * the kernels' unoptimized modules are linked in this JVM (LLVM's IR linker, no code
 * generation), and the linked module is optimized and emitted as one request to the shared
 * code generator, a worker process by default. Optimizing the linked module as one (not each
 * kernel before linking) keeps the output what it has always been, byte for byte.
 *
 * <p>When the linked request kills its worker, the abort names the whole module; each kernel is
 * then compiled alone (optimize and emit, in parallel, first failure in kernel order) to find
 * the one LLVM cannot compile, and that kernel's abort, with its own IR as the reproducer, is
 * what the caller sees ({@link KernelAbortException} adds its group and nodes).
 */
final class LinkedGpuEmission {
  /** The linked module's name, also the name of its request. */
  static final String UNIT = "kernels";

  private LinkedGpuEmission() {}

  /**
   * The code object, from the kernel cache under a key over every kernel's bitcode ({@code
   * purpose} keeps PTX and AMDGPU entries apart) or compiled and stored.
   */
  static byte[] emit(String targetName, TargetSpec spec, List<Kernel> kernels, List<byte[]> bitcode, EmitKind emit,
                     String purpose) {
    List<String> names = kernels.stream().map(Kernel::name).toList();
    KernelCache cache = KernelCache.open();
    try {
      return cache.getOrCompile(Codegen.linkedKey(purpose, spec, targetName, bitcode), () -> compile(spec, names, bitcode, emit));
    } finally {
      cache.finishBuild();
    }
  }

  static byte[] compile(TargetSpec spec, List<String> names, List<byte[]> bitcode, EmitKind emit) {
    byte[] linked;
    try (OwnedModule m = LlvmToolchain.link(bitcode, names, UNIT)) {
      linked = LlvmToolchain.toBitcode(m.module());
    }
    try {
      return Codegen.shared().compile(new CompileRequest(UNIT, spec, linked, true, emit)).output();
    } catch (CodegenAbortException whole) {
      List<CompileRequest> alone = new ArrayList<>();
      for (int i = 0; i < names.size(); i++) alone.add(new CompileRequest(names.get(i), spec, bitcode.get(i), true, emit));
      try {
        Codegen.compileAll(alone); // throws the first culprit's abort, in kernel order
      } catch (CodegenAbortException culprit) {
        culprit.addSuppressed(whole);
        throw culprit;
      }
      throw whole; // only the linked module fails: its own reproducer is the one to look at
    }
  }
}
