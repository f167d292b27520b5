package dev.weft.codegen.target;

import static org.bytedeco.llvm.global.LLVM.*;

import dev.weft.codegen.kir.KernelKind;
import dev.weft.codegen.kir.TileShape;
import dev.weft.codegen.llvm.MathIntrinsics;
import dev.weft.codegen.llvm.TargetSpec;
import org.bytedeco.llvm.LLVM.LLVMBuilderRef;
import org.bytedeco.llvm.LLVM.LLVMContextRef;
import org.bytedeco.llvm.LLVM.LLVMModuleRef;
import org.bytedeco.llvm.LLVM.LLVMTypeRef;
import org.bytedeco.llvm.LLVM.LLVMValueRef;

/**
 * What NVPTX and AMDGPU targets share: global memory in address space 1 and block-shared memory
 * in 3, 256-thread blocks by default, target-cpu/features on helpers, and math intrinsics
 * decided by what the target's instruction selector takes. Subclasses give the name, calling
 * convention, warp size, shared memory and how a kernel reads its work-item index; for
 * cooperative kernels, a 32-bit butterfly shuffle ({@link #shuffleXor32}), the thread and lane
 * index and the barrier. Wider and float shuffles are built here from the 32-bit one.
 */
public abstract class GpuTarget implements Target {
  protected final TargetSpec spec;
  private final String name;

  /** @param name the target name, e.g. {@code cuda:sm_90} */
  protected GpuTarget(String name, TargetSpec spec) {
    this.name = name;
    this.spec = spec;
  }

  @Override public final String name() { return name; }

  @Override public final boolean gpu() { return true; }

  @Override public final TargetSpec spec() { return spec; }

  @Override public final int globalAddressSpace() { return 1; }

  @Override public final int sharedAddressSpace() { return 3; }

  @Override public int defaultBlockSize() { return 256; }

  /**
   * A contraction's thread computes a 2x2 register tile of outputs (two rows by two columns):
   * its four inner products run as one loop (KernelEmitter fuses sums of one extent), so each
   * A and B element it loads feeds two products instead of one. Only where at least
   * {@link #TILED_MIN_THREADS} threads remain: a smaller grid would leave SMs/CUs idle, which
   * costs more than the loads saved. Elementwise kernels keep one element per thread, which
   * keeps a warp's loads coalesced.
   */
  @Override
  public TileShape preferredTile(KernelKind kind) {
    return kind == KernelKind.CONTRACTION ? new TileShape(2, 2, TileShape.Form.REGISTER, TILED_MIN_THREADS) : TileShape.NONE;
  }

  /** Threads a tiled contraction keeps: a quarter of the threads an H100 holds resident, a tenth of an MI300X's. */
  static final long TILED_MIN_THREADS = 65536;

  @Override public void decorateHelper(LLVMValueRef fn) { KernelAttributes.targetAttributes(fn, spec); }

  @Override public boolean supportsIntrinsic(String name, int floatBits) { return MathIntrinsics.selectable(spec, name, floatBits); }

  /** The i32 {@code value} of lane {@code lane ^ laneMask}; the mask is already checked. */
  protected abstract LLVMValueRef shuffleXor32(LLVMBuilderRef b, LLVMModuleRef m, LLVMValueRef value, int laneMask);

  @Override
  public final LLVMValueRef shuffleXor(LLVMBuilderRef b, LLVMModuleRef m, LLVMValueRef value, int laneMask) {
    if (laneMask <= 0 || laneMask >= warpSize()) {
      throw new IllegalArgumentException(name() + ": shuffle lane mask must be 1.." + (warpSize() - 1) + ", got " + laneMask);
    }
    LLVMContextRef ctx = LLVMGetModuleContext(m);
    LLVMTypeRef t = LLVMTypeOf(value);
    int kind = LLVMGetTypeKind(t);
    LLVMTypeRef i32 = LLVMInt32TypeInContext(ctx);
    LLVMTypeRef i64 = LLVMInt64TypeInContext(ctx);
    if (kind == LLVMIntegerTypeKind && LLVMGetIntTypeWidth(t) == 32) return shuffleXor32(b, m, value, laneMask);
    if (kind == LLVMFloatTypeKind) {
      return LLVMBuildBitCast(b, shuffleXor32(b, m, LLVMBuildBitCast(b, value, i32, "shfl.in"), laneMask), t, "shfl.f32");
    }
    boolean wide = kind == LLVMDoubleTypeKind || (kind == LLVMIntegerTypeKind && LLVMGetIntTypeWidth(t) == 64);
    if (!wide) throw new IllegalArgumentException(name() + ": shuffles take f32, f64, i32 or i64 values, got " + LLVMPrintTypeToString(t).getString());
    // 64 bits as two 32-bit exchanges with the same partner lane
    LLVMValueRef bits = kind == LLVMDoubleTypeKind ? LLVMBuildBitCast(b, value, i64, "shfl.in") : value;
    LLVMValueRef lo = shuffleXor32(b, m, LLVMBuildTrunc(b, bits, i32, "shfl.lo"), laneMask);
    LLVMValueRef hi = shuffleXor32(b, m, LLVMBuildTrunc(b, LLVMBuildLShr(b, bits, LLVMConstInt(i64, 32, 0), "hi"), i32, "shfl.hi"), laneMask);
    LLVMValueRef joined = LLVMBuildOr(b, LLVMBuildZExt(b, lo, i64, "lo64"),
        LLVMBuildShl(b, LLVMBuildZExt(b, hi, i64, "hi64"), LLVMConstInt(i64, 32, 0), "hi.shl"), "shfl.i64");
    return kind == LLVMDoubleTypeKind ? LLVMBuildBitCast(b, joined, t, "shfl.f64") : joined;
  }

  @Override
  public final LLVMValueRef sharedArray(LLVMModuleRef m, LLVMTypeRef elem, int count, String name) {
    LLVMTypeRef array = LLVMArrayType2(elem, count);
    long bytes = (long) count * LLVMABISizeOfType(LLVMGetModuleDataLayout(m), elem);
    if (count < 1 || bytes > sharedMemoryBytes()) {
      throw new IllegalArgumentException(name() + ": shared array " + name + " of " + count + " elements (" + bytes
          + " bytes) must hold 1.." + sharedMemoryBytes() + " bytes");
    }
    LLVMValueRef g = LLVMAddGlobalInAddressSpace(m, array, name, sharedAddressSpace());
    LLVMSetInitializer(g, LLVMGetPoison(array)); // shared memory cannot be initialized; every use writes first
    LLVMSetLinkage(g, LLVMInternalLinkage);
    LLVMSetAlignment(g, 8);
    return g;
  }
}
