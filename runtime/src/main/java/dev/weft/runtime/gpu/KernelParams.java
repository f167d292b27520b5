package dev.weft.runtime.gpu;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * The {@code kernelParams} array of {@code cuLaunchKernel}/{@code hipModuleLaunchKernel} for
 * docs/KERNELS.md's GPU ABI: {@code (ptr buf0, ..., ptr bufN-1, i64 dim0, ..., i64 dimM-1,
 * i64 extent)}. The driver wants one pointer per parameter, each pointing at the parameter's
 * value; every parameter here is 8 bytes (a device pointer or an i64), so the values sit in one
 * 8-byte-aligned block and the pointer array points into it. The driver copies the values at
 * launch (and at capture), so both may be freed once the launch call returns.
 */
public final class KernelParams {
  private KernelParams() {}

  /** The {@code void**} array, allocated in {@code arena}. */
  public static MemorySegment marshal(Arena arena, long[] buffers, long[] dims, long extent) {
    int n = buffers.length + dims.length + 1;
    MemorySegment values = arena.allocate(8L * n, 8);
    MemorySegment pointers = arena.allocate(ValueLayout.ADDRESS, n);
    int i = 0;
    for (long b : buffers) values.setAtIndex(ValueLayout.JAVA_LONG, i++, b);
    for (long d : dims) values.setAtIndex(ValueLayout.JAVA_LONG, i++, d);
    values.setAtIndex(ValueLayout.JAVA_LONG, i, extent);
    for (int k = 0; k < n; k++) pointers.setAtIndex(ValueLayout.ADDRESS, k, values.asSlice(8L * k, 8));
    return pointers;
  }

  /**
   * The grid actually launched: x shrunk to what the extent needs (kernels stride over the
   * extent, so any grid covers it; docs/KERNELS.md lets the runtime shrink the grid, never the block).
   */
  public static long[] grid(java.util.List<Long> grid, java.util.List<Long> block, long extent) {
    return grid(grid, block.get(0), extent);
  }

  /**
   * As {@link #grid(java.util.List, java.util.List, long)} for blocks that run {@code itemsPerBlock}
   * work items at a time: a cooperative kernel (one warp or one block per item) needs
   * ceil(extent / itemsPerBlock) blocks, not ceil(extent / block threads).
   */
  public static long[] grid(java.util.List<Long> grid, long itemsPerBlock, long extent) {
    long needed = Math.max(1, (extent + itemsPerBlock - 1) / itemsPerBlock);
    return new long[] {Math.min(grid.get(0), needed), grid.get(1), grid.get(2)};
  }
}
