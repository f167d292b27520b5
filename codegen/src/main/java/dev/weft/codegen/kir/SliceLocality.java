package dev.weft.codegen.kir;

import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Proves that a kernel may run on a leading prefix of its work: with the outermost parallel
 * loop split into {@code slices} equal runs, every work item of run {@code b} reads and writes
 * only slice {@code b} (the {@code b}-th block along axis 0) of each sliced buffer. Then the
 * kernel compiled for {@code slices} also computes a batch of {@code n <= slices} exactly, by
 * running work items {@code [0, n * extent / slices)} over the first {@code n} slices of each
 * buffer (row-major buffers keep those slices contiguous at their base address).
 *
 * <p>The proof substitutes {@code p0 = b*k + q} ({@code k} = the outer loop's extent / slices,
 * {@code 0 <= q < k}) into each flat index and evaluates it as {@code b*coef + [lo, hi]} with
 * interval arithmetic over the other loop and reduction variables; the access is slice-local
 * when {@code coef} is the slice's element count and {@code 0 <= lo <= hi < coef}. Anything the
 * arithmetic cannot follow (b under a non-exact division, a product of two variable terms, a
 * data-dependent index that is not clamped) is refused: the check is sound, not complete.
 */
public final class SliceLocality {
  private SliceLocality() {}

  private static final long NEG_INF = Long.MIN_VALUE;
  private static final long POS_INF = Long.MAX_VALUE;

  /** {@code b*coef + [lo, hi]}; {@code lo}/{@code hi} may be infinite (the MIN/MAX sentinels). */
  private record Lin(long coef, long lo, long hi) {
    static final Lin UNKNOWN = new Lin(0, NEG_INF, POS_INF);
  }

  /** Why a term cannot be followed. */
  private static final class Opaque extends RuntimeException {
    Opaque(String why) { super(why, null, false, false); }
  }

  /**
   * Returns null when {@code k} is slice-local for every buffer in {@code sliced}, else a
   * sentence saying which access is not (naming the buffer parameter).
   *
   * @param sliced parameters whose axis 0 is the sliced dim (each with {@code dim(0) == slices})
   * @param slices the number of slices (the dim's value the kernel was specialized for)
   */
  public static String check(Kernel k, Set<Buffer> sliced, long slices) {
    if (sliced.isEmpty()) return null;
    if (k.parallelLoops() == 0) return "it has no parallel loop to split";
    long e0 = k.loops().get(0).extent();
    if (slices <= 0 || e0 % slices != 0) return "its outer parallel loop (" + e0 + ") is not a multiple of " + slices;
    Map<Long, Long> extents = new HashMap<>();
    for (Kernel.Loop l : k.loops()) extents.put(l.var().longValue(), l.extent());
    List<Expr> roots = new java.util.ArrayList<>();
    for (Kernel.Store s : k.stores()) {
      roots.add(s.index());
      roots.add(s.value());
    }
    for (Expr r : FreeVars.reductions(roots)) extents.put(r.var().longValue(), r.extent());
    Analysis a = new Analysis(k.loops().get(0).var().longValue(), e0 / slices, extents);
    for (Kernel.Store s : k.stores()) {
      if (!sliced.contains(s.buffer())) {
        return "it writes " + s.buffer().name() + ", which has no " + slices + "-slice axis 0, from work split by slice";
      }
      String bad = a.local(s.buffer(), s.index(), slices, "writes");
      if (bad != null) return bad;
    }
    Map<Expr, Boolean> seen = new IdentityHashMap<>();
    for (Expr r : roots) {
      String bad = a.loads(r, sliced, slices, seen);
      if (bad != null) return bad;
    }
    return null;
  }

  private static final class Analysis {
    private final long outer;
    private final long k;
    private final Map<Long, Long> extents;
    private final Map<Expr, Lin> memo = new IdentityHashMap<>();

    Analysis(long outer, long k, Map<Long, Long> extents) {
      this.outer = outer;
      this.k = k;
      this.extents = extents;
    }

    String loads(Expr e, Set<Buffer> sliced, long slices, Map<Expr, Boolean> seen) {
      if (e == null || seen.put(e, Boolean.TRUE) != null) return null;
      if (e.kind() == Expr.Kind.LOAD && sliced.contains(e.buffer())) {
        String bad = local(e.buffer(), e.a(), slices, "reads");
        if (bad != null) return bad;
      }
      for (Expr c : new Expr[] {e.a(), e.b(), e.c()}) {
        String bad = loads(c, sliced, slices, seen);
        if (bad != null) return bad;
      }
      return null;
    }

    String local(Buffer buf, Expr index, long slices, String verb) {
      if (buf.rank() == 0 || buf.dim(0) != slices) return "it " + verb + " " + buf.name() + ", whose axis 0 is not " + slices;
      long slice = buf.elements() / slices;
      Lin l;
      try {
        l = lin(index);
      } catch (Opaque | ArithmeticException ex) {
        return "it " + verb + " " + buf.name() + " at an index the slice check cannot follow (" + ex.getMessage() + ")";
      }
      if (l.coef() != slice || l.lo() < 0 || l.hi() >= slice) {
        return "it " + verb + " " + buf.name() + " outside the slice of the work item (index = b*" + l.coef() + " + ["
            + show(l.lo()) + ", " + show(l.hi()) + "], slice = " + slice + " elements)";
      }
      return null;
    }

    private static String show(long v) { return v == NEG_INF ? "-inf" : v == POS_INF ? "+inf" : Long.toString(v); }

    Lin lin(Expr e) {
      Lin have = memo.get(e);
      if (have != null) return have;
      Lin out = compute(e);
      memo.put(e, out);
      return out;
    }

    private Lin compute(Expr e) {
      return switch (e.kind()) {
        case CONST -> {
          if (e.type().isFloat()) throw new Opaque("a float constant");
          long v = e.longValue();
          yield new Lin(0, v, v);
        }
        case VAR -> {
          if (e.longValue() == outer) yield new Lin(k, 0, k - 1);
          Long n = extents.get(e.longValue());
          if (n == null) throw new Opaque("variable " + e.name() + " has no known extent");
          yield new Lin(0, 0, Math.max(0, n - 1));
        }
        case LOAD -> {
          if (e.type().isFloat()) throw new Opaque("a float load");
          yield Lin.UNKNOWN;
        }
        case CAST -> {
          if (e.type().isFloat() || e.a().type().isFloat()) throw new Opaque("a float cast");
          yield lin(e.a());
        }
        case SELECT -> {
          Lin x = lin(e.b());
          Lin y = lin(e.c());
          if (x.coef() != y.coef()) throw new Opaque("a select between different slices");
          yield new Lin(x.coef(), Math.min(x.lo(), y.lo()), Math.max(x.hi(), y.hi()));
        }
        case BINARY -> binary(e.binary(), lin(e.a()), lin(e.b()));
        default -> throw new Opaque("a " + e.kind() + " term");
      };
    }

    private static Lin binary(BinaryOp op, Lin x, Lin y) {
      return switch (op) {
        case ADD -> new Lin(Math.addExact(x.coef(), y.coef()), add(x.lo(), y.lo()), add(x.hi(), y.hi()));
        case SUB -> new Lin(Math.subtractExact(x.coef(), y.coef()), add(x.lo(), neg(y.hi())), add(x.hi(), neg(y.lo())));
        case MUL -> {
          if (isConst(y)) yield scale(x, y.lo());
          if (isConst(x)) yield scale(y, x.lo());
          if (x.coef() != 0 || y.coef() != 0) throw new Opaque("the slice index times a variable");
          yield product(x, y);
        }
        case DIV -> {
          long d = divisor(y);
          if (x.coef() % d != 0 || x.lo() < 0) throw new Opaque("the slice index under a division by " + d);
          yield new Lin(x.coef() / d, x.lo() / d, x.hi() == POS_INF ? POS_INF : x.hi() / d);
        }
        case REM -> {
          long d = divisor(y);
          if (x.coef() % d != 0 || x.lo() < 0) throw new Opaque("the slice index under a remainder by " + d);
          yield x.hi() < d ? new Lin(0, x.lo(), x.hi()) : new Lin(0, 0, d - 1);
        }
        case MIN, MAX -> {
          if (x.coef() != y.coef()) throw new Opaque("a " + op + " across slices");
          yield op == BinaryOp.MIN
              ? new Lin(x.coef(), Math.min(x.lo(), y.lo()), Math.min(x.hi(), y.hi()))
              : new Lin(x.coef(), Math.max(x.lo(), y.lo()), Math.max(x.hi(), y.hi()));
        }
        default -> throw new Opaque("a " + op + " term");
      };
    }

    private static boolean isConst(Lin l) { return l.coef() == 0 && l.lo() == l.hi() && l.lo() != NEG_INF && l.lo() != POS_INF; }

    private static long divisor(Lin y) {
      if (!isConst(y) || y.lo() <= 0) throw new Opaque("a division by a non-constant or non-positive value");
      return y.lo();
    }

    private static Lin scale(Lin x, long c) {
      long coef = Math.multiplyExact(x.coef(), c);
      long a = mul(x.lo(), c);
      long b = mul(x.hi(), c);
      return new Lin(coef, Math.min(a, b), Math.max(a, b));
    }

    private static Lin product(Lin x, Lin y) {
      long[] c = {mul2(x.lo(), y.lo()), mul2(x.lo(), y.hi()), mul2(x.hi(), y.lo()), mul2(x.hi(), y.hi())};
      long lo = POS_INF;
      long hi = NEG_INF;
      for (long v : c) {
        lo = Math.min(lo, v);
        hi = Math.max(hi, v);
      }
      return new Lin(0, lo, hi);
    }

    private static boolean inf(long v) { return v == NEG_INF || v == POS_INF; }

    private static long neg(long v) { return v == NEG_INF ? POS_INF : v == POS_INF ? NEG_INF : -v; }

    private static long add(long a, long b) {
      if (a == NEG_INF || b == NEG_INF) {
        if (a == POS_INF || b == POS_INF) throw new Opaque("an unbounded index");
        return NEG_INF;
      }
      if (a == POS_INF || b == POS_INF) return POS_INF;
      return Math.addExact(a, b);
    }

    private static long mul(long a, long c) {
      if (c == 0) return 0;
      if (inf(a)) return (a == POS_INF) == (c > 0) ? POS_INF : NEG_INF;
      return Math.multiplyExact(a, c);
    }

    private static long mul2(long a, long b) {
      if (inf(a) || inf(b)) {
        if (a == 0 || b == 0) return 0;
        return (a > 0) == (b > 0) ? POS_INF : NEG_INF;
      }
      return Math.multiplyExact(a, b);
    }
  }
}
