package dev.weft.codegen.target;

import dev.weft.codegen.kir.KernelKind;
import dev.weft.codegen.kir.TileShape;
import dev.weft.codegen.llvm.MathIntrinsics;
import dev.weft.codegen.llvm.TargetSpec;
import org.bytedeco.llvm.LLVM.LLVMValueRef;

/**
 * What NVPTX and AMDGPU targets share: global memory in address space 1 and block-shared memory
 * in 3, 256-thread blocks by default, target-cpu/features on helpers, and math intrinsics
 * decided by what the target's instruction selector takes. Subclasses give the name, calling
 * convention, warp size, shared memory and how a kernel reads its work-item index.
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
}
