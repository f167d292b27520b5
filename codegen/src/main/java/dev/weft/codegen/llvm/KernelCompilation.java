package dev.weft.codegen.llvm;

import org.bytedeco.llvm.LLVM.LLVMContextRef;
import org.bytedeco.llvm.LLVM.LLVMModuleRef;

/**
 * Compiles one request in the current thread, in a context of its own: what a worker process
 * does per request, and what the in-process compiler does on each of its threads.
 */
public final class KernelCompilation {
  private KernelCompilation() {}

  public static CompileResult run(CompileRequest request) {
    LlvmNative.ensureLoaded();
    LLVMContextRef ctx = LlvmContexts.create();
    try (LlvmTargetMachine tm = LlvmToolchain.targetMachine(request.spec());
         OwnedModule owned = new OwnedModule(ctx, LlvmToolchain.parseBitcode(ctx, request.bitcode(), request.kernel()), false)) {
      LLVMModuleRef module = owned.module();
      long t0 = System.nanoTime();
      if (request.optimize()) LlvmToolchain.optimize(module, tm);
      long t1 = System.nanoTime();
      byte[] output = switch (request.emit()) {
        case OBJECT -> LlvmToolchain.emit(module, tm, org.bytedeco.llvm.global.LLVM.LLVMObjectFile);
        case ASSEMBLY -> LlvmToolchain.emit(module, tm, org.bytedeco.llvm.global.LLVM.LLVMAssemblyFile);
        case BITCODE -> {
          // Not optimized: still check it as emission would, so a bad module fails here, not later.
          if (!request.optimize()) LlvmToolchain.prepare(module, tm);
          yield LlvmToolchain.toBitcode(module);
        }
      };
      return new CompileResult(request.kernel(), request.emit(), output, t1 - t0, System.nanoTime() - t1);
    } finally {
      LlvmContexts.dispose(ctx);
    }
  }
}
