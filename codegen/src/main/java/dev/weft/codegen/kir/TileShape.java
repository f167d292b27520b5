package dev.weft.codegen.kir;

/**
 * The tile a target wants one work item to compute ({@code Target.preferredTile}).
 *
 * @param rows outputs along the second-innermost parallel loop (1: that loop is not split)
 * @param cols outputs along the innermost parallel loop (1 with rows 1: no tiling)
 * @param form how the item runs its tile
 * @param minItems the fewest work items a tiled kernel should keep: a register tile trades
 *     parallelism for reuse, which only pays once the launch still fills the machine; the tile
 *     shrinks (rows first) until it leaves at least this many items, or goes away
 */
public record TileShape(int rows, int cols, Form form, long minItems) {
  /** How the outputs of one tile are computed. */
  public enum Form {
    /**
     * The tile's elements unrolled in the item: each is its own expression, all computed before
     * any store, so sums of one extent fuse and share loads (a GPU thread's register tile).
     */
    REGISTER,
    /**
     * The innermost split becomes a serial loop of {@code cols} consecutive elements inside the
     * item, which the host's vectorizer turns into vector code (instead of delinearizing every
     * element's index). Only {@code cols} is used.
     */
    SERIAL
  }

  public static final TileShape NONE = new TileShape(1, 1, Form.REGISTER);

  public TileShape {
    if (rows < 1 || cols < 1) throw new KirException("tile " + rows + "x" + cols);
    if (minItems < 1) throw new KirException("minItems " + minItems);
  }

  public TileShape(int rows, int cols, Form form) { this(rows, cols, form, 1); }

  public boolean none() { return rows == 1 && cols == 1; }
}
