package dev.weft.ir.ops;

import static dev.weft.ir.ops.OpHarness.*;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.bundle.Tensor;
import dev.weft.ir.Attribute;
import dev.weft.ir.Graph;
import dev.weft.ir.GraphBuilder;
import dev.weft.ir.IrException;
import dev.weft.ir.Node;
import dev.weft.ir.Shape;
import dev.weft.ir.TensorType;
import dev.weft.ir.Value;
import dev.weft.ir.interp.Interpreter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class SortOpsTest {
  static final Tensor TIES = f32(s(5), 3, 1, 3, 2, 1);

  @Test
  void topKTiesKeepIndexOrder() {
    List<Object> r = run("top_k", Map.of("k", Attribute.of(3L)), TIES);
    assertFloats((Tensor) r.get(0), s(3), 3, 3, 2);
    assertLongs((Tensor) r.get(1), s(3), 0, 2, 3);
    r = run("top_k", Map.of("largest", Attribute.of(0L)), TIES, i64(3));
    assertFloats((Tensor) r.get(0), s(3), 1, 1, 2);
    assertLongs((Tensor) r.get(1), s(3), 1, 4, 3);
    r = run("top_k", Map.of("k", Attribute.of(1L)), f32(s(3), 1, Float.NaN, 2));
    assertLongs((Tensor) r.get(1), s(1), 1);
    r = run("top_k", Map.of("k", Attribute.of(1L), "axis", Attribute.of(0L)), f32(s(2, 2), 1, 4, 3, 2));
    assertFloats((Tensor) r.get(0), s(1, 2), 3, 4);
    assertLongs((Tensor) r.get(1), s(1, 2), 1, 0);
    assertThrows(IrException.class, () -> run("top_k", Map.of("k", Attribute.of(6L)), TIES));
  }

  @Test
  void sortIsStableBothWays() {
    List<Object> r = run("sort", Map.of("descending", Attribute.of(1L)), TIES);
    assertFloats((Tensor) r.get(0), s(5), 3, 3, 2, 1, 1);
    assertLongs((Tensor) r.get(1), s(5), 0, 2, 3, 1, 4);
  }

  /** Expands a one-node graph's composite into core ops and runs that instead of its kernel. */
  static List<Object> runDecomposed(String op, Map<String, Attribute> attrs, Tensor... inputs) {
    Graph g = new Graph("decomposed");
    List<Value> ins = new ArrayList<>();
    for (int i = 0; i < inputs.length; i++) ins.add(g.addInput("x" + i, TensorType.of(inputs[i].dtype(), inputs[i].shape())));
    List<Value> outs = new GraphBuilder(g).op(op, ins, attrs);
    Node n = outs.get(0).producer();
    List<Value> expanded = n.op().decomposition().expand(n, new GraphBuilder(g).insertBefore(n));
    for (Value v : expanded) g.addOutput(v);
    g.remove(n);
    for (Node m : g.nodes()) assertTrue(!m.op().isComposite(), "decomposition left " + m.opName());
    return new Interpreter().run(g, List.of((Object[]) inputs));
  }

  @Test
  void topKKernelAgreesWithItsDecomposition() {
    Random rnd = new Random(7);
    for (int trial = 0; trial < 20; trial++) {
      float[] v = new float[24];
      for (int i = 0; i < v.length; i++) v[i] = rnd.nextInt(5);  // many ties
      Tensor x = f32(s(2, 3, 4), v);
      long axis = rnd.nextInt(3) - 1;
      long k = 1 + rnd.nextInt(2);
      long largest = rnd.nextInt(2);
      Map<String, Attribute> a = Map.of("axis", Attribute.of(axis), "largest", Attribute.of(largest));
      List<Object> kernel = run("top_k", a, x, i64(k));
      List<Object> decomposed = runDecomposed("top_k", a, x, i64(k));
      for (int i = 0; i < 2; i++) {
        assertTrue(((Tensor) kernel.get(i)).contentEquals((Tensor) decomposed.get(i)), "trial " + trial + " output " + i);
      }
      var withAttr = new java.util.HashMap<>(a);
      withAttr.put("k", Attribute.of(k));
      assertTrue(((Tensor) run("top_k", withAttr, x).get(1)).contentEquals((Tensor) runDecomposed("top_k", withAttr, x).get(1)));
    }
  }

  @Test
  void cumSumModes() {
    Tensor x = f32(s(4), 1, 2, 3, 4);
    Attribute zero = Attribute.of(0L);
    assertFloats(run1("cum_sum", Map.of("axis", zero), x), s(4), 1, 3, 6, 10);
    assertFloats(run1("cum_sum", Map.of("axis", zero, "exclusive", Attribute.of(1L)), x), s(4), 0, 1, 3, 6);
    assertFloats(run1("cum_sum", Map.of("axis", zero, "reverse", Attribute.of(1L)), x), s(4), 10, 9, 7, 4);
    assertFloats(run1("cum_sum", Map.of("axis", zero, "reverse", Attribute.of(1L), "exclusive", Attribute.of(1L)), x),
        s(4), 9, 7, 4, 0);
    assertFloats(run1("cum_sum", Map.of(), f32(s(2, 3), 1, 2, 3, 4, 5, 6), Tensor.ofInts(s(), -1)), s(2, 3), 1, 3, 6, 4, 9, 15);
    assertLongs(run1("cum_sum", Map.of(), Tensor.ofLongs(s(2, 2), 1, 2, 3, 4), i64(0)), s(2, 2), 1, 2, 4, 6);
  }

  @Test
  void cumProdModes() {
    Tensor x = f32(s(4), 1, 2, 3, 4);
    Attribute zero = Attribute.of(0L);
    assertFloats(run1("cum_prod", Map.of("axis", zero), x), s(4), 1, 2, 6, 24);
    assertFloats(run1("cum_prod", Map.of("axis", zero, "exclusive", Attribute.of(1L)), x), s(4), 1, 1, 2, 6);
    assertFloats(run1("cum_prod", Map.of("axis", zero, "reverse", Attribute.of(1L)), x), s(4), 24, 24, 12, 4);
    assertFloats(run1("cum_prod", Map.of("axis", zero, "reverse", Attribute.of(1L), "exclusive", Attribute.of(1L)), x),
        s(4), 24, 12, 4, 1);
    assertFloats(run1("cum_prod", Map.of(), f32(s(2, 3), 1, 2, 3, 4, 5, 6), Tensor.ofInts(s(), -1)), s(2, 3), 1, 2, 6, 4, 20, 120);
    assertLongs(run1("cum_prod", Map.of(), Tensor.ofLongs(s(2, 2), 1, 2, 3, 4), i64(0)), s(2, 2), 1, 2, 3, 8);
  }

  @Test
  void uniqueSortedUnsortedAndAxis() {
    Tensor x = f32(s(6), 2, 1, 1, 3, 4, 3);
    List<Object> r = run("unique", Map.of(), x);
    assertFloats((Tensor) r.get(0), s(4), 1, 2, 3, 4);
    assertLongs((Tensor) r.get(1), s(4), 1, 0, 3, 4);
    assertLongs((Tensor) r.get(2), s(6), 1, 0, 0, 2, 3, 2);
    assertLongs((Tensor) r.get(3), s(4), 2, 1, 2, 1);
    r = run("unique", Map.of("sorted", Attribute.of(0L)), x);
    assertFloats((Tensor) r.get(0), s(4), 2, 1, 3, 4);
    assertLongs((Tensor) r.get(1), s(4), 0, 1, 3, 4);
    assertLongs((Tensor) r.get(2), s(6), 0, 1, 1, 2, 3, 2);
    assertLongs((Tensor) r.get(3), s(4), 1, 2, 2, 1);
    r = run("unique", Map.of("axis", Attribute.of(0L)), f32(s(3, 3), 2, 3, 4, 1, 0, 0, 1, 0, 0));
    assertFloats((Tensor) r.get(0), s(2, 3), 1, 0, 0, 2, 3, 4);
    assertLongs((Tensor) r.get(1), s(2), 1, 0);
    assertLongs((Tensor) r.get(2), s(3), 1, 0, 0);
    assertLongs((Tensor) r.get(3), s(2), 2, 1);
    assertShape("[6]", infer("unique", Map.of(), new TensorType(dev.weft.bundle.DType.F32, Shape.of(2, 3))).get(2));
  }
}
