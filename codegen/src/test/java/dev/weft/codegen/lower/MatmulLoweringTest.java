package dev.weft.codegen.lower;

import static dev.weft.codegen.lower.LoweringCheck.check;
import static dev.weft.codegen.lower.LoweringCheck.random;

import dev.weft.bundle.DType;
import dev.weft.bundle.Tensor;
import dev.weft.ir.Attribute;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** matmul against the interpreter: floats at rtol 1e-4, atol 1e-5 (summation order differs), integers exactly. */
class MatmulLoweringTest {
  static final double RTOL = 1e-4;
  static final double ATOL = 1e-5;

  static void f32(long[] a, long[] b) {
    check("matmul", Map.of(), RTOL, ATOL, random(DType.F32, a.length * 31L + b.length, 2, a), random(DType.F32, 7 + b.length, 2, b));
  }

  @Test
  void floatShapes() {
    f32(new long[] {3, 4}, new long[] {4, 5});
    f32(new long[] {1, 7}, new long[] {7, 1});
    f32(new long[] {4}, new long[] {4, 5});
    f32(new long[] {3, 4}, new long[] {4});
    f32(new long[] {9}, new long[] {9});
    f32(new long[] {2, 1, 3, 4}, new long[] {5, 4, 6});
    f32(new long[] {4}, new long[] {2, 4, 3});
    f32(new long[] {2, 3, 4}, new long[] {4});
    f32(new long[] {3, 1, 2, 5}, new long[] {1, 4, 5, 3});
    f32(new long[] {3, 33}, new long[] {33, 17});
  }

  @Test
  void emptyDims() {
    f32(new long[] {3, 0}, new long[] {0, 5}); // K = 0: zeros
    f32(new long[] {0, 4}, new long[] {4, 5});
    f32(new long[] {1, 3, 4}, new long[] {0, 4, 2});
    f32(new long[] {0}, new long[] {0});
  }

  @Test
  void otherFloatTypes() {
    check("matmul", Map.of(), 1e-12, 1e-12, random(DType.F64, 1, 2, 3, 6), random(DType.F64, 2, 2, 6, 4));
    check("matmul", Map.of(), 1e-3, 1e-3, random(DType.F16, 3, 2, 3, 6), random(DType.F16, 4, 2, 6, 4));
    check("matmul", Map.of(), 1e-2, 1e-2, random(DType.BF16, 5, 2, 2, 3, 6), random(DType.BF16, 6, 2, 6, 4));
  }

  static Map<String, Attribute> result(DType t) { return Map.of("result_type", Attribute.of(t)); }

  @Test
  void integerAccumulationWidth() {
    Tensor a = random(DType.U8, 10, 255, 3, 7);
    Tensor b = random(DType.I8, 11, 127, 7, 5);
    check("matmul", result(DType.I32), 0, 0, a, b);
    check("matmul", result(DType.I16), 0, 0, a, b);
    check("matmul", result(DType.I64), 0, 0, a, b);
    check("matmul", Map.of(), 0, 0, random(DType.I8, 12, 127, 4, 9), random(DType.I8, 13, 127, 9, 3)); // i8 accumulation wraps
    check("matmul", Map.of(), 0, 0, random(DType.I64, 14, 1e15, 2, 3, 4), random(DType.I64, 15, 1e6, 4, 2));
    check("matmul", result(DType.I32), 0, 0, random(DType.U8, 16, 255, 5), random(DType.U8, 17, 255, 5, 2));
    check("matmul", result(DType.I32), 0, 0, random(DType.U8, 18, 255, 3, 0), random(DType.U8, 19, 255, 0, 2));
  }

  @Test
  void integerZeroPoints() {
    Tensor a = random(DType.U8, 20, 255, 4, 6);
    Tensor b = random(DType.I8, 21, 127, 6, 3);
    Tensor za = Tensor.of(DType.U8, new long[0], 128);
    Tensor zb = Tensor.of(DType.I8, new long[] {1}, -3);
    check("matmul", result(DType.I32), 0, 0, a, b, za, zb);
    check("matmul", result(DType.I32), 0, 0, a, b, za, null);
    check("matmul", result(DType.I32), 0, 0, a, b, null, zb);
    // per row of A, per column of B
    check("matmul", result(DType.I32), 0, 0, a, b, random(DType.U8, 22, 255, 4), random(DType.I8, 23, 127, 3));
    check("matmul", result(DType.I32), 0, 0, a, b, random(DType.U8, 24, 255, 4, 1), random(DType.I8, 25, 127, 1, 3));
    // batched A: per-row zero points repeat per batch, or cover every row
    Tensor ab = random(DType.U8, 26, 255, 2, 4, 6);
    check("matmul", result(DType.I32), 0, 0, ab, b, random(DType.U8, 27, 255, 4), null);
    check("matmul", result(DType.I32), 0, 0, ab, b, random(DType.U8, 28, 255, 8), null);
    check("matmul", result(DType.I32), 0, 0, ab, random(DType.I8, 29, 127, 2, 6, 3), random(DType.U8, 30, 255, 2, 4, 1),
        random(DType.I8, 31, 127, 3));
    // 1-D A with a scalar zero point
    check("matmul", result(DType.I32), 0, 0, random(DType.U8, 32, 255, 6), b, Tensor.of(DType.U8, new long[] {1}, 7), null);
  }

  @org.junit.jupiter.api.Test
  void transposeFlagsSwapTheStoredOperandsLastTwoDims() {
    var t1 = dev.weft.ir.Attribute.of(1L);
    check("matmul", Map.of("transpose_b", t1), RTOL, ATOL, random(DType.F32, 11, 2, 2, 3, 5), random(DType.F32, 12, 2, 4, 5));
    check("matmul", Map.of("transpose_a", t1), RTOL, ATOL, random(DType.F32, 13, 2, 5, 3), random(DType.F32, 14, 2, 2, 5, 4));
    check("matmul", Map.of("transpose_a", t1, "transpose_b", t1), RTOL, ATOL, random(DType.F32, 15, 2, 1, 7, 3),
        random(DType.F32, 16, 2, 6, 4, 7));
  }

  @Test
  void constantRightOperandIsReadTransposed() {
    Tensor w = random(DType.F32, 41, 2, 5, 3);
    check("matmul", Map.of(), RTOL, ATOL, random(DType.F32, 40, 2, 4, 5), new LoweringCheck.Const(w));
    check("matmul", Map.of(), RTOL, ATOL, random(DType.F32, 42, 2, 2, 4, 5), new LoweringCheck.Const(random(DType.F32, 43, 2, 2, 5, 3)));
    check("matmul", Map.of(), 0, 0, random(DType.I8, 44, 127, 4, 9), new LoweringCheck.Const(random(DType.I8, 45, 127, 9, 3)));
    // the kernel reads w^T: element (n, k) of a [3, 5] buffer holds w[k, n]
    dev.weft.ir.Graph g = new dev.weft.ir.Graph("mm_const");
    dev.weft.ir.GraphBuilder b = new dev.weft.ir.GraphBuilder(g);
    dev.weft.ir.Value x = g.addInput("x", new dev.weft.ir.TensorType(DType.F32, dev.weft.ir.Shape.of(4, 5)));
    g.addOutput(b.op1("matmul", Map.of(), x, b.constant(w)));
    var kernels = GroupLowerer.lower("k", g, null, "mm_const").kernels();
    dev.weft.codegen.kir.Buffer wt = kernels.get(0).params().stream().filter(p -> p.data() != null).findFirst().orElseThrow();
    org.junit.jupiter.api.Assertions.assertArrayEquals(new long[] {3, 5}, wt.shape());
    for (int k = 0; k < 5; k++) for (int n = 0; n < 3; n++) org.junit.jupiter.api.Assertions.assertEquals(w.getDouble(k * 3L + n), wt.data().getDouble(n * 5L + k));
    // a GPU lowering keeps the row-major weight (threads read it coalesced)
    var gpu = GroupLowerer.lower("k", g, null, "mm_const", true, false).kernels();
    org.junit.jupiter.api.Assertions.assertArrayEquals(new long[] {5, 3}, gpu.get(0).params().stream().filter(p -> p.data() != null).findFirst().orElseThrow().shape());
  }

  /** Right operands for the tiled checks: an input, and a constant (read transposed on hosts). */
  static Object[] rights(long seed, long... shape) {
    return new Object[] {random(DType.F32, seed, 2, shape), new LoweringCheck.Const(random(DType.F32, seed + 1, 2, shape))};
  }

  @Test
  void tiledColumnsMatchTheInterpreterOnOddSizes() {
    for (int tile : new int[] {4, 8, 16}) {
      long[] ns = {1, 7, tile - 1, tile, tile + 1, 2L * tile + 3};
      for (long n : ns) {
        for (Object b : rights(100 + n, 5, n)) {
          check(LoweringCheck.EVALUATOR, tile, "matmul", Map.of(), RTOL, ATOL, random(DType.F32, 50 + n, 2, 3, 5), b);
        }
        // size-1 dims and broadcast batch
        check(LoweringCheck.EVALUATOR, tile, "matmul", Map.of(), RTOL, ATOL, random(DType.F32, 60 + n, 2, 1, 1, 4), random(DType.F32, 61, 2, 4, n));
        check(LoweringCheck.EVALUATOR, tile, "matmul", Map.of(), RTOL, ATOL, random(DType.F32, 62 + n, 2, 2, 1, 3, 4),
            random(DType.F32, 63, 2, 3, 4, n));
        check(LoweringCheck.EVALUATOR, tile, "matmul", Map.of(), RTOL, ATOL, random(DType.F32, 64 + n, 2, 2, 3, 6),
            new LoweringCheck.Const(random(DType.F32, 65, 2, 6, n)));
        // a vector on the right: the result's last dim is M, nothing to tile over N
        check(LoweringCheck.EVALUATOR, tile, "matmul", Map.of(), RTOL, ATOL, random(DType.F32, 66 + n, 2, n, 4), random(DType.F32, 67, 2, 4));
      }
      check(LoweringCheck.EVALUATOR, tile, "matmul", Map.of("transpose_b", Attribute.of(1)), RTOL, ATOL, random(DType.F32, 70, 2, 3, 5),
          random(DType.F32, 71, 2, tile + 1, 5));
      check(LoweringCheck.EVALUATOR, tile, "matmul", Map.of("result_type", Attribute.of(DType.I32)), 0, 0, random(DType.I8, 72, 127, 3, 6),
          new LoweringCheck.Const(random(DType.I8, 73, 127, 6, tile + 1)), Tensor.scalar(DType.I8, 3), random(DType.I8, 74, 10, tile + 1));
    }
  }

  @Test
  void tiledKernelComputesATileOfColumnsPerWorkItem() {
    // x[3, 5] @ w[5, 10] + bias, relu: tile 4 gives 3 x ceil(10 / 4) work items of 4 stores each
    dev.weft.ir.Graph g = new dev.weft.ir.Graph("mm_epilogue");
    dev.weft.ir.GraphBuilder b = new dev.weft.ir.GraphBuilder(g);
    dev.weft.ir.Value x = g.addInput("x", new dev.weft.ir.TensorType(DType.F32, dev.weft.ir.Shape.of(3, 5)));
    dev.weft.ir.Value mm = b.op1("matmul", Map.of(), x, b.constant(random(DType.F32, 80, 2, 5, 10)));
    dev.weft.ir.Value biased = b.op1("add", Map.of(), mm, b.constant(random(DType.F32, 81, 2, 10)));
    g.addOutput(b.op1("relu", Map.of(), biased));
    var kernels = GroupLowerer.lower("k", g, null, "mm_epilogue", true, true, 4).kernels();
    org.junit.jupiter.api.Assertions.assertEquals(1, kernels.size());
    org.junit.jupiter.api.Assertions.assertEquals(3 * 3, kernels.get(0).extent());
    org.junit.jupiter.api.Assertions.assertEquals(4, kernels.get(0).stores().size());
    org.junit.jupiter.api.Assertions.assertEquals(30, GroupLowerer.lower("k", g, null, "mm_epilogue", true, true, 1).kernels().get(0).extent());
    LoweringCheck.checkGraph(LoweringCheck.EVALUATOR, g, java.util.List.of(random(DType.F32, 82, 2, 3, 5)), RTOL, ATOL, 4);
    // long rows narrow the tile: 16 rows of K = 1024 floats would stream 64 KiB per step, 4 stream 16 KiB
    dev.weft.ir.Graph wide = new dev.weft.ir.Graph("mm_long_k");
    dev.weft.ir.GraphBuilder wb = new dev.weft.ir.GraphBuilder(wide);
    dev.weft.ir.Value wx = wide.addInput("x", new dev.weft.ir.TensorType(DType.F32, dev.weft.ir.Shape.of(2, 1024)));
    wide.addOutput(wb.op1("matmul", Map.of(), wx, wb.constant(random(DType.F32, 85, 2, 1024, 32))));
    org.junit.jupiter.api.Assertions.assertEquals(2 * 32 / 4, GroupLowerer.lower("k", wide, null, "mm_long_k", true, true, 16).kernels().get(0).extent());
    // a softmax over the matmul's columns keeps one element per item (its row reductions make the columns serial)
    dev.weft.ir.Graph s = new dev.weft.ir.Graph("mm_softmax");
    dev.weft.ir.GraphBuilder sb = new dev.weft.ir.GraphBuilder(s);
    dev.weft.ir.Value sx = s.addInput("x", new dev.weft.ir.TensorType(DType.F32, dev.weft.ir.Shape.of(3, 5)));
    dev.weft.ir.Value smm = sb.op1("matmul", Map.of(), sx, sb.constant(random(DType.F32, 83, 2, 5, 10)));
    s.addOutput(sb.op1("softmax", Map.of("axis", Attribute.of(-1)), smm));
    LoweringCheck.checkGraph(LoweringCheck.EVALUATOR, s, java.util.List.of(random(DType.F32, 84, 2, 3, 5)), RTOL, ATOL, 4);
  }
}
