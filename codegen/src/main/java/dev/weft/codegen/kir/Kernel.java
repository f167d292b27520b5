package dev.weft.codegen.kir;

import java.util.List;

/**
 * One kernel: a loop nest over {@code loops} whose first {@code parallelLoops} loops are
 * independent work items (flattened, split across threads or GPU threads) and whose remaining
 * loops run in order inside each work item; the {@code stores} execute in the innermost body.
 * Reductions that do not depend on an inner loop's variable are computed once per enclosing
 * iteration (the emitter hoists them), which is what makes a row-wise softmax or layer norm
 * linear rather than quadratic in the row length.
 *
 * @param params the buffers in launch-argument order (inputs, constants, then outputs)
 * @param source a description of the fused group or node this kernel came from (for errors)
 */
public record Kernel(String name, List<Buffer> params, List<Loop> loops, int parallelLoops, List<Store> stores, String source) {
  public Kernel {
    params = List.copyOf(params);
    loops = List.copyOf(loops);
    stores = List.copyOf(stores);
    if (parallelLoops < 0 || parallelLoops > loops.size()) throw new KirException("parallelLoops " + parallelLoops + " of " + loops.size());
    for (Store s : stores) {
      if (!params.contains(s.buffer())) throw new KirException("store to " + s.buffer() + " which is not a parameter of " + name);
    }
  }

  /**
   * One loop: variable and static trip count; with a {@code limit} (an i64 expression of
   * {@link Expr.Kind#DIM}s, never above {@code extent}) only {@code [0, limit)} runs: a serial
   * loop stops there, a parallel loop's work items beyond it do nothing.
   */
  public record Loop(Expr var, long extent, Expr limit) {
    public Loop {
      if (var.kind() != Expr.Kind.VAR) throw new KirException("loop variable must be a VAR");
      if (extent < 0) throw new KirException("negative loop extent " + extent);
      if (limit != null && limit.type() != dev.weft.bundle.DType.I64) throw new KirException("loop limit must be i64");
    }

    public Loop(Expr var, long extent) { this(var, extent, null); }
  }

  /**
   * The symbolic dims the kernel reads ({@link Expr.Kind#DIM}, in loop limits, reduction limits
   * or values), by slot: entry {@code i} names the dim in slot {@code i}. Empty for a kernel
   * specialized on static shapes only.
   */
  public List<String> dims() {
    java.util.TreeMap<Long, String> slots = new java.util.TreeMap<>();
    java.util.Map<Expr, Boolean> seen = new java.util.IdentityHashMap<>();
    java.util.ArrayDeque<Expr> work = new java.util.ArrayDeque<>();
    for (Loop l : loops) if (l.limit() != null) work.add(l.limit());
    for (Store s : stores) {
      work.add(s.index());
      work.add(s.value());
    }
    while (!work.isEmpty()) {
      Expr e = work.pop();
      if (seen.put(e, Boolean.TRUE) != null) continue;
      if (e.kind() == Expr.Kind.DIM) slots.put(e.longValue(), e.name());
      for (Expr c : new Expr[] {e.a(), e.b(), e.c()}) if (c != null) work.push(c);
    }
    List<String> out = new java.util.ArrayList<>();
    for (var en : slots.entrySet()) {
      if (en.getKey() != out.size()) throw new KirException("kernel " + name + " reads dim slot " + en.getKey() + " but not slot " + out.size());
      out.add(en.getValue());
    }
    return out;
  }

  /**
   * {@code buffer[index] = value} (value converted to the buffer's element type), only where
   * {@code guard} (a bool expression, or null for always) holds: a tiled work item whose tile
   * runs past the end of a dim skips the stores of its surplus lanes ({@link KernelTiling}).
   * The value is computed either way, so its loads must stay in bounds.
   */
  public record Store(Buffer buffer, Expr index, Expr value, Expr guard) {
    public Store {
      if (guard != null && guard.type() != dev.weft.bundle.DType.BOOL) throw new KirException("store guard must be bool, got " + guard.type());
    }

    public Store(Buffer buffer, Expr index, Expr value) { this(buffer, index, value, null); }
  }

  /**
   * The number of valid work items when the dim is bound, when every parallel loop's run-time
   * limit is a {@link Monomial} of one dim: the static extents of the unlimited loops times the
   * limits (then the emitter splits work items by the limits, and a launch over exactly this
   * many items runs no idle item). Null when some limit is no monomial (work items are split by
   * the static extents and those beyond a limit skip) or when no parallel loop has a limit.
   */
  public Monomial denseWork() {
    DenseWork d = denseWorkOverDims();
    if (d == null || new java.util.HashSet<>(d.symbols()).size() != 1) return null;
    for (int i = 0; i < parallelLoops; i++) {
      Monomial m = loops.get(i).limit() == null ? null : Monomial.of(loops.get(i).limit());
      if (m != null) return new Monomial(d.factor(), d.symbols().size(), m.symbol(), m.slot());
    }
    return null;
  }

  /**
   * As {@link #denseWork} where the limits may be monomials of different dims (a loop over a
   * batch dim, one over a sequence dim): the number of valid work items as a constant factor
   * times dim names, one name per factor, ordered by slot ({@code 4*b*s*s}); null as there.
   * For limits of one dim it is {@link #denseWork}'s count.
   */
  public DenseWork denseWorkOverDims() {
    long factor = 1;
    java.util.TreeMap<Long, List<String>> bySlot = new java.util.TreeMap<>();
    for (int i = 0; i < parallelLoops; i++) {
      Loop l = loops.get(i);
      if (l.limit() == null) {
        factor = Math.multiplyExact(factor, l.extent());
        continue;
      }
      Monomial m = Monomial.of(l.limit());
      if (m == null) return null;
      factor = Math.multiplyExact(factor, m.coef());
      List<String> names = bySlot.computeIfAbsent(m.slot(), x -> new java.util.ArrayList<>());
      for (int k = 0; k < m.power(); k++) names.add(m.symbol());
    }
    if (bySlot.isEmpty()) return null;
    List<String> symbols = new java.util.ArrayList<>();
    for (List<String> names : bySlot.values()) symbols.addAll(names);
    return new DenseWork(factor, List.copyOf(symbols));
  }

  /** {@link #denseWorkOverDims}: {@code factor} times the product of {@code symbols}. */
  public record DenseWork(long factor, List<String> symbols) { }

  /** Number of work items: the product of the parallel loops' extents. */
  public long extent() {
    long n = 1;
    for (int i = 0; i < parallelLoops; i++) n = Math.multiplyExact(n, loops.get(i).extent());
    return n;
  }

  @Override
  public String toString() { return ExprPrinter.print(this); }
}
