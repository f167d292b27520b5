package dev.weft.ir;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.weft.ir.ops.Broadcast;
import org.junit.jupiter.api.Test;

class BroadcastTest {
  @Test
  void staticShapes() {
    assertArrayEquals(new long[] {2, 3}, Broadcast.sizes(new long[] {2, 1}, new long[] {3}));
    assertArrayEquals(new long[] {4, 2, 3}, Broadcast.sizes(new long[] {4, 1, 3}, new long[] {2, 1}));
    assertArrayEquals(new long[] {0, 3}, Broadcast.sizes(new long[] {0, 1}, new long[] {3}));
    assertArrayEquals(new long[0], Broadcast.sizes(new long[0], new long[0]));
    assertThrows(IllegalArgumentException.class, () -> Broadcast.sizes(new long[] {2}, new long[] {3}));
    assertEquals(Shape.of(5, 2, 3), Broadcast.shapes(Shape.of(2, 1), Shape.of(5, 1, 3)));
    assertThrows(IrException.class, () -> Broadcast.shapes(Shape.of(2), Shape.of(3)));
  }

  @Test
  void symbolicShapes() {
    Dim n = Dim.sym("n");
    assertEquals(Shape.of(n, Dim.of(3)), Broadcast.shapes(Shape.of(n, Dim.of(1)), Shape.of(3)));
    assertEquals(Shape.of(n), Broadcast.shapes(Shape.of(n), Shape.of(n)));
    assertEquals(Shape.of(4), Broadcast.shapes(Shape.of(n), Shape.of(4)));   // n must be 4 (or 1) at run time
    assertEquals(Shape.of(n), Broadcast.shapes(Shape.of(1), Shape.of(n)));
    assertFalse(Broadcast.shapes(Shape.unranked(), Shape.of(2)).isRanked());
  }

  @Test
  void indexMaps() {
    assertNull(Broadcast.indexMap(new long[] {2, 3}, new long[] {2, 3}));
    assertArrayEquals(new long[] {0, 1, 2, 0, 1, 2}, Broadcast.indexMap(new long[] {3}, new long[] {2, 3}));
    assertArrayEquals(new long[] {0, 0, 0, 1, 1, 1}, Broadcast.indexMap(new long[] {2, 1}, new long[] {2, 3}));
    assertArrayEquals(new long[] {0, 0, 0, 0}, Broadcast.indexMap(new long[0], new long[] {2, 2}));
    assertArrayEquals(new long[] {0, 1, 0, 1, 2, 3, 2, 3},
        Broadcast.indexMap(new long[] {2, 1, 2}, new long[] {2, 2, 2}));
    assertArrayEquals(new long[] {0, 3, 1}, Broadcast.strides(new long[] {2, 3}, new long[] {1, 2, 3}));
    assertArrayEquals(new long[] {0, 1}, Broadcast.strides(new long[] {1, 3}, new long[] {2, 3}));
    assertArrayEquals(new long[] {0, 3, 1}, Broadcast.strides(new long[] {2, 3}, new long[] {5, 2, 3}));
  }
}
