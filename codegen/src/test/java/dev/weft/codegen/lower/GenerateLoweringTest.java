package dev.weft.codegen.lower;

import static dev.weft.codegen.lower.LayoutTestSupport.attrs;
import static dev.weft.codegen.lower.LayoutTestSupport.constant;
import static dev.weft.codegen.lower.LayoutTestSupport.longs;
import static dev.weft.codegen.lower.LoweringCheck.check;
import static dev.weft.codegen.lower.LoweringCheck.random;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.bundle.DType;
import dev.weft.bundle.Tensor;
import dev.weft.ir.Graph;
import dev.weft.ir.GraphBuilder;
import dev.weft.ir.Shape;
import dev.weft.ir.TensorType;
import dev.weft.ir.Value;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** shape_of, size, fill, iota: exact against the interpreter. */
class GenerateLoweringTest {
  @Test
  void shapeOfAndSizeAreConstantsAndReadNothing() {
    Tensor x = random(DType.F32, 1, 1, 2, 7, 1, 3);
    check("shape_of", Map.of(), 0, 0, x);
    check("shape_of", attrs("start", 1L, "end", -1L), 0, 0, x);
    check("shape_of", attrs("start", -10L, "end", 10L), 0, 0, x);
    check("shape_of", attrs("start", 3L, "end", 1L), 0, 0, x);
    check("size", Map.of(), 0, 0, x);
    check("size", Map.of(), 0, 0, random(DType.I8, 2, 1, 4, 0));
    Graph g = new Graph("shape_only");
    Value in = g.addInput("x", new TensorType(DType.F32, Shape.of(2, 3)));
    g.addOutput(new GraphBuilder(g).op("shape_of", List.of(in), Map.of()).get(0));
    GroupLowerer.Lowered l = GroupLowerer.lower("k", g, null, "shape_only");
    assertTrue(l.kernels().get(0).params().size() == 1, "only the output buffer: " + l.kernels().get(0).params());
  }

  @Test
  void fillWithValueOfAnyType() {
    check("fill", Map.of(), 0, 0, longs(2, 3));
    check("fill", attrs("value", Tensor.ofInts(new long[] {1}, -4)), 0, 0, longs(3, 1, 2));
    check("fill", attrs("value", Tensor.ofDoubles(new long[] {1}, 0.1)), 0, 0, longs(5));
    check("fill", attrs("value", Tensor.ofBools(new long[] {1}, true), "shape", new long[] {2, 2}), 0, 0);
    check("fill", attrs("value", Tensor.ofFloats(new long[] {1}, 2.5f)), 0, 0, longs(0, 4));
  }

  @Test
  void iotaFromRuntimeOrConstantBounds() {
    check("iota", Map.of(), 0, 0, constant(Tensor.scalar(DType.F32, 0.1)), constant(Tensor.scalar(DType.F32, 7.3)),
        constant(Tensor.scalar(DType.F32, 0.3)));
    check("iota", Map.of(), 0, 0, constant(Tensor.scalar(DType.I32, 10)), constant(Tensor.scalar(DType.I32, -7)),
        constant(Tensor.scalar(DType.I32, -3)));
    check("iota", Map.of(), 0, 0, constant(Tensor.scalar(DType.I64, 5)), constant(Tensor.scalar(DType.I64, 5)),
        constant(Tensor.scalar(DType.I64, 1)));
    check("iota", Map.of(), 0, 0, constant(Tensor.scalar(DType.F64, -1e-3)), constant(Tensor.scalar(DType.F64, 1)),
        constant(Tensor.scalar(DType.F64, 0.0123)));
  }
}
