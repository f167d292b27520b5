package dev.weft.codegen.lower;

import static dev.weft.codegen.lower.LoweringCheck.check;
import static dev.weft.codegen.lower.LoweringCheck.random;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.bundle.DType;
import dev.weft.bundle.Tensor;
import dev.weft.codegen.kir.Buffer;
import dev.weft.codegen.kir.Evaluator;
import dev.weft.codegen.kir.Kernel;
import dev.weft.codegen.kir.KernelKind;
import dev.weft.codegen.kir.KernelTiling;
import dev.weft.codegen.kir.TileShape;
import dev.weft.ir.Attribute;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@link KernelTiling} on seeded random shapes (dims 0, 1, odd, not multiples of the tile): each
 * tiled kernel, run by the kir evaluator, must give the interpreter's results (LoweringCheck) and
 * exactly the untiled kernel's results; the evaluator rejects any out-of-bounds load or store, so
 * surplus lanes that read or wrote past a dim would fail here.
 */
class KernelTilingTest {
  private static final double RTOL = 1e-5;
  private static final double ATOL = 1e-5;

  /** Tilings to try on a kernel; each returns the kernel unchanged where it does not apply. */
  private static List<UnaryOperator<Kernel>> tilings(Random r) {
    List<UnaryOperator<Kernel>> out = new ArrayList<>();
    int t = 2 + r.nextInt(6);
    int rows = 1 + r.nextInt(3);
    out.add(k -> allParallel(k) ? KernelTiling.serial(k, k.parallelLoops() - 1, t) : k);
    out.add(k -> allParallel(k) ? KernelTiling.register(k, -1, 1, k.parallelLoops() - 1, t) : k);
    out.add(k -> allParallel(k) && k.parallelLoops() >= 2 ? KernelTiling.register(k, k.parallelLoops() - 2, rows, k.parallelLoops() - 1, t) : k);
    out.add(k -> KernelTiling.apply(k, new TileShape(1, 64, TileShape.Form.SERIAL)));
    out.add(k -> KernelTiling.apply(k, new TileShape(2, 2, TileShape.Form.REGISTER)));
    out.add(k -> KernelTiling.apply(k, new TileShape(4, 4, TileShape.Form.REGISTER)));
    return out;
  }

  private static boolean allParallel(Kernel k) { return !k.loops().isEmpty() && k.parallelLoops() == k.loops().size(); }

  /** Runs every kernel tiled and, on a copy of memory, untiled; requires identical outputs. */
  private static LoweringCheck.Runner tiledRunner(UnaryOperator<Kernel> tiling) {
    return (kernels, memory) -> {
      Map<Buffer, Tensor> plain = new HashMap<>();
      for (Map.Entry<Buffer, Tensor> e : memory.entrySet()) plain.put(e.getKey(), copy(e.getValue()));
      for (Kernel k : kernels) {
        Evaluator.run(k, plain);
        Kernel tiled = tiling.apply(k);
        Evaluator.run(tiled, memory);
        for (Kernel.Store s : k.stores()) {
          Tensor want = plain.get(s.buffer());
          Tensor got = memory.get(s.buffer());
          for (long i = 0; i < want.size(); i++) {
            assertEquals(bits(want, i), bits(got, i), () -> "element differs from untiled in\n" + tiled);
          }
        }
      }
    };
  }

  private static long bits(Tensor t, long i) {
    return t.dtype().isFloat() ? Double.doubleToRawLongBits(t.getDouble(i)) : t.getLong(i);
  }

  private static Tensor copy(Tensor t) {
    Tensor c = Tensor.zeros(t.dtype(), t.shape());
    for (long i = 0; i < t.size(); i++) {
      if (t.dtype().isFloat()) c.setDouble(i, t.getDouble(i));
      else if (t.dtype() == DType.BOOL) c.setBool(i, t.getBool(i));
      else c.setLong(i, t.getLong(i));
    }
    return c;
  }

  private static long dim(Random r) {
    int k = r.nextInt(12);
    return k < 2 ? 1 : k == 2 ? 0 : 2 + r.nextInt(19);
  }

  @ParameterizedTest
  @ValueSource(longs = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12})
  void broadcastChains(long seed) {
    Random r = new Random(seed);
    long[] s = new long[1 + r.nextInt(3)];
    for (int i = 0; i < s.length; i++) s[i] = dim(r);
    long[] b = s.clone();
    for (int i = 0; i < b.length; i++) if (r.nextBoolean()) b[i] = 1;
    Tensor x = random(DType.F32, seed, 3, s);
    Tensor y = random(DType.F32, seed + 100, 3, b);
    for (UnaryOperator<Kernel> tiling : tilings(r)) {
      check(tiledRunner(tiling), "add", Map.of(), 0, 0, x, y);
      check(tiledRunner(tiling), "mul", Map.of(), 0, 0, y, x);
    }
  }

  @ParameterizedTest
  @ValueSource(longs = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12})
  void matmuls(long seed) {
    Random r = new Random(seed);
    long m = dim(r);
    long k = Math.max(1, dim(r));
    long n = dim(r);
    Tensor a = random(DType.F32, seed, 2, m, k);
    Tensor w = random(DType.F32, seed + 7, 2, k, n);
    for (UnaryOperator<Kernel> tiling : tilings(r)) check(tiledRunner(tiling), "matmul", Map.of(), RTOL, ATOL, a, w);
  }

  @ParameterizedTest
  @ValueSource(longs = {1, 2, 3, 4, 5, 6})
  void convolutions(long seed) {
    Random r = new Random(seed);
    long c = 1 + r.nextInt(3);
    long o = 1 + r.nextInt(5);
    long h = 1 + r.nextInt(7);
    long w = 1 + r.nextInt(9);
    Tensor x = random(DType.F32, seed, 1, 1, c, h, w);
    Tensor kern = random(DType.F32, seed + 3, 1, o, c, 1, Math.min(3, w));
    Tensor bias = random(DType.F32, seed + 5, 1, o);
    Map<String, Attribute> attrs = Map.of();
    for (UnaryOperator<Kernel> tiling : tilings(r)) check(tiledRunner(tiling), "conv", attrs, RTOL, ATOL, x, kern, bias);
  }

  /**
   * Pointwise (1x1) convolutions with bias on random shapes (batch, channels and maps of 1, odd
   * sizes, channel counts not multiples of the tile), tiled as the host tiles them (rows along
   * the output channels, KernelTiling's shared-load choice) and by the fixed tilings: exactly
   * the untiled kernel's results, and the interpreter's.
   */
  @ParameterizedTest
  @ValueSource(longs = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12})
  void pointwiseConvolutions(long seed) {
    Random r = new Random(seed);
    long n = 1 + r.nextInt(2);
    long c = 1 + r.nextInt(6);
    long o = 1 + r.nextInt(11);
    long h = 1 + r.nextInt(7);
    long w = 1 + r.nextInt(13);
    Tensor x = random(DType.F32, seed, 1, n, c, h, w);
    Tensor kern = random(DType.F32, seed + 3, 1, o, c, 1, 1);
    Tensor bias = random(DType.F32, seed + 5, 1, o);
    List<UnaryOperator<Kernel>> all = tilings(r);
    all.add(k -> KernelTiling.apply(k, new TileShape(4, 8, TileShape.Form.REGISTER)));
    all.add(k -> KernelTiling.apply(k, new TileShape(3, 5, TileShape.Form.REGISTER, 4)));
    for (UnaryOperator<Kernel> tiling : all) {
      check(tiledRunner(tiling), "conv", Map.of(), RTOL, ATOL, x, kern, bias);
      check(tiledRunner(tiling), "conv", Map.of(), RTOL, ATOL, x, kern);
    }
  }

  /**
   * A register tile's rows split the loop whose variable the column lanes' loads do not read: a
   * pointwise convolution's output channels (every channel row reuses the input vector), not its
   * output rows (which share only the weight, already shared by the lanes); a matmul's rows.
   */
  @Test
  void rowsSplitTheLoopThatSharesTheColumnLoads() {
    Kernel conv = lowered("conv", random(DType.F32, 1, 1, 1, 3, 5, 6), random(DType.F32, 2, 1, 8, 3, 1, 1), random(DType.F32, 3, 1, 8));
    assertEquals(KernelKind.CONTRACTION, KernelKind.of(conv));
    List<Long> before = extents(conv);
    List<Long> after = extents(KernelTiling.apply(conv, new TileShape(4, 4, TileShape.Form.REGISTER)));
    int co = before.indexOf(8L);
    int h = before.indexOf(5L);
    assertTrue(co >= 0 && h >= 0, "loops " + before);
    assertEquals(2L, after.get(co), "8 output channels in rows of 4: " + before + " -> " + after);
    assertEquals(5L, after.get(h), "output rows not split: " + before + " -> " + after);
    assertEquals(2L, after.get(after.size() - 1), "6 columns in tiles of 4");

    // a residual added after the sum reads every loop, but once per output: it does not decide the rows
    Kernel.Store out = conv.stores().get(0);
    assertEquals(1, conv.stores().size());
    Buffer res = new Buffer("residual", DType.F32, out.buffer().shape());
    dev.weft.codegen.kir.ExprFactory f = new dev.weft.codegen.kir.ExprFactory();
    List<Buffer> params = new ArrayList<>(conv.params());
    params.add(res);
    Kernel residual = new Kernel(conv.name(), params, conv.loops(), conv.parallelLoops(),
        List.of(new Kernel.Store(out.buffer(), out.index(), f.add(out.value(), f.load(res, out.index())), null)), conv.source());
    assertEquals(KernelKind.CONTRACTION, KernelKind.of(residual));
    assertEquals(after, extents(KernelTiling.apply(residual, new TileShape(4, 4, TileShape.Form.REGISTER))));

    Kernel mm = lowered("matmul", random(DType.F32, 1, 1, 2, 6, 5), random(DType.F32, 2, 1, 5, 7));
    List<Long> mmAfter = extents(KernelTiling.apply(mm, new TileShape(2, 4, TileShape.Form.REGISTER)));
    assertEquals(List.of(2L, 3L, 2L), mmAfter, "matmul rows (6 in 2s) and columns (7 in 4s) split, batch kept");
  }

  private static List<Long> extents(Kernel k) {
    List<Long> out = new ArrayList<>();
    for (Kernel.Loop l : k.loops()) out.add(l.extent());
    return out;
  }

  /**
   * Spatial and depthwise convolutions on random geometry (odd sizes, strides, dilations, pads,
   * groups, size-1 dims, 1-D and 2-D) under every tiling: the lanes' nested sums must give
   * exactly the untiled kernel's results.
   */
  @ParameterizedTest
  @ValueSource(longs = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16})
  void windowConvolutions(long seed) {
    Random r = new Random(seed);
    RandomConv conv = RandomConv.of(r, seed);
    for (UnaryOperator<Kernel> tiling : tilings(r)) check(tiledRunner(tiling), "conv", conv.attrs(), RTOL, ATOL, conv.inputs());
  }

  @Test
  void kindsAndShapesOfTiledKernels() {
    Kernel add = lowered("add", random(DType.F32, 1, 1, 3, 40), random(DType.F32, 2, 1, 40));
    Kernel mm = lowered("matmul", random(DType.F32, 1, 1, 6, 5), random(DType.F32, 2, 1, 5, 7));
    Kernel softmax = lowered("softmax", random(DType.F32, 1, 1, 6, 5));
    assertEquals(KernelKind.ELEMENTWISE, KernelKind.of(add));
    assertEquals(KernelKind.CONTRACTION, KernelKind.of(mm));
    assertEquals(KernelKind.OTHER, KernelKind.of(softmax));
    // a constant right operand is stored transposed: a column's loads stride by K, not consecutive
    assertEquals(KernelKind.OTHER, KernelKind.of(lowered("matmul", random(DType.F32, 1, 1, 6, 5), new LoweringCheck.Const(random(DType.F32, 2, 1, 5, 7)))));
    assertEquals(KernelKind.CONTRACTION, KernelKind.of(lowered("conv", random(DType.F32, 1, 1, 1, 3, 5, 6), random(DType.F32, 2, 1, 4, 3, 1, 1))));
    assertEquals(KernelKind.NESTED_SUMS, KernelKind.of(lowered("conv", random(DType.F32, 1, 1, 1, 3, 5, 6), random(DType.F32, 2, 1, 4, 3, 3, 3))),
        "nested sums (channels, taps)");
    assertEquals(KernelKind.OTHER, KernelKind.of(lowered("conv", Map.of("strides", Attribute.of(new long[] {2, 2})),
        random(DType.F32, 1, 1, 1, 3, 9, 9), random(DType.F32, 2, 1, 4, 3, 3, 3))), "a stride-2 window is not tiled");
    assertEquals(KernelKind.OTHER, KernelKind.of(lowered("max_pool", Map.of("kernel_shape", Attribute.of(new long[] {3, 3})), random(DType.F32, 1, 1, 1, 3, 5, 6))),
        "a window of MAX is no sum");
    assertSame(softmax, KernelTiling.apply(softmax, new TileShape(1, 16, TileShape.Form.SERIAL)), "serial loops: untiled");

    // 40 = 5 tiles of 8: no guard, one serial lane loop of 8, 3*5 items
    Kernel serial = KernelTiling.apply(add, new TileShape(1, 8, TileShape.Form.SERIAL));
    assertEquals(15, serial.extent());
    assertEquals(3, serial.loops().size());
    assertEquals(8, serial.loops().get(2).extent());
    assertTrue(serial.stores().stream().allMatch(s -> s.guard() == null));
    // the lane variable is the last summand of the store index: the emitter addresses a row plus
    // the lane, which LLVM sees as consecutive (a flat "row | lane" index kept the loop scalar)
    dev.weft.codegen.kir.Expr lane = serial.loops().get(2).var();
    for (Kernel.Store s : serial.stores()) assertSame(lane, s.index().b(), "store index " + s.index());
    // 40 = 2*16 + 8: a prime-free divisor in [4, 16] is 10, so 4 tiles of 10
    assertEquals(12, KernelTiling.apply(add, new TileShape(1, 16, TileShape.Form.SERIAL)).extent());

    // 6x7 outputs in 2x2 tiles: 3x4 items, the last column tile half surplus (guarded), 4 stores per item
    Kernel reg = KernelTiling.apply(mm, new TileShape(2, 2, TileShape.Form.REGISTER));
    assertEquals(12, reg.extent());
    assertEquals(4 * mm.stores().size(), reg.stores().size());
    assertTrue(reg.stores().stream().anyMatch(s -> s.guard() != null));
    assertNotEquals(mm.toString(), reg.toString());
    // a minimum item count shrinks the tile, rows first: 42 outputs keep >= 21 items as 6x4 items of 1x2
    Kernel wide = KernelTiling.apply(mm, new TileShape(2, 2, TileShape.Form.REGISTER, 21));
    assertEquals(24, wide.extent());
    assertSame(mm, KernelTiling.apply(mm, new TileShape(2, 2, TileShape.Form.REGISTER, 43)), "no tile leaves 43 items");
  }

  @Test
  void emptyAndUnitDimsAreLeftAlone() {
    Kernel empty = lowered("add", random(DType.F32, 1, 1, 0, 9), random(DType.F32, 2, 1, 9));
    assertSame(empty, KernelTiling.apply(empty, new TileShape(1, 8, TileShape.Form.SERIAL)));
    Kernel column = lowered("add", random(DType.F32, 1, 1, 9, 1), random(DType.F32, 2, 1, 9, 1));
    assertSame(column, KernelTiling.apply(column, new TileShape(1, 8, TileShape.Form.SERIAL)));
  }

  private static Kernel lowered(String op, Object... inputs) { return lowered(op, Map.of(), inputs); }

  private static Kernel lowered(String op, Map<String, Attribute> attrs, Object... inputs) {
    List<Kernel> out = new ArrayList<>();
    check((kernels, memory) -> {
      out.addAll(kernels);
      LoweringCheck.EVALUATOR.run(kernels, memory);
    }, op, attrs, RTOL, ATOL, inputs);
    return out.get(out.size() - 1);
  }
}
