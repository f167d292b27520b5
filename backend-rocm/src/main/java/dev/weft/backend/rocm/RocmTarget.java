package dev.weft.backend.rocm;

import static org.bytedeco.llvm.global.LLVM.*;

import dev.weft.codegen.llvm.FunctionAttributes;
import dev.weft.codegen.llvm.TargetSpec;
import dev.weft.codegen.target.Intrinsics;
import dev.weft.codegen.target.KernelAttributes;
import dev.weft.codegen.target.Target;
import java.util.List;
import org.bytedeco.javacpp.PointerPointer;
import org.bytedeco.llvm.LLVM.LLVMBuilderRef;
import org.bytedeco.llvm.LLVM.LLVMContextRef;
import org.bytedeco.llvm.LLVM.LLVMModuleRef;
import org.bytedeco.llvm.LLVM.LLVMValueRef;

/**
 * AMDGPU for gfx90a and gfx942: calling convention 91, global pointers in address space 1.
 * Kernels are launched with a fixed work-group size ({@link #defaultBlockSize}, recorded in the
 * launch step and in amdgpu-flat-work-group-size); the grid size in work-items comes from the
 * HSA dispatch packet (grid_size_x at byte 12).
 */
public final class RocmTarget implements Target {
  static final int AMDGPU_KERNEL = 91;
  static final int BLOCK = 256;
  private final String name;
  private final TargetSpec spec;

  RocmTarget(String name) {
    this.name = name;
    this.spec = TargetSpec.amdgpu(name.substring("rocm:".length()));
  }

  @Override public String name() { return name; }

  @Override public boolean gpu() { return true; }

  @Override public TargetSpec spec() { return spec; }

  @Override public int kernelCallingConvention() { return AMDGPU_KERNEL; }

  @Override public int globalAddressSpace() { return 1; }

  @Override public int sharedAddressSpace() { return 3; }

  @Override public int warpSize() { return 64; }

  @Override public int defaultBlockSize() { return BLOCK; }

  @Override public long sharedMemoryBytes() { return 64 * 1024; }

  private static LLVMValueRef wide(LLVMBuilderRef b, LLVMModuleRef m, LLVMValueRef v) {
    return LLVMBuildZExt(b, v, LLVMInt64TypeInContext(LLVMGetModuleContext(m)), "w");
  }

  @Override
  public LLVMValueRef workItemIndex(LLVMBuilderRef b, LLVMModuleRef m) {
    LLVMContextRef c = LLVMGetModuleContext(m);
    LLVMValueRef group = wide(b, m, Intrinsics.read(b, m, "llvm.amdgcn.workgroup.id.x"));
    LLVMValueRef item = wide(b, m, Intrinsics.read(b, m, "llvm.amdgcn.workitem.id.x"));
    return LLVMBuildAdd(b, LLVMBuildMul(b, group, LLVMConstInt(LLVMInt64TypeInContext(c), BLOCK, 0), "base"), item, "gid");
  }

  @Override
  public LLVMValueRef workItemStride(LLVMBuilderRef b, LLVMModuleRef m) {
    LLVMContextRef c = LLVMGetModuleContext(m);
    LLVMValueRef packet = Intrinsics.read(b, m, "llvm.amdgcn.dispatch.ptr");
    LLVMValueRef at = LLVMBuildGEP2(b, LLVMInt8TypeInContext(c), packet,
        new PointerPointer<>(new LLVMValueRef[] {LLVMConstInt(LLVMInt64TypeInContext(c), 12, 0)}), 1, "grid.size.x");
    LLVMValueRef grid = LLVMBuildLoad2(b, LLVMInt32TypeInContext(c), at, "grid");
    return wide(b, m, grid);
  }

  @Override
  public void decorateKernel(LLVMModuleRef m, LLVMValueRef fn, int blockSize) {
    LLVMSetFunctionCallConv(fn, AMDGPU_KERNEL);
    KernelAttributes.targetAttributes(fn, spec);
    FunctionAttributes.set(fn, "amdgpu-flat-work-group-size", "1," + BLOCK);
  }

  @Override public void decorateHelper(LLVMValueRef fn) { KernelAttributes.targetAttributes(fn, spec); }

  @Override
  public boolean supportsIntrinsic(String name, int floatBits) {
    return List.of("sqrt", "fabs", "floor", "ceil", "trunc", "rint").contains(name);
  }
}
