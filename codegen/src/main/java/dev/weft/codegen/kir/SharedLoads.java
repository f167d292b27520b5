package dev.weft.codegen.kir;

import java.util.ArrayDeque;
import java.util.IdentityHashMap;
import java.util.Map;

/**
 * Which parallel loop a register tile's rows should split, chosen by what the loads share. The
 * columns split the innermost loop, so the loads that read its variable are the ones loaded
 * once per column lane (a pointwise convolution's input {@code x[n,ci,h,w]}, a matmul's right
 * operand {@code B[k,j]}). A row loop whose variable none of those loads reads makes every row
 * of the tile reuse them: splitting the output channels {@code co} of a pointwise convolution
 * shares each input vector across the channel rows (each weight element broadcast once per row),
 * where splitting the output rows {@code h} (the next loop out) shares nothing but the weight,
 * which the column lanes already share.
 */
final class SharedLoads {
  private SharedLoads() {}

  /**
   * The innermost parallel loop before {@code inner} with extent above 1 whose variable no load
   * under a reduction reading {@code inner}'s variable reads, or {@code inner - 1} when there is
   * none. Only loads under reductions count: they are the ones repeated per summand, which the
   * rows can share; an epilogue's load (a residual {@code r[n,co,h,w]} added after the sum) is
   * read once per output whatever the tile.
   */
  static int rowLoop(Kernel k, int inner) {
    long col = k.loops().get(inner).var().longValue();
    FreeVars free = new FreeVars();
    java.util.Set<Long> readWithCol = new java.util.HashSet<>();
    Map<Expr, Boolean> seen = new IdentityHashMap<>();
    ArrayDeque<Expr> work = new ArrayDeque<>();
    java.util.List<Expr> roots = new java.util.ArrayList<>();
    for (Kernel.Store s : k.stores()) roots.add(s.value());
    for (Expr r : FreeVars.reductions(roots)) work.push(r.a());
    while (!work.isEmpty()) {
      Expr e = work.pop();
      if (seen.put(e, Boolean.TRUE) != null) continue;
      if (e.kind == Expr.Kind.LOAD) {
        long[] vars = free.of(e.a);
        boolean readsCol = false;
        for (long v : vars) readsCol |= v == col;
        if (readsCol) for (long v : vars) readWithCol.add(v);
      }
      for (Expr c : new Expr[] {e.a, e.b, e.c}) if (c != null) work.push(c);
    }
    for (int l = inner - 1; l >= 0; l--) {
      Kernel.Loop loop = k.loops().get(l);
      if (loop.extent() > 1 && !readWithCol.contains(loop.var().longValue())) return l;
    }
    return inner - 1;
  }
}
