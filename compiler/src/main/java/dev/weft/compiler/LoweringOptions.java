package dev.weft.compiler;

import dev.weft.codegen.kir.Kernel;
import java.util.function.UnaryOperator;

/**
 * How {@link ProgramLowering} lowers a graph: for which kind of device, with which range dim
 * kept symbolic, and which target choices (library matmuls, matmul column tiles, kernel tiles).
 * Start from {@link #host()}, {@link #gpu(int)} or {@link #of(KernelBackend)} and change one
 * choice at a time with the {@code with...} methods.
 *
 * @param gpu whether kernels launch on a GPU grid (launch geometry per step)
 * @param blockSize threads per block of a GPU launch
 * @param lift the range dim kept symbolic ({@code null}: every dim static)
 * @param libraryGemm whether qualifying matmuls become cuBLASLt library steps ({@link MatmulSplit}),
 *     their epilogues generated kernels; a group carrying the range dim stays kernels (library
 *     steps take static shapes)
 * @param matmulTileColumns output columns per matmul work item ({@link KernelBackend#matmulTileColumns};
 *     1: one element per item); kept off groups carrying a leading range dim
 * @param tiling each lowered kernel tiled for the target ({@link KernelBackend#tile}); not applied
 *     to groups carrying the range dim
 */
public record LoweringOptions(boolean gpu, int blockSize, ProgramLowering.Lift lift, boolean libraryGemm, int matmulTileColumns,
                              UnaryOperator<Kernel> tiling) {
  /** Host kernels, every dim static, every group generated kernels, untiled. */
  public static LoweringOptions host() { return new LoweringOptions(false, 1, null, false, 1, k -> k); }

  /** GPU kernels in blocks of {@code blockSize} threads, every dim static, every group generated kernels, untiled. */
  public static LoweringOptions gpu(int blockSize) { return new LoweringOptions(true, blockSize, null, false, 1, k -> k); }

  /** The backend's device kind, block size, matmul column tile and kernel tiling. */
  public static LoweringOptions of(KernelBackend backend) {
    return new LoweringOptions(backend.gpu(), backend.blockSize(), null, false, backend.matmulTileColumns(), backend::tile);
  }

  public LoweringOptions withLift(ProgramLowering.Lift lift) {
    return new LoweringOptions(gpu, blockSize, lift, libraryGemm, matmulTileColumns, tiling);
  }

  public LoweringOptions withLibraryGemm(boolean libraryGemm) {
    return new LoweringOptions(gpu, blockSize, lift, libraryGemm, matmulTileColumns, tiling);
  }
}
