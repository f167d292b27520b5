package dev.weft.bundle.program;

import java.util.List;

/**
 * GPU launch geometry of a launch step: grid and block in three dims, dynamic shared memory.
 * Host (CPU) launches have none. The runtime may shrink the grid (kernels stride over the
 * extent) but never changes the block.
 */
public record Geometry(List<Long> grid, List<Long> block, long sharedBytes) {
  public Geometry {
    grid = List.copyOf(grid);
    block = List.copyOf(block);
    check("grid", grid);
    check("block", block);
    if (sharedBytes < 0 || sharedBytes > 0xFFFF_FFFFL) throw new IllegalArgumentException("shared_bytes out of range: " + sharedBytes);
  }

  public static Geometry of(long gridX, long blockX, long sharedBytes) {
    return new Geometry(List.of(gridX, 1L, 1L), List.of(blockX, 1L, 1L), sharedBytes);
  }

  private static void check(String what, List<Long> v) {
    if (v.size() != 3) throw new IllegalArgumentException(what + " must have 3 entries, has " + v.size());
    for (long x : v) {
      // The driver APIs take unsigned 32-bit dims; 0 is never a valid launch.
      if (x < 1 || x > 0xFFFF_FFFFL) throw new IllegalArgumentException(what + " entry out of range: " + x);
    }
  }
}
