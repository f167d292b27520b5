package dev.weft.backend.rocm;

/**
 * One {@code amdhsa.kernels} entry of a code object's metadata note: what the HSA loader uses
 * to find ({@code .symbol}, the kernel descriptor) and launch ({@code .kernarg_segment_size},
 * segment sizes) a kernel, and the register use that decides occupancy.
 */
public record AmdhsaKernel(String name, String symbol, int kernargSegmentSize, int groupSegmentFixedSize,
                           int privateSegmentFixedSize, int sgprCount, int vgprCount, int sgprSpillCount,
                           int vgprSpillCount, int maxFlatWorkgroupSize, int wavefrontSize) {}
