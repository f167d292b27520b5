package dev.weft.codegen.kir;

import dev.weft.bundle.DType;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * How a GPU kernel shares each work item among several threads (docs/KERNELS.md, "Cooperative
 * launches"). A kernel qualifies when its work items carry a reduction hoisted to work-item
 * level (bound by the parallel loop variables alone) of at least {@link #MIN_EXTENT} terms:
 * the row max and sum of a softmax, a layer norm's mean and variance, a reduce_mean, a
 * matmul's dot product. Then {@code lanes} threads (one warp, or the whole block for rows of
 * at least {@link #BLOCK_EXTENT}) run one work item:
 * <ol>
 *   <li>each such reduction: lane {@code l} folds terms {@code l, l + lanes, l + 2 lanes, ...}
 *       from the identity, the warp combines the partials with a butterfly (for masks
 *       {@code warpSize/2 .. 1}: {@code acc = combine(acc, shuffleXor(acc, mask))}), so every
 *       lane holds the warp's result; with several warps, lane 0 of each writes it to shared
 *       memory and, after a barrier, every thread folds the warps' results in warp order
 *       (from the first), then a second barrier frees the slots for the next item;</li>
 *   <li>the stores: with {@code splitStores}, iterations {@code l, l + lanes, ...} of the
 *       outermost serial loop run on lane {@code l} ({@link DistinctStores} proves that safe);
 *       otherwise lane 0 runs the work item's serial loops and stores alone.</li>
 * </ol>
 * Reductions below the threshold, and everything nested inside a cooperative one, stay serial
 * in every lane. The float sum order therefore changes (per lane strided, then a tree): a sum of
 * n terms differs from the serial one by rounding, bounded by about (n/lanes + log2 lanes) ulp
 * of the sum of magnitudes. MAX and MIN give the serial result (NaN propagates through the
 * same combine as the serial loop's); integer sums wrap identically.
 *
 * @param lanes threads per work item: the warp size, or the block size (a multiple of it)
 * @param reductions the work-item-level reductions run cooperatively, children before parents
 */
public record CooperativePlan(int lanes, int warpSize, List<Expr> reductions, boolean splitStores) {
  /** Fewest terms a reduction needs before a warp shares it: below, most lanes would idle. */
  public static final long MIN_EXTENT = 64;
  /** Rows at least this long take a whole block (several warps) per work item. */
  public static final long BLOCK_EXTENT = 4096;
  /**
   * Work items from which a reduction reading some operand with a stride along its variable (the
   * right operand of a matmul, B[k, n]) stays one thread per item: lanes stepping through k
   * would each touch a different row of B (one memory transaction per lane), while threads of
   * consecutive items read consecutive columns of it together. Below this many items a thread
   * per item leaves most of an H100/H200-class GPU (132 SMs x 2048 threads) idle, and a warp per
   * item is worth its uncoalesced reads. Rows read contiguously (softmax, layer norm, means)
   * are coalesced either way and cooperate at any item count. Not measured on a GPU yet.
   */
  public static final long STRIDED_ITEMS = 65536;
  /** Bytes of shared memory one warp's partial of one reduction takes (f64/i64 at most). */
  static final int SLOT_BYTES = 8;

  public CooperativePlan {
    reductions = List.copyOf(reductions);
    if (warpSize < 2 || lanes < warpSize || lanes % warpSize != 0 || Integer.bitCount(warpSize) != 1) {
      throw new KirException("cooperative plan of " + lanes + " lanes with warp size " + warpSize);
    }
  }

  /** Warps per work item: 1 for a warp per item, more when the block shares one item. */
  public int warps() { return lanes / warpSize; }

  /** Work items one block of {@code blockSize} threads runs at a time. */
  public int itemsPerBlock(int blockSize) { return blockSize / lanes; }

  /**
   * The plan for {@code k} on a target with warps of {@code warpSize} threads, blocks of {@code
   * blockSize} and {@code sharedBytes} of shared memory per block; null keeps one thread per
   * work item (no warps, no qualifying reduction).
   */
  public static CooperativePlan of(Kernel k, int warpSize, int blockSize, long sharedBytes) {
    return of(k, warpSize, blockSize, sharedBytes, MIN_EXTENT, BLOCK_EXTENT);
  }

  /** {@link #of(Kernel, int, int, long)} with explicit thresholds (tests exercise tiny rows with them). */
  public static CooperativePlan of(Kernel k, int warpSize, int blockSize, long sharedBytes, long minExtent, long blockExtent) {
    if (warpSize < 2 || Integer.bitCount(warpSize) != 1 || blockSize < warpSize || blockSize % warpSize != 0) return null;
    Set<Long> items = new HashSet<>();
    for (int d = 0; d < k.parallelLoops(); d++) items.add(k.loops().get(d).var().longValue());
    List<Expr> roots = new ArrayList<>();
    for (Kernel.Store s : k.stores()) {
      roots.add(s.index());
      roots.add(s.value());
    }
    FreeVars free = new FreeVars();
    List<Expr> chosen = new ArrayList<>();
    long longest = 0;
    for (Expr r : FreeVars.reductions(roots)) {
      if (r.extent() >= minExtent && shuffles(r.type()) && free.boundBy(r, items)
          && (k.extent() < STRIDED_ITEMS || KernelKind.contiguousAlong(List.of(r.a()), r.var().longValue(), free))) {
        chosen.add(r);
        longest = Math.max(longest, r.extent());
      }
    }
    if (chosen.isEmpty()) return null;
    int lanes = warpSize;
    int warpsPerBlock = blockSize / warpSize;
    if (longest >= blockExtent && warpsPerBlock > 1 && (long) chosen.size() * warpsPerBlock * SLOT_BYTES <= sharedBytes) lanes = blockSize;
    return new CooperativePlan(lanes, warpSize, chosen, DistinctStores.splittable(k));
  }

  /** Types a warp shuffle moves (Target.shuffleXor): f32, f64 and 32/64-bit integers. */
  static boolean shuffles(DType t) {
    return switch (t) {
      case F32, F64, I32, U32, I64, U64 -> true;
      default -> false;
    };
  }
}
