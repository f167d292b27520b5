package dev.weft.codegen.lower;

import static dev.weft.codegen.lower.LayoutTestSupport.attrs;
import static dev.weft.codegen.lower.LoweringCheck.random;

import dev.weft.bundle.DType;
import dev.weft.bundle.Tensor;
import dev.weft.ir.Graph;
import dev.weft.ir.GraphBuilder;
import dev.weft.ir.Shape;
import dev.weft.ir.TensorType;
import dev.weft.ir.Value;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Chains of layout ops lowered as one group: each rule reads its operand through the next
 * rule's index map, so the chain checks that every rule hands in-range indices to its
 * producer (the evaluator rejects an out-of-bounds load) and that the maps compose.
 */
class FusedLayoutTest {
  @Test
  void movementChainInlinesIntoOneKernel() {
    Graph g = new Graph("chain");
    GraphBuilder b = new GraphBuilder(g);
    Tensor xv = random(DType.F32, 1, 10, 2, 3, 4);
    Tensor yv = random(DType.F32, 2, 10, 4, 2);
    Tensor iv = Tensor.ofLongs(new long[] {5}, 0, -1, 3, 2, -4);
    Value x = g.addInput("x", new TensorType(DType.F32, Shape.of(2, 3, 4)));
    Value y = g.addInput("y", new TensorType(DType.F32, Shape.of(4, 2)));
    Value ind = g.addInput("ind", new TensorType(DType.I64, Shape.of(5)));
    Value t = b.op1("transpose", attrs("perm", new long[] {2, 0, 1}), x);                       // [4,2,3]
    Value r = b.op1("reshape", attrs("shape", new long[] {4, 6}), t);                            // [4,6]
    Value s = b.op1("slice", attrs("starts", new long[] {5}, "ends", new long[] {-100}, "axes", new long[] {1},
        "steps", new long[] {-2}), r);                                                             // [4,3]
    Value p = b.op1("pad", attrs("mode", "reflect", "pads", new long[] {1, 2, 0, 1}), s);          // [5,6]
    Value sl = b.op1("slice", attrs("starts", new long[] {1}, "ends", new long[] {5}), p);        // [4,6]
    Value c = b.op1("concat", attrs("axis", 1L), sl, y, sl);                                     // [4,14]
    Value gth = b.op1("gather", attrs("axis", 0L), c, ind);                                      // [5,14]
    Value cs = b.op1("cum_sum", attrs("axis", 1L, "reverse", 1L), gth);
    List<Value> parts = b.op("split", List.of(cs), attrs("axis", 1L, "num_outputs", 2L));      // [5,7] x2
    Value tiled = b.op1("tile", b.op1("transpose", parts.get(1)), b.constant(Tensor.ofLongs(new long[] {2}, 1, 2)));
    g.addOutput(parts.get(0));
    g.addOutput(tiled);
    LoweringCheck.checkGraph(LoweringCheck.EVALUATOR, g, List.of(xv, yv, iv), 1e-6, 1e-6);
  }

  @Test
  void scatterIntoResizedGatherOutput() {
    Graph g = new Graph("scatter_chain");
    GraphBuilder b = new GraphBuilder(g);
    Tensor xv = random(DType.F32, 3, 10, 1, 1, 3, 3);
    Value x = g.addInput("x", new TensorType(DType.F32, Shape.of(1, 1, 3, 3)));
    Value up = b.op1("resize", attrs("mode", "linear"), x, null,
        b.constant(Tensor.ofFloats(new long[] {4}, 1, 1, 2, 2)));                                 // [1,1,6,6]
    Value flat = b.op1("flatten", attrs("axis", 3L), up);                                        // [6,6]
    Value idx = b.constant(Tensor.ofLongs(new long[] {2, 6}, 0, 1, 2, 3, 4, 5, 5, 4, 3, 2, 1, 0));
    Value upd = b.op1("slice", attrs("starts", new long[] {0}, "ends", new long[] {2}), flat);  // [2,6]
    Value sc = b.op1("scatter_elements", attrs("axis", 1L, "reduction", "add"), flat, idx, upd);
    Value am = b.op1("argmax", attrs("axis", 1L, "keepdims", 0L), sc);
    g.addOutput(sc);
    g.addOutput(am);
    LoweringCheck.checkGraph(LoweringCheck.EVALUATOR, g, List.of(xv), 1e-5, 1e-6);
  }
}
