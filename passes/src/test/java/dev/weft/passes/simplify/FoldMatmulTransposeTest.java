package dev.weft.passes.simplify;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.weft.bundle.Tensor;
import dev.weft.ir.Module;
import dev.weft.ir.Value;
import dev.weft.ir.interp.Interpreter;
import dev.weft.ir.text.WirParser;
import dev.weft.passes.PassManager;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * fold-matmul-transpose preserves results: each graph runs in the reference interpreter before
 * and after the pass on random inputs. The flagged product reads the same elements in the same
 * order as the transposed copy, so results agree exactly.
 */
class FoldMatmulTransposeTest {
  static final String[] GRAPHS = {
      """
      graph @weight(%x: f32[2,3,4], %w: f32[5,4]) -> (%y) {
        %wt = transpose(%w) {perm = [1, 0]}
        %y = matmul(%x, %wt)
      }
      """,
      """
      graph @batched(%a: f32[2,4,3], %b: f32[2,5,4]) -> (%y) {
        %at = transpose(%a) {perm = [0, 2, 1]}
        %bt = transpose(%b) {perm = [0, 2, 1]}
        %y = matmul(%at, %bt)
      }
      """,
      """
      graph @result(%a: f32[2,3,4], %b: f32[4,5]) -> (%y) {
        %m = matmul(%a, %b)
        %y = transpose(%m) {perm = [0, 2, 1]}
      }
      """,
      """
      graph @chain(%x: f32[3,4], %w: f32[5,4], %v: f32[3,6]) -> (%y) {
        %wt = transpose(%w) {perm = [1, 0]}
        %m = matmul(%x, %wt)
        %mt = transpose(%m) {perm = [1, 0]}
        %y = matmul(%mt, %v)
      }
      """};

  @Test
  void resultsAreUnchanged() {
    for (String text : GRAPHS) {
      Module before = new WirParser().parse(text);
      Module after = new WirParser().parse(text);
      boolean changed = PassManager.parse("fold-matmul-transpose,dce").run(after).changed();
      assertEquals(true, changed, text);
      assertFalse(after.main().nodes().stream().anyMatch(n -> n.opName().equals("transpose")), text);
      Random r = new Random(11);
      List<Object> args = new ArrayList<>();
      for (Value in : before.main().inputs()) args.add(random(r, in.tensorType().shape().sizes()));
      Tensor want = (Tensor) new Interpreter().run(before.main(), args).get(0);
      Tensor got = (Tensor) new Interpreter().run(after.main(), args).get(0);
      assertArrayEquals(want.shape(), got.shape(), text);
      for (long i = 0; i < want.size(); i++) assertEquals(want.getDouble(i), got.getDouble(i), 0.0, text + " element " + i);
    }
  }

  private static Tensor random(Random r, long[] shape) {
    int n = 1;
    for (long d : shape) n *= (int) d;
    float[] v = new float[n];
    for (int i = 0; i < n; i++) v[i] = (float) r.nextGaussian();
    return Tensor.ofFloats(shape, v);
  }
}
