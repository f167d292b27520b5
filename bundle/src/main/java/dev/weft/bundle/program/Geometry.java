package dev.weft.bundle.program;

import java.util.List;

/**
 * GPU launch geometry of a launch step: grid and block in three dims, dynamic shared memory,
 * and how many work items one block runs at a time ({@code items_per_block}): the block's x
 * size when each thread runs its own work item, fewer when a work item is shared by a warp or
 * the whole block (cooperative kernels, docs/KERNELS.md). Host (CPU) launches have none. The
 * runtime may shrink the grid (kernels stride over the extent) but never changes the block.
 */
public record Geometry(List<Long> grid, List<Long> block, long sharedBytes, long itemsPerBlock) {
  public Geometry {
    grid = List.copyOf(grid);
    block = List.copyOf(block);
    check("grid", grid);
    check("block", block);
    if (sharedBytes < 0 || sharedBytes > 0xFFFF_FFFFL) throw new IllegalArgumentException("shared_bytes out of range: " + sharedBytes);
    // The threads of one block split evenly between its items (a warp or the whole block each).
    if (itemsPerBlock < 1 || block.get(0) % itemsPerBlock != 0) {
      throw new IllegalArgumentException("items_per_block must divide block x " + block.get(0) + ", got " + itemsPerBlock);
    }
  }

  /** One work item per thread. */
  public Geometry(List<Long> grid, List<Long> block, long sharedBytes) {
    this(grid, block, sharedBytes, block.isEmpty() ? 1 : block.get(0));
  }

  public static Geometry of(long gridX, long blockX, long sharedBytes) {
    return new Geometry(List.of(gridX, 1L, 1L), List.of(blockX, 1L, 1L), sharedBytes);
  }

  /** A 1-D launch whose blocks run {@code itemsPerBlock} work items at a time. */
  public static Geometry of(long gridX, long blockX, long sharedBytes, long itemsPerBlock) {
    return new Geometry(List.of(gridX, 1L, 1L), List.of(blockX, 1L, 1L), sharedBytes, itemsPerBlock);
  }

  /** Whether each thread runs its own work items (items_per_block is the block's x size). */
  public boolean threadPerItem() { return itemsPerBlock == block.get(0); }

  private static void check(String what, List<Long> v) {
    if (v.size() != 3) throw new IllegalArgumentException(what + " must have 3 entries, has " + v.size());
    for (long x : v) {
      // The driver APIs take unsigned 32-bit dims; 0 is never a valid launch.
      if (x < 1 || x > 0xFFFF_FFFFL) throw new IllegalArgumentException(what + " entry out of range: " + x);
    }
  }
}
