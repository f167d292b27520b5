package dev.weft.backend.cpu;

import static org.bytedeco.llvm.global.LLVM.*;

import dev.weft.codegen.kir.KernelKind;
import dev.weft.codegen.kir.TileShape;
import dev.weft.codegen.llvm.MathIntrinsics;
import dev.weft.codegen.llvm.TargetSpec;
import dev.weft.codegen.target.KernelAttributes;
import dev.weft.codegen.target.Target;
import org.bytedeco.llvm.LLVM.LLVMBuilderRef;
import org.bytedeco.llvm.LLVM.LLVMModuleRef;
import org.bytedeco.llvm.LLVM.LLVMValueRef;

/**
 * The host: "cpu" is this machine (its cpu name and features, so the vectorizer uses AVX2 or
 * AVX-512 where present); "cpu:portable" is the x86-64 baseline, for bundles that must run on
 * any x86-64 machine. Kernels use the C calling convention and the begin/end ABI of
 * docs/KERNELS.md; the runtime's threads split the range, so there is no work-item index.
 */
public final class CpuTarget implements Target {
  public static final String HOST = "cpu";
  public static final String PORTABLE = "cpu:portable";

  private final String name;
  private final TargetSpec spec;

  private CpuTarget(String name, TargetSpec spec) {
    this.name = name;
    this.spec = spec;
  }

  public static CpuTarget host() { return new CpuTarget(HOST, TargetSpec.host()); }

  public static CpuTarget portable() { return new CpuTarget(PORTABLE, TargetSpec.portableHost()); }

  @Override public String name() { return name; }

  @Override public boolean gpu() { return false; }

  @Override public TargetSpec spec() { return spec; }

  @Override public int kernelCallingConvention() { return LLVMCCallConv; }

  @Override public int globalAddressSpace() { return 0; }

  @Override public int sharedAddressSpace() { return -1; }

  @Override public int warpSize() { return 1; }

  @Override public int defaultBlockSize() { return 1; }

  @Override public long sharedMemoryBytes() { return 0; }

  @Override
  public int vectorLanes() {
    if (spec.hasFeature("avx512f")) return 16;
    if (spec.hasFeature("avx")) return 8;
    return 4; // SSE2, which every x86-64 has
  }

  /**
   * Rows of a contraction's register tile (8 measured faster than 4 on mobilenet_v2,
   * testsuite/BENCHMARKS.md), along the loop that reuses the column vector's loads
   * (a pointwise convolution's output channels: one input vector feeds this many channel rows,
   * each weight element broadcast): independent accumulator chains that hide the FMA latency.
   */
  static final int CONTRACTION_ROWS = 8;

  /**
   * Elementwise and broadcast kernels run four vectors of consecutive elements of their
   * contiguous dim per work item, as a serial loop LLVM vectorizes (one index delinearization
   * per tile rather than per element). Contractions contiguous along their last dim (a
   * pointwise convolution, a matmul with a row-major right operand) compute a tile of
   * {@link #CONTRACTION_ROWS} rows by one vector of consecutive outputs per item, the rows along
   * the loop that shares the vector's loads (KernelTiling), their sums run as one loop; matmuls
   * with a constant right operand are tiled when lowered (GroupLowerer's column tile).
   * Convolutions with a window or channel sum (3x3, depthwise) compute one vector of
   * consecutive outputs per item too: their lanes' sums run as one loop nest sharing each
   * weight load and the window's index arithmetic.
   */
  @Override
  public TileShape preferredTile(KernelKind kind) {
    return switch (kind) {
      case ELEMENTWISE -> new TileShape(1, 4 * vectorLanes(), TileShape.Form.SERIAL);
      case CONTRACTION -> new TileShape(CONTRACTION_ROWS, vectorLanes(), TileShape.Form.REGISTER);
      case NESTED_SUMS -> new TileShape(1, vectorLanes(), TileShape.Form.REGISTER);
      case OTHER -> TileShape.NONE;
    };
  }

  @Override
  public LLVMValueRef workItemIndex(LLVMBuilderRef b, LLVMModuleRef m) {
    throw new UnsupportedOperationException(name + ": host kernels iterate [begin, end) given as arguments (docs/KERNELS.md)");
  }

  @Override
  public LLVMValueRef workItemStride(LLVMBuilderRef b, LLVMModuleRef m) {
    throw new UnsupportedOperationException(name + ": host kernels iterate [begin, end) given as arguments (docs/KERNELS.md)");
  }

  @Override
  public void decorateKernel(LLVMModuleRef m, LLVMValueRef fn, int blockSize) {
    LLVMSetFunctionCallConv(fn, LLVMCCallConv);
    // Exported from kernels.so under its own name.
    LLVMSetLinkage(fn, LLVMExternalLinkage);
    LLVMSetVisibility(fn, LLVMDefaultVisibility);
    KernelAttributes.targetAttributes(fn, spec);
  }

  @Override
  public void decorateHelper(LLVMValueRef fn) { KernelAttributes.targetAttributes(fn, spec); }

  @Override
  public boolean supportsIntrinsic(String name, int floatBits) { return MathIntrinsics.selectable(spec, name, floatBits); }

  @Override
  public String toString() { return name + " (" + spec.shortName() + ")"; }
}
