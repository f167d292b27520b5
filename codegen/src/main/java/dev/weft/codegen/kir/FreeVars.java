package dev.weft.codegen.kir;

import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * The loop variables an expression depends on (a reduction binds its own variable), memoized
 * per expression: the emitter hoists a reduction to the outermost loop that binds all of them.
 */
public final class FreeVars {
  private final Map<Expr, long[]> memo = new IdentityHashMap<>();
  private final Map<Long, Expr> vars = new java.util.HashMap<>();

  /** Sorted ids of the variables {@code e} reads. */
  public long[] of(Expr e) {
    long[] have = memo.get(e);
    if (have != null) return have;
    TreeSet<Long> s = new TreeSet<>();
    switch (e.kind) {
      case CONST, DIM -> { }
      case VAR -> {
        s.add(e.id);
        vars.put(e.id, e);
      }
      case REDUCE -> {
        for (long v : of(e.a)) s.add(v);
        s.remove(e.var.id);
      }
      default -> {
        for (Expr c : new Expr[] {e.a, e.b, e.c}) if (c != null) for (long v : of(c)) s.add(v);
      }
    }
    long[] out = s.stream().mapToLong(Long::longValue).toArray();
    memo.put(e, out);
    return out;
  }

  /** Whether every free variable of {@code e} is in {@code bound}. */
  public boolean boundBy(Expr e, java.util.Set<Long> bound) {
    for (long v : of(e)) if (!bound.contains(v)) return false;
    return true;
  }

  /** Every REDUCE in {@code roots} (including those nested in other reductions), children before parents. */
  public static List<Expr> reductions(List<Expr> roots) {
    List<Expr> out = new ArrayList<>();
    Map<Expr, Boolean> seen = new IdentityHashMap<>();
    for (Expr r : roots) collect(r, seen, out);
    return out;
  }

  private static void collect(Expr e, Map<Expr, Boolean> seen, List<Expr> out) {
    if (e == null || seen.put(e, Boolean.TRUE) != null) return;
    collect(e.a, seen, out);
    collect(e.b, seen, out);
    collect(e.c, seen, out);
    if (e.kind == Expr.Kind.REDUCE) out.add(e);
  }
}
