package dev.weft.codegen.kir;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.bundle.DType;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Hand-built kernels over a [4, 5] batch: which accesses stay in the work item's slice. */
class SliceLocalityTest {
  private final ExprFactory f = new ExprFactory();
  private final long[] shape = {4, 5};
  private final Buffer x = new Buffer("x", DType.F32, shape);
  private final Buffer y = new Buffer("y", DType.F32, shape);
  private final Buffer w = new Buffer("w", DType.F32, new long[] {5});
  private final Expr i = f.newVar("i");
  private final Expr j = f.newVar("j");

  private Kernel kernel(List<Kernel.Loop> loops, int parallel, Buffer out, Expr index, Expr value) {
    return new Kernel("k", List.of(x, w, out), loops, parallel, List.of(new Kernel.Store(out, index, value)), "test");
  }

  @Test
  void rowWiseOpsAreLocal() {
    Expr ij = f.linear(new Expr[] {i, j}, shape);
    Kernel k = kernel(List.of(new Kernel.Loop(i, 4), new Kernel.Loop(j, 5)), 2, y, ij, f.add(f.load(x, ij), f.load(w, j)));
    assertNull(SliceLocality.check(k, Set.of(x, y), 4));
    // one flat parallel loop over 20 items: p / 5 is the row
    Expr p = f.newVar("p");
    Kernel flat = new Kernel("flat", List.of(x, y), List.of(new Kernel.Loop(p, 20)), 1, List.of(new Kernel.Store(y, p, f.load(x, p))), "t");
    assertNull(SliceLocality.check(flat, Set.of(x, y), 4));
    // a row reduction inside the work item
    Expr r = f.newVar("r");
    Expr sum = f.reduce(ReduceOp.SUM, r, 5, f.load(x, f.linear(new Expr[] {i, r}, shape)));
    Kernel red = kernel(List.of(new Kernel.Loop(i, 4), new Kernel.Loop(j, 5)), 2, y, ij, sum);
    assertNull(SliceLocality.check(red, Set.of(x, y), 4));
  }

  @Test
  void crossSliceAccessesAreRefused() {
    Expr ij = f.linear(new Expr[] {i, j}, shape);
    // reads the next row
    Kernel next = kernel(List.of(new Kernel.Loop(i, 4), new Kernel.Loop(j, 5)), 2, y, ij,
        f.load(x, f.add(ij, f.index(5))));
    String why = SliceLocality.check(next, Set.of(x, y), 4);
    assertNotNull(why);
    assertTrue(why.contains("reads x"), why);
    // a sum over the batch axis into an unsliced buffer
    Buffer s = new Buffer("s", DType.F32, new long[] {5});
    Expr b = f.newVar("b");
    Expr colSum = f.reduce(ReduceOp.SUM, b, 4, f.load(x, f.linear(new Expr[] {b, j}, shape)));
    Kernel cols = new Kernel("cols", List.of(x, s), List.of(new Kernel.Loop(j, 5)), 1, List.of(new Kernel.Store(s, j, colSum)), "t");
    assertNotNull(SliceLocality.check(cols, Set.of(x), 4));
    // a transposed read: x[j, i] with i the outer loop over 4
    Buffer t = new Buffer("t", DType.F32, new long[] {4, 4});
    Expr jj = f.newVar("jj");
    Kernel tr = new Kernel("tr", List.of(t, y), List.of(new Kernel.Loop(i, 4), new Kernel.Loop(jj, 4)), 2,
        List.of(new Kernel.Store(y, f.linear(new Expr[] {i, jj}, new long[] {4, 5}), f.load(t, f.linear(new Expr[] {jj, i}, new long[] {4, 4})))), "t");
    assertNotNull(SliceLocality.check(tr, Set.of(t, y), 4));
  }
}
