package dev.weft.compiler;

/** The grid of a GPU launch, shared by every launch the compiler writes (thread-per-item and cooperative). */
final class LaunchGrid {
  /** The most blocks a launch asks for; kernels stride over the work items beyond them. */
  static final long MAX_BLOCKS = 65535L * 16;

  private LaunchGrid() {}

  /** ceil(extent / itemsPerBlock) blocks, at least 1 and at most {@link #MAX_BLOCKS}. */
  static long blocks(long extent, int itemsPerBlock) {
    return Math.max(1, Math.min((extent + itemsPerBlock - 1) / itemsPerBlock, MAX_BLOCKS));
  }
}
