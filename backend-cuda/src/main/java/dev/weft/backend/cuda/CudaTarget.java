package dev.weft.backend.cuda;

import static org.bytedeco.llvm.global.LLVM.*;

import dev.weft.codegen.llvm.TargetSpec;
import dev.weft.codegen.target.Intrinsics;
import dev.weft.codegen.target.KernelAttributes;
import dev.weft.codegen.target.Target;
import java.util.List;
import org.bytedeco.llvm.LLVM.LLVMBuilderRef;
import org.bytedeco.llvm.LLVM.LLVMModuleRef;
import org.bytedeco.llvm.LLVM.LLVMValueRef;

/** NVPTX for sm_80, sm_90 and sm_90a: PTX kernel calling convention (71), global pointers in address space 1. */
public final class CudaTarget implements Target {
  static final int PTX_KERNEL = 71;
  private final String name;
  private final TargetSpec spec;

  CudaTarget(String name) {
    this.name = name;
    this.spec = TargetSpec.nvptx(name.substring("cuda:".length()));
  }

  @Override public String name() { return name; }

  @Override public boolean gpu() { return true; }

  @Override public TargetSpec spec() { return spec; }

  @Override public int kernelCallingConvention() { return PTX_KERNEL; }

  @Override public int globalAddressSpace() { return 1; }

  @Override public int sharedAddressSpace() { return 3; }

  @Override public int warpSize() { return 32; }

  @Override public int defaultBlockSize() { return 256; }

  @Override public long sharedMemoryBytes() { return 48 * 1024; }

  private static LLVMValueRef sreg(LLVMBuilderRef b, LLVMModuleRef m, String reg) {
    LLVMValueRef v = Intrinsics.read(b, m, "llvm.nvvm.read.ptx.sreg." + reg);
    return LLVMBuildZExt(b, v, LLVMInt64TypeInContext(LLVMGetModuleContext(m)), reg);
  }

  @Override
  public LLVMValueRef workItemIndex(LLVMBuilderRef b, LLVMModuleRef m) {
    return LLVMBuildAdd(b, LLVMBuildMul(b, sreg(b, m, "ctaid.x"), sreg(b, m, "ntid.x"), "base"), sreg(b, m, "tid.x"), "gid");
  }

  @Override
  public LLVMValueRef workItemStride(LLVMBuilderRef b, LLVMModuleRef m) {
    return LLVMBuildMul(b, sreg(b, m, "nctaid.x"), sreg(b, m, "ntid.x"), "stride");
  }

  @Override
  public void decorateKernel(LLVMModuleRef m, LLVMValueRef fn, int blockSize) {
    KernelAttributes.checkBlockSize(name, blockSize);
    LLVMSetFunctionCallConv(fn, PTX_KERNEL);
    KernelAttributes.targetAttributes(fn, spec);
    KernelAttributes.annotate(m, "nvvm.annotations", fn, "maxntidx", blockSize);
  }

  @Override public void decorateHelper(LLVMValueRef fn) { KernelAttributes.targetAttributes(fn, spec); }

  /** NVPTX selects these as single instructions (sqrt.rn, abs, cvt.rmi/rpi/rzi/rni) for f32 and f64. */
  @Override
  public boolean supportsIntrinsic(String name, int floatBits) {
    return List.of("sqrt", "fabs", "floor", "ceil", "trunc", "rint").contains(name);
  }

}
