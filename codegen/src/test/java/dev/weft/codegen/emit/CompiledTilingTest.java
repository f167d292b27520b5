package dev.weft.codegen.emit;

import static dev.weft.codegen.lower.LoweringCheck.check;
import static dev.weft.codegen.lower.LoweringCheck.random;

import dev.weft.bundle.DType;
import dev.weft.codegen.kir.Kernel;
import dev.weft.codegen.kir.KernelTiling;
import dev.weft.codegen.lower.LoweringCheck;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

/**
 * Tiled kernels compiled by LLVM and run on the host against the interpreter: serial lane
 * loops and register tiles, with and without surplus lanes (the emitter branches around a
 * guarded store). A store past the end would corrupt a neighbouring result or crash.
 */
class CompiledTilingTest {
  private static LoweringCheck.Runner jit(UnaryOperator<Kernel> tiling) {
    return (kernels, memory) -> {
      for (Kernel k : kernels) HostJit.run(tiling.apply(k), memory, HostJit.host(false));
    };
  }

  private static UnaryOperator<Kernel> serial(int t) {
    return k -> k.parallelLoops() == k.loops().size() ? KernelTiling.serial(k, k.parallelLoops() - 1, t) : k;
  }

  private static UnaryOperator<Kernel> register(int rows, int cols) {
    return k -> k.parallelLoops() == k.loops().size() && k.parallelLoops() >= 2
        ? KernelTiling.register(k, k.parallelLoops() - 2, rows, k.parallelLoops() - 1, cols) : k;
  }

  @Test
  void serialLaneLoops() {
    for (int t : new int[] {4, 7, 16, 64}) {
      check(jit(serial(t)), "add", Map.of(), 0, 0, random(DType.F32, t, 3, 5, 37), random(DType.F32, t + 1, 3, 37));
      check(jit(serial(t)), "mul", Map.of(), 0, 0, random(DType.F32, t, 3, 3, 64), random(DType.F32, t + 1, 3, 3, 1));
    }
  }

  /**
   * Random convolutions (RandomConv: strides, dilations, pads, groups, size-1 dims) register
   * tiled along the output width as the host tiles them: the lanes' nested sums run as one loop
   * nest (KernelEmitter's fused sums), which must give the interpreter's results.
   */
  @org.junit.jupiter.params.ParameterizedTest
  @org.junit.jupiter.params.provider.ValueSource(longs = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12})
  void windowConvolutionLanes(long seed) {
    java.util.Random r = new java.util.Random(seed);
    dev.weft.codegen.lower.RandomConv conv = dev.weft.codegen.lower.RandomConv.of(r, seed);
    for (int cols : new int[] {3, 8}) {
      UnaryOperator<Kernel> lanes = k -> KernelTiling.apply(k, new dev.weft.codegen.kir.TileShape(1, cols, dev.weft.codegen.kir.TileShape.Form.REGISTER));
      check(jit(lanes), "conv", conv.attrs(), 1e-5, 1e-5, conv.inputs());
    }
  }

  /**
   * Pointwise convolutions (bias, odd channel counts and widths, maps of 1) tiled as the host
   * tiles them: rows along the output channels, a vector of columns, surplus lanes guarded.
   */
  @org.junit.jupiter.params.ParameterizedTest
  @org.junit.jupiter.params.provider.ValueSource(longs = {1, 2, 3, 4, 5, 6})
  void pointwiseConvolutionTiles(long seed) {
    java.util.Random r = new java.util.Random(seed);
    long c = 1 + r.nextInt(9);
    long o = 1 + r.nextInt(13);
    long h = 1 + r.nextInt(6);
    long w = 1 + r.nextInt(19);
    for (int[] rc : new int[][] {{4, 8}, {4, 16}, {3, 5}}) {
      UnaryOperator<Kernel> tile = k -> KernelTiling.apply(k, new dev.weft.codegen.kir.TileShape(rc[0], rc[1], dev.weft.codegen.kir.TileShape.Form.REGISTER));
      check(jit(tile), "conv", Map.of(), 1e-5, 1e-5, random(DType.F32, seed, 1, 1, c, h, w), random(DType.F32, seed + 1, 1, o, c, 1, 1), random(DType.F32, seed + 2, 1, o));
    }
  }

  @Test
  void registerTiles() {
    for (int[] rc : new int[][] {{2, 2}, {3, 4}, {1, 8}}) {
      check(jit(register(rc[0], rc[1])), "matmul", Map.of(), 1e-5, 1e-5, random(DType.F32, 1, 2, 7, 9), random(DType.F32, 2, 2, 9, 13));
      check(jit(register(rc[0], rc[1])), "matmul", Map.of(), 1e-5, 1e-5, random(DType.F32, 3, 2, 8, 16), random(DType.F32, 4, 2, 16, 8));
    }
  }
}
