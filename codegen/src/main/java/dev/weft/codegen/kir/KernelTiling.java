package dev.weft.codegen.kir;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * Tiling of a kernel's parallel loops, so that one work item computes a tile of outputs rather
 * than one element. A split loop {@code i < N} with tile {@code T} becomes a loop over tiles
 * {@code t < ceil(N / T)}, and {@code i = t*T + j} for the tile's lanes {@code j < T}:
 *
 * <ul>
 *   <li>{@link #register}: the lanes are unrolled in the item (one copy of every store per lane,
 *       over one or two loops), so their sums fuse and share loads;
 *   <li>{@link #serial}: the lanes become a serial loop right after the parallel ones, so the
 *       item runs {@code T} consecutive elements (vectorizable) rather than delinearizing each.
 * </ul>
 *
 * <p>Where {@code N} is not a multiple of {@code T}, the last tile's surplus lanes compute with
 * their index clamped to {@code N - 1} (every load stays in bounds: SELECT evaluates both arms)
 * and their stores are guarded by {@code t*T + j < N}, so no item writes outside its tile. Each
 * lane's value is the untiled expression at that index, so results do not depend on the tiling.
 */
public final class KernelTiling {
  private final ExprFactory f;

  private KernelTiling(Kernel k) { this.f = new ExprFactory(maxVarId(k) + 1); }

  /**
   * Applies the tile a target prefers, adapted to {@code k}'s extents, or returns {@code k}
   * unchanged when it does not apply (not all loops parallel, an empty loop, a dim of 1).
   * SERIAL tiles take a length that divides the innermost extent (the whole dim when it is at
   * most {@code cols}, else the largest divisor in [cols/4, cols]): no guard in the vector loop.
   * Without such a divisor the kernel stays untiled. REGISTER tiles split the innermost loop
   * by {@code cols} and, for {@code rows}, the loop whose tiling reuses the column lanes' loads
   * ({@link SharedLoads#rowLoop}).
   */
  public static Kernel apply(Kernel k, TileShape pref) {
    if (pref.none() || k.loops().isEmpty() || k.parallelLoops() != k.loops().size()) return k;
    // run-time limits (symbolic dims) bound the loops and sums of a fitted kernel: its tiles would need them too
    if (!k.dims().isEmpty()) return k;
    for (Kernel.Loop l : k.loops()) if (l.extent() == 0) return k;
    int inner = k.parallelLoops() - 1;
    long n = k.loops().get(inner).extent();
    if (pref.form() == TileShape.Form.SERIAL) {
      int t = serialLength(n, pref.cols());
      return t > 1 ? serial(k, inner, t) : k;
    }
    int cols = (int) Math.min(pref.cols(), n);
    int rowLoop = inner > 0 ? SharedLoads.rowLoop(k, inner) : -1;
    long m = rowLoop >= 0 ? k.loops().get(rowLoop).extent() : 1;
    int rows = rowLoop >= 0 ? (int) Math.min(pref.rows(), m) : 1;
    long others = k.extent() / (n * m);
    while (rows * cols > 1 && others * ceil(m, rows) * ceil(n, cols) < pref.minItems()) {
      if (rows > 1) rows /= 2;
      else cols /= 2;
    }
    if (rows <= 1 && cols <= 1) return k;
    return rows > 1 ? register(k, rowLoop, rows, inner, cols) : register(k, -1, 1, inner, cols);
  }

  private static long ceil(long n, int t) { return (n + t - 1) / t; }

  static int serialLength(long n, int cols) {
    if (n <= 1) return 1;
    if (n <= cols) return (int) n;
    for (int d = cols; d >= Math.max(2, cols / 4); d--) if (n % d == 0) return d;
    return 1;
  }

  /**
   * Register tile: parallel loop {@code colLoop} split by {@code cols} and, unless
   * {@code rowLoop} is negative, parallel loop {@code rowLoop} by {@code rows}; the item stores
   * {@code rows * cols} copies of each store, all values computed before any store.
   */
  public static Kernel register(Kernel k, int rowLoop, int rows, int colLoop, int cols) {
    check(k, colLoop, cols);
    if (rowLoop >= 0) {
      check(k, rowLoop, rows);
      if (rowLoop == colLoop) throw new KirException("row and column loops are the same loop " + colLoop);
    }
    KernelTiling t = new KernelTiling(k);
    List<Kernel.Loop> loops = new ArrayList<>(k.loops());
    Split col = t.split(loops, colLoop, cols);
    Split row = rowLoop >= 0 ? t.split(loops, rowLoop, rows) : null;
    List<Kernel.Store> stores = new ArrayList<>();
    for (int r = 0; r < (row == null ? 1 : rows); r++) {
      for (int c = 0; c < cols; c++) {
        Lane lane = new Lane();
        col.bind(t.f, lane, t.f.index(c));
        if (row != null) row.bind(t.f, lane, t.f.index(r));
        stores.addAll(t.rewrite(k.stores(), lane, null));
      }
    }
    return new Kernel(k.name(), k.params(), loops, k.parallelLoops(), stores, k.source());
  }

  /** Serial tile: parallel loop {@code loop} split by {@code cols}, the lanes a serial loop placed first among the serial loops. */
  public static Kernel serial(Kernel k, int loop, int cols) {
    check(k, loop, cols);
    KernelTiling t = new KernelTiling(k);
    List<Kernel.Loop> loops = new ArrayList<>(k.loops());
    Split s = t.split(loops, loop, cols);
    Expr j = t.f.newVar("j");
    loops.add(k.parallelLoops(), new Kernel.Loop(j, cols));
    Lane lane = new Lane();
    s.bind(t.f, lane, j);
    List<Kernel.Store> stores = t.rewrite(k.stores(), lane, j);
    return new Kernel(k.name(), k.params(), loops, k.parallelLoops(), stores, k.source());
  }

  private static void check(Kernel k, int loop, int size) {
    if (loop < 0 || loop >= k.parallelLoops()) throw new KirException("loop " + loop + " is not one of the " + k.parallelLoops() + " parallel loops of " + k.name());
    if (size < 1) throw new KirException("tile size " + size);
  }

  /** One split loop: its old variable, the new tile variable, the extent and the tile size. */
  private record Split(Expr old, Expr tile, long extent, int size) {
    /** Binds the old variable for lane offset {@code j}: exact for indices, clamped (and guarded) for values. */
    void bind(ExprFactory f, Lane lane, Expr j) {
      Expr i = f.add(f.mul(tile, f.index(size)), j);
      lane.index.put(old.longValue(), i);
      if (extent % size == 0) {
        lane.value.put(old.longValue(), i);
      } else {
        lane.value.put(old.longValue(), f.min(i, f.index(extent - 1)));
        Expr ok = f.lt(i, f.index(extent));
        lane.guard = lane.guard == null ? ok : f.and(lane.guard, ok);
      }
    }
  }

  /** The substitutions of one lane: store indices exact, values clamped, and the lane's guard. */
  private static final class Lane {
    final Map<Long, Expr> index = new HashMap<>();
    final Map<Long, Expr> value = new HashMap<>();
    Expr guard;
  }

  private Split split(List<Kernel.Loop> loops, int at, int size) {
    Kernel.Loop l = loops.get(at);
    Expr tile = f.newVar("t");
    loops.set(at, new Kernel.Loop(tile, (l.extent() + size - 1) / size));
    return new Split(l.var(), tile, l.extent(), size);
  }

  private List<Kernel.Store> rewrite(List<Kernel.Store> stores, Lane lane, Expr lead) {
    Map<Expr, Expr> indexMemo = new IdentityHashMap<>();
    Map<Expr, Expr> valueMemo = new IdentityHashMap<>();
    List<Kernel.Store> out = new ArrayList<>();
    for (Kernel.Store s : stores) {
      Expr guard = s.guard() == null ? lane.guard
          : lane.guard == null ? copy(s.guard(), lane.value, valueMemo, lead) : f.and(lane.guard, copy(s.guard(), lane.value, valueMemo, lead));
      out.add(new Kernel.Store(s.buffer(), leadLast(copy(s.index(), lane.index, indexMemo, lead), lead), copy(s.value(), lane.value, valueMemo, lead), guard));
    }
    return out;
  }

  /** {@code e} rebuilt in this factory with loop variables replaced per {@code sub}. */
  private Expr copy(Expr e, Map<Long, Expr> sub, Map<Expr, Expr> memo, Expr lead) {
    Expr have = memo.get(e);
    if (have != null) return have;
    Expr out = switch (e.kind) {
      case CONST -> e.type.isFloat() ? f.constant(e.type, e.constant) : f.constantLong(e.type, e.id);
      case VAR -> sub.containsKey(e.id) ? sub.get(e.id) : f.var(e.id, e.name);
      case LOAD -> f.load(e.buffer, leadLast(copy(e.a, sub, memo, lead), lead));
      case UNARY -> f.unary(e.unary(), copy(e.a, sub, memo, lead));
      case BINARY -> f.binary(e.binary(), copy(e.a, sub, memo, lead), copy(e.b, sub, memo, lead));
      case SELECT -> f.select(copy(e.a, sub, memo, lead), copy(e.b, sub, memo, lead), copy(e.c, sub, memo, lead));
      case CAST -> f.cast(e.type, copy(e.a, sub, memo, lead));
      case REDUCE -> f.reduce(e.reduce(), f.var(e.var.id, e.var.name), e.extent, copy(e.a, sub, memo, lead));
      case DIM -> throw new KirException("kernel tiling reached dim " + e.name + ": kernels reading dims are not tiled");
    };
    memo.put(e, out);
    return out;
  }

  /**
   * An index sum holding the serial lane variable {@code lead} as a summand, rewritten as
   * {@code rest + lead}: the emitter then addresses it as a row pointer plus the lane, which the
   * vectorizer sees as consecutive (see KernelEmitter's load).
   */
  private Expr leadLast(Expr index, Expr lead) {
    if (lead == null || index.kind != Expr.Kind.BINARY || index.binary() != BinaryOp.ADD) return index;
    List<Expr> terms = new ArrayList<>();
    summands(index, terms);
    if (terms.stream().filter(x -> x == lead).count() != 1) return index;
    Expr rest = f.index(0);
    for (Expr x : terms) if (x != lead) rest = f.add(rest, x);
    return f.add(rest, lead);
  }

  private static void summands(Expr e, List<Expr> out) {
    if (e.kind == Expr.Kind.BINARY && e.binary() == BinaryOp.ADD) {
      summands(e.a, out);
      summands(e.b, out);
    } else {
      out.add(e);
    }
  }

  private static long maxVarId(Kernel k) {
    long max = -1;
    for (Kernel.Loop l : k.loops()) max = Math.max(max, l.var().id);
    Map<Expr, Boolean> seen = new IdentityHashMap<>();
    ArrayList<Expr> work = new ArrayList<>();
    for (Kernel.Store s : k.stores()) {
      work.add(s.index());
      work.add(s.value());
      if (s.guard() != null) work.add(s.guard());
    }
    while (!work.isEmpty()) {
      Expr e = work.remove(work.size() - 1);
      if (e == null || seen.put(e, Boolean.TRUE) != null) continue;
      if (e.kind == Expr.Kind.VAR) max = Math.max(max, e.id);
      work.add(e.a);
      work.add(e.b);
      work.add(e.c);
      work.add(e.var);
    }
    return max;
  }
}
