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

  /** One loop: variable and static trip count. */
  public record Loop(Expr var, long extent) {
    public Loop {
      if (var.kind() != Expr.Kind.VAR) throw new KirException("loop variable must be a VAR");
      if (extent < 0) throw new KirException("negative loop extent " + extent);
    }
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

  /** Number of work items: the product of the parallel loops' extents. */
  public long extent() {
    long n = 1;
    for (int i = 0; i < parallelLoops; i++) n = Math.multiplyExact(n, loops.get(i).extent());
    return n;
  }

  @Override
  public String toString() { return ExprPrinter.print(this); }
}
