package dev.weft.backend.cpu;

import static org.bytedeco.llvm.global.LLVM.*;

import dev.weft.codegen.llvm.TargetSpec;
import dev.weft.codegen.target.KernelAttributes;
import dev.weft.codegen.target.Target;
import java.util.List;
import org.bytedeco.llvm.LLVM.LLVMBuilderRef;
import org.bytedeco.llvm.LLVM.LLVMModuleRef;
import org.bytedeco.llvm.LLVM.LLVMValueRef;

/**
 * The host: {@code cpu} compiles for this machine's CPU and features (so LLVM vectorizes),
 * {@code cpu:portable} for baseline x86-64. Work items come from the runtime's begin/end
 * range, not from thread indices, so the GPU hooks are never called here.
 */
public final class CpuTarget implements Target {
  private final String name;
  private final TargetSpec spec;

  CpuTarget(String name) {
    this.name = name;
    this.spec = name.equals("cpu:portable") ? TargetSpec.portableHost() : TargetSpec.host();
  }

  @Override public String name() { return name; }

  @Override public boolean gpu() { return false; }

  @Override public TargetSpec spec() { return spec; }

  @Override public int kernelCallingConvention() { return 0; }

  @Override public int globalAddressSpace() { return 0; }

  @Override public int sharedAddressSpace() { return -1; }

  @Override public int warpSize() { return 1; }

  @Override public int defaultBlockSize() { return 1; }

  @Override public long sharedMemoryBytes() { return 0; }

  @Override
  public LLVMValueRef workItemIndex(LLVMBuilderRef b, LLVMModuleRef m) {
    throw new UnsupportedOperationException("host kernels take their work range as arguments");
  }

  @Override
  public LLVMValueRef workItemStride(LLVMBuilderRef b, LLVMModuleRef m) {
    throw new UnsupportedOperationException("host kernels take their work range as arguments");
  }

  @Override
  public void decorateKernel(LLVMModuleRef m, LLVMValueRef fn, int blockSize) {
    KernelAttributes.targetAttributes(fn, spec);
    LLVMSetLinkage(fn, LLVMExternalLinkage);
    LLVMSetVisibility(fn, LLVMDefaultVisibility);
  }

  @Override public void decorateHelper(LLVMValueRef fn) { KernelAttributes.targetAttributes(fn, spec); }

  /**
   * sqrt and fabs are single instructions on every x86-64; the rounding family needs SSE4.1
   * (roundss), otherwise LLVM calls libm's floorf, which a kernels.so without libm cannot have.
   */
  @Override
  public boolean supportsIntrinsic(String name, int floatBits) {
    if (name.equals("sqrt") || name.equals("fabs")) return true;
    if (List.of("floor", "ceil", "trunc", "rint").contains(name)) return spec.hasFeature("sse4.1");
    return false;
  }
}
