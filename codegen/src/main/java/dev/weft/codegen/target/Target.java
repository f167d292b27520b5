package dev.weft.codegen.target;

import dev.weft.codegen.kir.KernelKind;
import dev.weft.codegen.kir.TileShape;
import dev.weft.codegen.llvm.TargetSpec;
import org.bytedeco.llvm.LLVM.LLVMBuilderRef;
import org.bytedeco.llvm.LLVM.LLVMModuleRef;
import org.bytedeco.llvm.LLVM.LLVMTypeRef;
import org.bytedeco.llvm.LLVM.LLVMValueRef;

/**
 * What kernel lowering needs to know about a target, asked instead of testing for a backend:
 * calling convention, address spaces, thread geometry, how to read the work-item index, and
 * which math intrinsics it compiles. Implementations live in the backend modules and are found
 * through {@link Targets} ({@link TargetProvider} services).
 */
public interface Target {
  /** "cpu", "cpu:portable", "cuda:sm_80", "cuda:sm_90", "cuda:sm_90a", "rocm:gfx90a", "rocm:gfx942". */
  String name();

  boolean gpu();

  TargetSpec spec();

  /** LLVM calling convention of kernel entry points: 0 C, 71 PTX kernel, 91 AMDGPU kernel. */
  int kernelCallingConvention();

  /** Address space of kernel buffer pointers: 0 on the host, 1 (global) on both GPUs. */
  int globalAddressSpace();

  /** Address space of block-shared memory: 3 on both GPUs, -1 on the host (none). */
  int sharedAddressSpace();

  /** Threads that execute in lock step: 1 on the host, 32 on NVPTX, 64 on gfx90a/gfx942. */
  int warpSize();

  /** Threads per block a launch uses unless the lowering picks another; 1 on the host (no blocks). */
  int defaultBlockSize();

  /** Shared memory a block may use without the runtime opting in to more; 0 on the host. */
  long sharedMemoryBytes();

  /**
   * f32 lanes of one vector register as this target's kernels are compiled: 16 with AVX-512, 8
   * with AVX/AVX2, 4 on the portable x86-64 baseline (SSE2). Lowering uses it as the register
   * tile of a matmul work item (that many output columns per item, see GroupLowerer). 1 on GPUs
   * for now: a thread there computes one element and the warp is the vector.
   */
  default int vectorLanes() { return 1; }

  /**
   * The tile one work item of a {@code kind} kernel should compute here
   * ({@link dev.weft.codegen.kir.KernelTiling#apply}, which adapts it to the kernel's extents);
   * {@link TileShape#NONE} keeps one element per item, the default.
   */
  default TileShape preferredTile(KernelKind kind) { return TileShape.NONE; }

  /**
   * i64 global work-item index (block id * block dim + thread id) emitted at the builder's
   * position. GPU targets only: host kernels receive their range as the begin/end arguments
   * (docs/KERNELS.md), so the host throws {@link UnsupportedOperationException}.
   */
  LLVMValueRef workItemIndex(LLVMBuilderRef b, LLVMModuleRef m);

  /** i64 total threads in the grid (grid dim * block dim), the stride of a grid-stride loop. GPU targets only. */
  LLVMValueRef workItemStride(LLVMBuilderRef b, LLVMModuleRef m);

  /**
   * Makes {@code fn} a kernel entry point launched with {@code blockSize} threads per block:
   * calling convention, launch-bound attributes or metadata, target-cpu/target-features.
   */
  void decorateKernel(LLVMModuleRef m, LLVMValueRef fn, int blockSize);

  /** target-cpu/target-features (and the attributes kernels need) on a non-kernel function. */
  void decorateHelper(LLVMValueRef fn);

  /**
   * Whether {@code llvm.<name>.f32} and {@code .f64} (exp, log, sqrt, fabs, floor, ceil, trunc,
   * rint, sin, cos, pow, minimum, maximum, copysign, fma, ...) compile on this target to inline
   * code: no libm call (kernels link without libm) and no instruction-selection abort.
   */
  default boolean supportsIntrinsic(String name) {
    return supportsIntrinsic(name, 32) && supportsIntrinsic(name, 64);
  }

  /** {@link #supportsIntrinsic(String)} for one width (32 or 64): AMDGPU selects exp/log only for f32. */
  boolean supportsIntrinsic(String name, int floatBits);

  // ---- Cooperative execution: the threads of a warp (or a block) share one work item
  // (docs/KERNELS.md "Cooperative launches"). GPU targets implement these; the host has no
  // warps and throws UnsupportedOperationException. Arguments are checked in Java: a
  // wrong-target intrinsic would abort LLVM's code generator, and with it the JVM.

  /** i64 index of the calling thread within its block (threadIdx.x / workitem.id.x). */
  default LLVMValueRef threadInBlock(LLVMBuilderRef b, LLVMModuleRef m) { throw new UnsupportedOperationException(name() + " has no thread blocks"); }

  /** i32 index of the calling thread within its warp (wave), 0 .. warpSize()-1. */
  default LLVMValueRef laneIndex(LLVMBuilderRef b, LLVMModuleRef m) { throw new UnsupportedOperationException(name() + " has no warps"); }

  /**
   * The value {@code value} holds in lane {@code lane ^ laneMask} of the calling warp (a
   * butterfly exchange). Every lane of the warp must execute it with the same mask. {@code
   * value} is f32, f64, i32 or i64; {@code 0 < laneMask < warpSize()}.
   */
  default LLVMValueRef shuffleXor(LLVMBuilderRef b, LLVMModuleRef m, LLVMValueRef value, int laneMask) {
    throw new UnsupportedOperationException(name() + " has no warp shuffles");
  }

  /**
   * A barrier for every thread of the block that also orders the block's shared-memory writes
   * before it with the reads after it. Every thread of the block must reach it.
   */
  default void barrier(LLVMBuilderRef b, LLVMModuleRef m) { throw new UnsupportedOperationException(name() + " has no block barrier"); }

  /**
   * A block-shared array of {@code count} elements of {@code elem} (a global in {@link
   * #sharedAddressSpace()}, uninitialized), as a pointer in that address space.
   */
  default LLVMValueRef sharedArray(LLVMModuleRef m, LLVMTypeRef elem, int count, String name) {
    throw new UnsupportedOperationException(name() + " has no shared memory");
  }
}
