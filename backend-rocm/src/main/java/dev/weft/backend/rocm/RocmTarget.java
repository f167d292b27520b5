package dev.weft.backend.rocm;

import static org.bytedeco.llvm.global.LLVM.*;

import dev.weft.codegen.llvm.TargetSpec;
import dev.weft.codegen.target.Intrinsics;
import dev.weft.codegen.target.KernelAttributes;
import dev.weft.codegen.target.GpuTarget;
import org.bytedeco.javacpp.PointerPointer;
import org.bytedeco.llvm.LLVM.LLVMBuilderRef;
import org.bytedeco.llvm.LLVM.LLVMContextRef;
import org.bytedeco.llvm.LLVM.LLVMModuleRef;
import org.bytedeco.llvm.LLVM.LLVMTypeRef;
import org.bytedeco.llvm.LLVM.LLVMValueRef;

/**
 * AMD Instinct GPUs through AMDGPU: "rocm:gfx90a" (MI200) and "rocm:gfx942" (MI300), HSA code
 * objects, wave64. AMDGPU has no intrinsic for the block or grid size: both are read from the
 * HSA kernel dispatch packet (workgroup_size_x, a u16 at byte 4; grid_size_x, a u32 at byte
 * 12, counted in work-items, not blocks), which every HIP/HSA launch fills in.
 */
public final class RocmTarget extends GpuTarget {
  /** LLVM's AMDGPU_KERNEL calling convention. */
  public static final int AMDGPU_KERNEL = 91;
  /** LDS per workgroup on gfx90a and gfx942. */
  public static final long LDS_BYTES = 64 * 1024;
  private static final int CONSTANT_ADDRESS_SPACE = 4;
  private static final int PACKET_WORKGROUP_SIZE_X = 4;
  private static final int PACKET_GRID_SIZE_X = 12;

  private final String gfx;

  public RocmTarget(String gfx) {
    super("rocm:" + gfx, TargetSpec.amdgpu(gfx));
    this.gfx = gfx;
  }

  public String gfx() { return gfx; }

  @Override public int kernelCallingConvention() { return AMDGPU_KERNEL; }

  @Override public int warpSize() { return 64; }

  @Override public long sharedMemoryBytes() { return LDS_BYTES; }

  @Override
  public LLVMValueRef workItemIndex(LLVMBuilderRef b, LLVMModuleRef m) {
    LLVMTypeRef i64 = LLVMInt64TypeInContext(LLVMGetModuleContext(m));
    LLVMValueRef item = LLVMBuildZExt(b, Intrinsics.read(b, m, "llvm.amdgcn.workitem.id.x"), i64, "workitem.id");
    LLVMValueRef group = LLVMBuildZExt(b, Intrinsics.read(b, m, "llvm.amdgcn.workgroup.id.x"), i64, "workgroup.id");
    LLVMValueRef size = packetField(b, m, PACKET_WORKGROUP_SIZE_X, 16, "workgroup.size");
    return LLVMBuildNUWAdd(b, LLVMBuildNUWMul(b, group, size, "group.base"), item, "work.item");
  }

  @Override
  public LLVMValueRef workItemStride(LLVMBuilderRef b, LLVMModuleRef m) {
    return packetField(b, m, PACKET_GRID_SIZE_X, 32, "grid.size");
  }

  @Override
  public LLVMValueRef threadInBlock(LLVMBuilderRef b, LLVMModuleRef m) {
    return LLVMBuildZExt(b, Intrinsics.read(b, m, "llvm.amdgcn.workitem.id.x"), LLVMInt64TypeInContext(LLVMGetModuleContext(m)), "workitem.id");
  }

  /** mbcnt(~0): the number of lanes below this one in the 64-lane wave (lo then hi half of the exec mask). */
  @Override
  public LLVMValueRef laneIndex(LLVMBuilderRef b, LLVMModuleRef m) {
    LLVMTypeRef i32 = LLVMInt32TypeInContext(LLVMGetModuleContext(m));
    LLVMValueRef all = LLVMConstInt(i32, 0xFFFF_FFFFL, 0);
    LLVMValueRef lo = Intrinsics.call(b, m, "llvm.amdgcn.mbcnt.lo", new LLVMTypeRef[0], all, LLVMConstInt(i32, 0, 0));
    return Intrinsics.call(b, m, "llvm.amdgcn.mbcnt.hi", new LLVMTypeRef[0], all, lo);
  }

  /** ds_bpermute_b32: every lane reads the value of the lane whose byte address (lane ^ mask) * 4 it names. */
  @Override
  protected LLVMValueRef shuffleXor32(LLVMBuilderRef b, LLVMModuleRef m, LLVMValueRef value, int laneMask) {
    LLVMTypeRef i32 = LLVMInt32TypeInContext(LLVMGetModuleContext(m));
    LLVMValueRef partner = LLVMBuildXor(b, laneIndex(b, m), LLVMConstInt(i32, laneMask, 0), "partner");
    LLVMValueRef address = LLVMBuildShl(b, partner, LLVMConstInt(i32, 2, 0), "partner.addr");
    return Intrinsics.call(b, m, "llvm.amdgcn.ds.bpermute", new LLVMTypeRef[0], address, value);
  }

  /**
   * s_barrier between workgroup-scope release and acquire fences: s_barrier alone only waits
   * for the waves; the fences make LDS writes before it visible to reads after it (what HIP's
   * __syncthreads emits).
   */
  @Override
  public void barrier(LLVMBuilderRef b, LLVMModuleRef m) {
    LLVMContextRef ctx = LLVMGetModuleContext(m);
    int workgroup = LLVMGetSyncScopeID(ctx, "workgroup", "workgroup".length());
    LLVMBuildFenceSyncScope(b, LLVMAtomicOrderingRelease, workgroup, "");
    Intrinsics.read(b, m, "llvm.amdgcn.s.barrier");
    LLVMBuildFenceSyncScope(b, LLVMAtomicOrderingAcquire, workgroup, "");
  }

  /** An unsigned field of the dispatch packet, widened to i64; loads marked invariant (the packet is read-only). */
  private static LLVMValueRef packetField(LLVMBuilderRef b, LLVMModuleRef m, int offset, int bits, String name) {
    LLVMContextRef ctx = LLVMGetModuleContext(m);
    LLVMValueRef packet = Intrinsics.read(b, m, "llvm.amdgcn.dispatch.ptr");
    LLVMValueRef[] index = {LLVMConstInt(LLVMInt64TypeInContext(ctx), offset, 0)};
    LLVMValueRef at;
    try (PointerPointer<LLVMValueRef> idx = new PointerPointer<>(index)) {
      at = LLVMBuildInBoundsGEP2(b, LLVMInt8TypeInContext(ctx), packet, idx, 1, name + ".ptr");
    }
    LLVMValueRef v = LLVMBuildLoad2(b, LLVMIntTypeInContext(ctx, bits), at, name);
    LLVMSetAlignment(v, 4);
    int kind = LLVMGetMDKindIDInContext(ctx, "invariant.load", "invariant.load".length());
    LLVMSetMetadata(v, kind, LLVMMetadataAsValue(ctx, LLVMMDNodeInContext2(ctx, (PointerPointer<?>) null, 0)));
    return LLVMBuildZExt(b, v, LLVMInt64TypeInContext(ctx), name + ".i64");
  }

  @Override
  public void decorateKernel(LLVMModuleRef m, LLVMValueRef fn, int blockSize) {
    KernelAttributes.checkBlockSize(name(), blockSize);
    LLVMSetFunctionCallConv(fn, AMDGPU_KERNEL);
    LLVMSetLinkage(fn, LLVMExternalLinkage);
    KernelAttributes.targetAttributes(fn, spec);
    // The default bound is 1024; naming the real one lets the backend give each thread more registers.
    dev.weft.codegen.llvm.FunctionAttributes.set(fn, "amdgpu-flat-work-group-size", "1," + blockSize);
  }

  @Override
  public String toString() { return name() + " (" + spec.shortName() + ")"; }
}
