package dev.weft.compiler;

import dev.weft.codegen.emit.KernelEmitter;
import dev.weft.codegen.kir.Kernel;
import dev.weft.codegen.llvm.LlvmContexts;
import dev.weft.codegen.llvm.LlvmNative;
import dev.weft.codegen.llvm.LlvmToolchain;
import dev.weft.codegen.target.Target;
import java.util.ArrayList;
import java.util.List;
import org.bytedeco.llvm.LLVM.LLVMContextRef;
import org.bytedeco.llvm.LLVM.LLVMModuleRef;
import static org.bytedeco.llvm.global.LLVM.*;

/**
 * Shared part of the LLVM backends: each kernel becomes its own LLVM module (so kernels can be
 * compiled independently, in parallel or in worker processes), emitted for the target,
 * configured with its triple and data layout, and verified before LLVM's code generator sees
 * it; a kernel that fails names its fused group.
 */
abstract class LlvmKernelBackend implements KernelBackend {
  protected final Target target;

  LlvmKernelBackend(Target target) { this.target = target; }

  @Override public boolean gpu() { return target.gpu(); }

  @Override public int blockSize() { return target.defaultBlockSize(); }

  @Override public int matmulTileColumns() { return target.vectorLanes(); }

  @Override public final Built build(List<Kernel> kernels) { return build(kernels, CompileProgress.NONE); }

  @Override public abstract Built build(List<Kernel> kernels, CompileProgress progress);

  /** Each kernel's verified, unoptimized module as the backend toolchains take it, in kernel order. */
  protected List<dev.weft.codegen.llvm.KernelModule> modules(List<Kernel> kernels) {
    List<byte[]> bitcode = bitcode(kernels);
    List<dev.weft.codegen.llvm.KernelModule> out = new ArrayList<>();
    for (int i = 0; i < kernels.size(); i++) out.add(new dev.weft.codegen.llvm.KernelModule(kernels.get(i).name(), bitcode.get(i)));
    return out;
  }

  /** Bitcode of each kernel's verified, unoptimized module, in kernel order. */
  protected List<byte[]> bitcode(List<Kernel> kernels) {
    LlvmNative.ensureLoaded();
    List<byte[]> out = new ArrayList<>();
    LLVMContextRef ctx = LlvmContexts.create();
    try {
      for (Kernel k : kernels) {
        LLVMModuleRef m = LLVMModuleCreateWithNameInContext(k.name(), ctx);
        try {
          LlvmToolchain.configure(m, target.spec());
          KernelEmitter.emit(k, target, ctx, m);
          try {
            LlvmToolchain.verify(m);
          } catch (RuntimeException e) {
            throw new dev.weft.bundle.WeftException("kernel " + k.name() + " (" + k.source() + "): " + e.getMessage(), e);
          }
          out.add(LlvmToolchain.toBitcode(m));
        } finally {
          LLVMDisposeModule(m);
        }
      }
    } finally {
      LlvmContexts.dispose(ctx);
    }
    return out;
  }
}
