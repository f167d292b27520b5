package dev.weft.codegen.lower;

import static dev.weft.codegen.lower.LayoutTestSupport.attrs;
import static dev.weft.codegen.lower.LayoutTestSupport.constant;
import static dev.weft.codegen.lower.LayoutTestSupport.longs;
import static dev.weft.codegen.lower.LoweringCheck.check;
import static dev.weft.codegen.lower.LoweringCheck.random;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.weft.bundle.DType;
import dev.weft.bundle.Tensor;
import dev.weft.ir.Attribute;
import dev.weft.ir.Graph;
import dev.weft.ir.GraphBuilder;
import dev.weft.ir.Shape;
import dev.weft.ir.TensorType;
import dev.weft.ir.Value;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** concat, split, slice, pad, compress, reverse_sequence, trilu: exact against the interpreter. */
class WindowLoweringTest {
  @Test
  void concatAnyAxisManyAndEmptyOperands() {
    Tensor a = random(DType.F32, 1, 10, 2, 3, 4);
    Tensor b = random(DType.F32, 2, 10, 2, 1, 4);
    Tensor e = random(DType.F32, 3, 10, 2, 0, 4);
    Tensor d = random(DType.F32, 4, 10, 2, 5, 4);
    check("concat", attrs("axis", 1L), 0, 0, a, b, e, d, b);
    check("concat", attrs("axis", -2L), 0, 0, e, a, e);
    check("concat", attrs("axis", 0L), 0, 0, a, a, a);
    check("concat", attrs("axis", 2L), 0, 0, a, random(DType.F32, 5, 10, 2, 3, 1), a);
    check("concat", attrs("axis", 0L), 0, 0, random(DType.I64, 6, 100, 7), random(DType.I64, 7, 100, 1));
    check("concat", attrs("axis", 1L), 0, 0, e, e);
    check("concat", attrs("axis", 0L), 0, 0, random(DType.BOOL, 8, 1, 3));
  }

  @Test
  void splitBySizesAndEvenly() {
    Tensor x = random(DType.F32, 9, 10, 3, 7, 2);
    check("split", attrs("axis", 1L, "num_outputs", 3L, "sizes", new long[] {2, 0, 5}), 0, 0, x);
    check("split", attrs("axis", -2L, "num_outputs", 3L), 0, 0, x);
    check("split", attrs("axis", 0L, "num_outputs", 2L), 0, 0, x, longs(1, 2));
    check("split", attrs("axis", 2L, "num_outputs", 1L), 0, 0, x);
  }

  @Test
  void sliceFromAttributesAndOperands() {
    Tensor x = random(DType.F32, 10, 10, 5, 7, 3);
    check("slice", attrs("starts", new long[] {1, 0}, "ends", new long[] {4, 7}), 0, 0, x);
    check("slice", Map.of(), 0, 0, x, longs(-1), longs(-10_000), longs(1), longs(-2));
    check("slice", Map.of(), 0, 0, x, longs(100, -100), longs(-100, 100), longs(0, 2), longs(-1, 1));
    check("slice", Map.of(), 0, 0, x, longs(0, 1), longs(Long.MAX_VALUE, -1), longs(-1, 0), longs(2, 3));
    check("slice", Map.of(), 0, 0, x, longs(3), longs(3), longs(1));
    check("slice", Map.of(), 0, 0, x, longs(6, 2), longs(-8, 0), longs(1, 0), longs(-3, -1));
    check("slice", Map.of(), 0, 0, random(DType.I32, 11, 100, 0, 4), longs(0), longs(2), longs(1));
  }

  /** ShapeMath.slice counts one element for a negative step on an empty axis; the kernel must not read it. */
  @Test
  void sliceOfAnEmptyAxisNeverReads() {
    Graph g = new Graph("slice_empty");
    Value in = g.addInput("x", new TensorType(DType.F32, Shape.of(1, 0, 1)));
    g.addOutput(new GraphBuilder(g).op1("slice", attrs("starts", new long[] {-1}, "ends", new long[] {4},
        "axes", new long[] {1}, "steps", new long[] {-3}), in));
    assertThrows(LoweringException.class, () -> GroupLowerer.lower("k", g, null, "slice_empty"));
  }

  @ParameterizedTest
  @ValueSource(strings = {"constant", "reflect", "edge", "wrap"})
  void padModes(String mode) {
    Tensor x = random(DType.F32, 12, 10, 2, 4, 5);
    check("pad", attrs("mode", mode), 0, 0, x, longs(0, 1, 3, 0, 2, 1));
    check("pad", attrs("mode", mode), 0, 0, x, longs(0, -1, 2, 1, 0, -3));
    check("pad", attrs("mode", mode), 0, 0, x, longs(2, 3), null, longs(-1));
    check("pad", attrs("mode", mode, "pads", new long[] {1, 0, 0, 0, 2, 0}), 0, 0, x);
    // wrap and reflect past one period
    check("pad", attrs("mode", mode), 0, 0, random(DType.I32, 13, 100, 3, 2), longs(7, 1, 5, 9));
    check("pad", attrs("mode", mode), 0, 0, random(DType.I32, 14, 100, 1, 3), longs(2, 0, 4, 0));
  }

  @Test
  void padValueFromOperandOrAttribute() {
    Tensor x = random(DType.F32, 15, 10, 3, 4);
    check("pad", Map.of(), 0, 0, x, longs(1, 1, 1, 1), Tensor.scalar(DType.F32, 2.5));
    check("pad", Map.of(), 0, 0, x, longs(1, 1, 1, 1), constant(Tensor.scalar(DType.F32, -7)));
    check("pad", attrs("value", 3.0), 0, 0, random(DType.I8, 16, 100, 2, 2), longs(1, 2, 0, 1));
    check("pad", Map.of(), 0, 0, random(DType.F32, 17, 10, 0, 2), longs(1, 0, 2, 0), Tensor.scalar(DType.F32, 4));
  }

  /**
   * compress's inferred result dim is a fresh symbol even for a constant condition (shape
   * inference does not fold it); the graph here is typed with the static shape a
   * shape-specializing compile gives it.
   */
  private static void compress(Map<String, Attribute> attrs, Tensor x, Tensor cond) {
    Graph g = new Graph("check_compress");
    GraphBuilder b = new GraphBuilder(g);
    Value in = g.addInput("x", new TensorType(x.dtype(), Shape.of(x.shape())));
    Value out = b.op("compress", List.of(in, b.constant(cond)), attrs).get(0);
    long kept = 0;
    for (long i = 0; i < cond.size(); i++) if (cond.getBool(i)) kept++;
    long[] shape = attrs.containsKey("axis") ? x.shape() : new long[] {kept};
    if (attrs.containsKey("axis")) shape[(int) Math.floorMod(((Attribute.Int) attrs.get("axis")).value(), x.rank())] = kept;
    out.setType(new TensorType(x.dtype(), Shape.of(shape)));
    g.addOutput(out);
    LoweringCheck.checkGraph(LoweringCheck.EVALUATOR, g, List.of(x), 0, 0);
  }

  @Test
  void compressWithConstantCondition() {
    Tensor x = random(DType.F32, 18, 10, 4, 6);
    Tensor cond = Tensor.ofBools(new long[] {6}, true, false, true, true, false, true);
    compress(attrs("axis", 1L), x, cond);
    compress(attrs("axis", -2L), x, Tensor.ofBools(new long[] {3}, false, true, true));
    compress(Map.of(), x, Tensor.ofBools(new long[] {9}, true, true, false, false, true, false, true, true, true));
    compress(attrs("axis", 0L), x, Tensor.ofBools(new long[] {2}, false, false));
  }

  @Test
  void compressNeedsAConstantCondition() {
    Tensor x = random(DType.F32, 19, 10, 4);
    Tensor cond = Tensor.ofBools(new long[] {4}, true, false, true, true);
    assertThrows(LoweringException.class, () -> check("compress", attrs("axis", 0L), 0, 0, x, cond));
  }

  @Test
  void reverseSequenceWithRuntimeLengths() {
    Tensor x = random(DType.F32, 20, 10, 5, 3, 2);
    check("reverse_sequence", attrs("batch_axis", 1L, "time_axis", 0L), 0, 0, x, Tensor.ofLongs(new long[] {3}, 5, 0, 2));
    check("reverse_sequence", attrs("batch_axis", 0L, "time_axis", 1L), 0, 0, random(DType.I32, 21, 100, 4, 6),
        Tensor.ofLongs(new long[] {4}, 1, 6, 3, 4));
  }

  @Test
  void triluUpperLowerWithK() {
    Tensor x = random(DType.F32, 22, 10, 2, 4, 5);
    for (long k = -5; k <= 5; k += 2) {
      check("trilu", attrs("upper", 1L), 0, 0, x, Tensor.scalar(DType.I64, k));
      check("trilu", attrs("upper", 0L), 0, 0, x, constant(Tensor.scalar(DType.I64, k)));
    }
    check("trilu", Map.of(), 0, 0, random(DType.I64, 23, 100, 3, 3));
    check("trilu", attrs("upper", 0L), 0, 0, random(DType.BOOL, 24, 1, 0, 3));
  }
}
