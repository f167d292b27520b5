package dev.weft.codegen.kir;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.bundle.DType;
import java.util.List;
import org.junit.jupiter.api.Test;

/** When a work item's serial iterations may be dealt to lanes: provably distinct stores, no loads of what is stored. */
class DistinctStoresTest {
  final ExprFactory f = new ExprFactory();
  final Buffer x = new Buffer("x", DType.F32, new long[] {4, 8});
  final Buffer y = new Buffer("y", DType.F32, new long[] {4, 8});
  final Expr i = f.newVar("i");
  final Expr j = f.newVar("j");

  Kernel kernel(Expr index, Expr value, Buffer... params) {
    return new Kernel("k", List.of(params), List.of(new Kernel.Loop(i, 4), new Kernel.Loop(j, 8)), 1,
        List.of(new Kernel.Store(y, index, value)), "test");
  }

  @Test
  void rowMajorStoresSplit() {
    Expr index = f.add(f.mul(i, f.index(8)), j);
    assertTrue(DistinctStores.splittable(kernel(index, f.load(x, index), x, y)));
  }

  @Test
  void overlappingOrNonAffineOrSelfReadingStoresDoNot() {
    Expr row = f.mul(i, f.index(8));
    // j / 2: iterations 0 and 1 store the same element
    assertFalse(DistinctStores.splittable(kernel(f.add(row, f.div(j, f.index(2))), f.load(x, f.add(row, j)), x, y)));
    // coefficient 0: every iteration stores the row's first element
    assertFalse(DistinctStores.splittable(kernel(row, f.load(x, f.add(row, j)), x, y)));
    // reads the buffer it stores (in-place): another lane may already have written it
    Expr index = f.add(row, j);
    assertFalse(DistinctStores.splittable(kernel(index, f.load(y, f.add(row, f.sub(f.index(7), j))), y)));
  }

  @Test
  void mixedRadixCoefficientsMustNotOverlap() {
    Expr k = f.newVar("k");
    Kernel.Loop li = new Kernel.Loop(i, 4);
    // 8*j + k over j < 3, k < 8: distinct; 4*j + k over k < 8: 4*1 + 0 == 0 + 4
    assertTrue(DistinctStores.injective(f.add(f.mul(j, f.index(8)), k), List.of(new Kernel.Loop(j, 3), new Kernel.Loop(k, 8))));
    assertFalse(DistinctStores.injective(f.add(f.mul(j, f.index(4)), k), List.of(new Kernel.Loop(j, 3), new Kernel.Loop(k, 8))));
    assertTrue(DistinctStores.injective(f.add(f.mul(i, f.index(100)), k), List.of(li, new Kernel.Loop(k, 1))), "extent 1 never collides");
  }
}
