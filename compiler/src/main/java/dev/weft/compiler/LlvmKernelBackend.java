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

  @Override public int itemsPerBlock(Kernel k) { return dev.weft.codegen.emit.Cooperation.itemsPerBlock(k, target); }

  @Override public Kernel tile(Kernel k) {
    return dev.weft.codegen.kir.KernelTiling.apply(k, target.preferredTile(dev.weft.codegen.kir.KernelKind.of(k)));
  }

  @Override public final Built build(List<Kernel> kernels) { return build(kernels, CompileProgress.NONE); }

  @Override public abstract Built build(List<Kernel> kernels, CompileProgress progress);

  /** A whole-module toolchain build in a scratch folder; what it returns must be read before the folder goes. */
  protected interface LinkedBuild<T> {
    T run(CachingCompiler compiler, java.nio.file.Path scratch) throws java.io.IOException;
  }

  /**
   * Runs a GPU backend's linked build (all kernels in one module, so they finish together): the
   * kernel counter moves once at the end, the kernel cache sees one build, and the scratch
   * folder is deleted whatever happens. Whether the cache served it is {@link #servedFromCache()}.
   */
  protected <T> T linkedBuild(String targetName, List<Kernel> kernels, CompileProgress progress, LinkedBuild<T> build) {
    KernelTally tally = new KernelTally(kernels.size(), progress);
    tally.start();
    dev.weft.compiler.cache.KernelCache cache = dev.weft.compiler.cache.KernelCache.open();
    java.nio.file.Path dir = null;
    T out;
    try {
      dir = java.nio.file.Files.createTempDirectory("weft-" + kind());
      out = build.run(new CachingCompiler(targetName, cache, (r, cached) -> { }), dir);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    } finally {
      cache.finishBuild();
      if (dir != null) CpuKernelBackend.deleteTree(dir);
    }
    tally.add(kernels.size(), servedFromCache());
    return out;
  }

  /** Whether the last build on this thread was served by the kernel cache. */
  protected static boolean servedFromCache() { return dev.weft.compiler.cache.KernelCache.lastBuild().hits() > 0; }

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
