package dev.weft.backend.cuda;

import static org.bytedeco.llvm.global.LLVM.*;

import dev.weft.codegen.llvm.TargetSpec;
import dev.weft.codegen.target.Intrinsics;
import dev.weft.codegen.target.KernelAttributes;
import dev.weft.codegen.target.GpuTarget;
import org.bytedeco.llvm.LLVM.LLVMBuilderRef;
import org.bytedeco.llvm.LLVM.LLVMModuleRef;
import org.bytedeco.llvm.LLVM.LLVMTypeRef;
import org.bytedeco.llvm.LLVM.LLVMValueRef;

/**
 * NVIDIA GPUs through NVPTX: "cuda:sm_80" (A100), "cuda:sm_90" (H100), "cuda:sm_90a" (H100 with
 * the architecture-specific wgmma/setmaxnreg instructions). On LLVM 20 the ptx_kernel calling
 * convention alone makes an {@code .entry}; {@code nvvm.annotations} only carries the launch
 * bound ({@code maxntidx}, which LLVM 20 does not read from a function attribute yet).
 */
public final class CudaTarget extends GpuTarget {
  /** LLVM's PTX_Kernel calling convention. */
  public static final int PTX_KERNEL = 71;
  /** Static shared memory per block without cudaFuncSetAttribute opt-in, on every sm since 7.0. */
  public static final long STATIC_SHARED_BYTES = 48 * 1024;

  private final String sm;

  public CudaTarget(String sm) {
    super("cuda:" + sm, TargetSpec.nvptx(sm));
    this.sm = sm;
  }

  public String sm() { return sm; }

  @Override public int kernelCallingConvention() { return PTX_KERNEL; }

  @Override public int warpSize() { return 32; }

  @Override public long sharedMemoryBytes() { return STATIC_SHARED_BYTES; }

  @Override
  public LLVMValueRef workItemIndex(LLVMBuilderRef b, LLVMModuleRef m) {
    LLVMValueRef tid = sreg(b, m, "tid.x");
    LLVMValueRef block = sreg(b, m, "ctaid.x");
    LLVMValueRef dim = sreg(b, m, "ntid.x");
    // Both factors fit in 32 bits, so their 64-bit product and the sum cannot wrap.
    return LLVMBuildNUWAdd(b, LLVMBuildNUWMul(b, block, dim, "block.base"), tid, "work.item");
  }

  @Override
  public LLVMValueRef workItemStride(LLVMBuilderRef b, LLVMModuleRef m) {
    return LLVMBuildNUWMul(b, sreg(b, m, "nctaid.x"), sreg(b, m, "ntid.x"), "grid.threads");
  }

  @Override
  public LLVMValueRef threadInBlock(LLVMBuilderRef b, LLVMModuleRef m) { return sreg(b, m, "tid.x"); }

  @Override
  public LLVMValueRef laneIndex(LLVMBuilderRef b, LLVMModuleRef m) { return Intrinsics.read(b, m, "llvm.nvvm.read.ptx.sreg.laneid"); }

  /** shfl.sync.bfly.b32 over the full warp (member mask all ones; c = 0x1f: the whole 32-lane segment). */
  @Override
  protected LLVMValueRef shuffleXor32(LLVMBuilderRef b, LLVMModuleRef m, LLVMValueRef value, int laneMask) {
    LLVMTypeRef i32 = LLVMInt32TypeInContext(LLVMGetModuleContext(m));
    return Intrinsics.call(b, m, "llvm.nvvm.shfl.sync.bfly.i32", new LLVMTypeRef[0],
        LLVMConstInt(i32, 0xFFFF_FFFFL, 0), value, LLVMConstInt(i32, laneMask, 0), LLVMConstInt(i32, 0x1f, 0));
  }

  /** bar.sync 0: waits for the block and orders its shared and global memory accesses (PTX ISA, bar.sync). */
  @Override
  public void barrier(LLVMBuilderRef b, LLVMModuleRef m) { Intrinsics.read(b, m, "llvm.nvvm.barrier0"); }

  /** llvm.nvvm.read.ptx.sreg.&lt;name&gt; widened to i64. */
  private static LLVMValueRef sreg(LLVMBuilderRef b, LLVMModuleRef m, String name) {
    LLVMValueRef v = Intrinsics.read(b, m, "llvm.nvvm.read.ptx.sreg." + name);
    LLVMTypeRef i64 = LLVMInt64TypeInContext(LLVMGetModuleContext(m));
    return LLVMBuildZExt(b, v, i64, name.replace('.', '_'));
  }

  @Override
  public void decorateKernel(LLVMModuleRef m, LLVMValueRef fn, int blockSize) {
    KernelAttributes.checkBlockSize(name(), blockSize);
    LLVMSetFunctionCallConv(fn, PTX_KERNEL);
    LLVMSetLinkage(fn, LLVMExternalLinkage);
    KernelAttributes.targetAttributes(fn, spec);
    KernelAttributes.annotate(m, "nvvm.annotations", fn, "maxntidx", blockSize);
  }

  @Override
  public String toString() { return name() + " (" + spec.shortName() + ")"; }
}
