package dev.weft.runtime.gpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.List;
import org.junit.jupiter.api.Test;

class KernelParamsTest {
  @Test
  void onePointerPerParameterPointingAtItsValueInAbiOrder() {
    try (Arena a = Arena.ofConfined()) {
      long[] bufs = {0x7f00_0000_1000L, 0x7f00_0000_2000L, 0x7f00_0000_3000L};
      long[] dims = {5, 17};
      MemorySegment params = KernelParams.marshal(a, bufs, dims, 85);
      assertEquals(6 * ValueLayout.ADDRESS.byteSize(), params.byteSize());
      long[] expected = {0x7f00_0000_1000L, 0x7f00_0000_2000L, 0x7f00_0000_3000L, 5, 17, 85};
      long[] got = new long[6];
      for (int i = 0; i < 6; i++) {
        MemorySegment p = params.getAtIndex(ValueLayout.ADDRESS, i);
        assertEquals(0, p.address() % 8, "each value is 8-byte aligned");
        got[i] = p.reinterpret(8).get(ValueLayout.JAVA_LONG, 0);
      }
      assertArrayEquals(expected, got);
    }
  }

  @Test
  void extentAloneWhenThereAreNoBuffersOrDims() {
    try (Arena a = Arena.ofConfined()) {
      MemorySegment params = KernelParams.marshal(a, new long[0], new long[0], 42);
      assertEquals(42, params.getAtIndex(ValueLayout.ADDRESS, 0).reinterpret(8).get(ValueLayout.JAVA_LONG, 0));
    }
  }

  @Test
  void gridShrinksToTheExtentButNeverBelowOneAndNeverGrows() {
    assertArrayEquals(new long[] {3, 1, 1}, KernelParams.grid(List.of(100L, 1L, 1L), List.of(128L, 1L, 1L), 300));
    assertArrayEquals(new long[] {1, 1, 1}, KernelParams.grid(List.of(100L, 1L, 1L), List.of(128L, 1L, 1L), 1));
    assertArrayEquals(new long[] {8, 1, 1}, KernelParams.grid(List.of(8L, 1L, 1L), List.of(32L, 1L, 1L), 1 << 20));
  }

  @Test
  void cooperativeGridCountsItemsPerBlockNotThreads() {
    // 300 rows, a warp of 32 per row in 256-thread blocks: 8 rows per block -> ceil(300 / 8) = 38 blocks
    assertArrayEquals(new long[] {38, 1, 1}, KernelParams.grid(List.of(100L, 1L, 1L), 8, 300));
    // one block per row (block-wide reduction): 300 blocks, capped by the compiled grid
    assertArrayEquals(new long[] {100, 1, 1}, KernelParams.grid(List.of(100L, 1L, 1L), 1, 300));
    assertArrayEquals(new long[] {1, 1, 1}, KernelParams.grid(List.of(100L, 1L, 1L), 8, 0));
  }
}
