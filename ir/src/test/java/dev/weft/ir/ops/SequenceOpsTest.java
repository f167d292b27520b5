package dev.weft.ir.ops;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.bundle.DType;
import dev.weft.bundle.Tensor;
import dev.weft.ir.Attribute;
import dev.weft.ir.Graph;
import dev.weft.ir.GraphBuilder;
import dev.weft.ir.IrException;
import dev.weft.ir.OptionalType;
import dev.weft.ir.SequenceType;
import dev.weft.ir.TensorType;
import dev.weft.ir.Value;
import dev.weft.ir.interp.Interpreter;
import dev.weft.ir.interp.OptionalValue;
import dev.weft.ir.interp.SequenceValue;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SequenceOpsTest {
  static Tensor f(long[] shape, float... v) { return Tensor.ofFloats(shape, v); }

  static Tensor i64(long v) { return Tensor.ofLongs(new long[0], v); }

  @Test
  void constructInsertAtEraseLength() {
    Graph g = new Graph("main");
    Value a = g.addInput("a", TensorType.of(DType.F32, 2));
    Value b = g.addInput("b", TensorType.of(DType.F32, 3));
    GraphBuilder gb = new GraphBuilder(g);
    Value s = gb.op1("sequence_construct", a, b);
    assertTrue(s.type() instanceof SequenceType st && !((TensorType) st.element()).shape().isStatic());
    Value s2 = gb.op1("sequence_insert", s, a, gb.constant(i64(0)));     // [a, a, b]
    Value s3 = gb.op1("sequence_erase", s2, gb.constant(i64(-2)));       // [a, b]
    g.addOutput(gb.op1("sequence_at", s2, gb.constant(i64(-1))));         // b
    g.addOutput(gb.op1("sequence_length", s2));
    g.addOutput(gb.op1("sequence_length", s3));
    g.addOutput(s3);
    List<Object> r = new Interpreter().run(g, List.of(f(new long[] {2}, 1, 2), f(new long[] {3}, 3, 4, 5)));
    assertArrayEquals(new float[] {3, 4, 5}, ((Tensor) r.get(0)).toFloatArray());
    assertEquals(3, ((Tensor) r.get(1)).getLong(0));
    assertEquals(2, ((Tensor) r.get(2)).getLong(0));
    List<Tensor> items = ((SequenceValue) r.get(3)).items();
    assertArrayEquals(new float[] {1, 2}, items.get(0).toFloatArray());
    assertArrayEquals(new float[] {3, 4, 5}, items.get(1).toFloatArray());
  }

  @Test
  void positionOutOfRangeIsATypedError() {
    Graph g = new Graph("main");
    Value a = g.addInput("a", TensorType.of(DType.F32, 2));
    GraphBuilder gb = new GraphBuilder(g);
    g.addOutput(gb.op1("sequence_at", gb.op1("sequence_construct", a), gb.constant(i64(1))));
    assertThrows(IrException.class, () -> new Interpreter().run(g, List.of(f(new long[] {2}, 1, 2))));
  }

  @Test
  void splitAndConcat() {
    Graph g = new Graph("main");
    Value x = g.addInput("x", TensorType.of(DType.F32, 5, 2));
    GraphBuilder gb = new GraphBuilder(g);
    Value pieces = gb.op1("split_to_sequence", x, gb.constant(i64(2)));   // rows [0,2) [2,4) [4,5)
    Value ones = gb.op1("split_to_sequence", Map.of("axis", Attribute.of(1L), "keepdims", Attribute.of(0L)), x);
    g.addOutput(gb.op1("sequence_length", pieces));
    g.addOutput(gb.op1("sequence_at", pieces, gb.constant(i64(2))));
    g.addOutput(gb.op1("concat_from_sequence", Map.of("axis", Attribute.of(0L)), pieces));
    Value stacked = gb.op1("concat_from_sequence", Map.of("axis", Attribute.of(-1L), "new_axis", Attribute.of(1L)), ones);
    g.addOutput(stacked);
    assertEquals(TensorType.of(DType.F32, 5), ((SequenceType) ones.type()).element());
    Tensor in = f(new long[] {5, 2}, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9);
    List<Object> r = new Interpreter().run(g, List.of(in));
    assertEquals(3, ((Tensor) r.get(0)).getLong(0));
    assertArrayEquals(new float[] {8, 9}, ((Tensor) r.get(1)).toFloatArray());
    assertArrayEquals(in.toFloatArray(), ((Tensor) r.get(2)).toFloatArray());
    // Columns split then stacked on a new last axis rebuild x.
    assertArrayEquals(new long[] {5, 2}, ((Tensor) r.get(3)).shape());
    assertArrayEquals(in.toFloatArray(), ((Tensor) r.get(3)).toFloatArray());
  }

  @Test
  void sequenceMapAddsATensorToEachElement() {
    Graph g = new Graph("main");
    Value a = g.addInput("a", TensorType.of(DType.F32, 2));
    Value k = g.addInput("k", TensorType.of(DType.F32, 1));
    GraphBuilder gb = new GraphBuilder(g);
    Value s = gb.op1("sequence_construct", a, a);
    Graph body = new Graph("body");
    Value e = body.addInput("e", TensorType.of(DType.F32, 2));
    Value kk = body.addInput("kk", TensorType.of(DType.F32, 1));
    body.addOutput(new GraphBuilder(body).op1("add", e, kk));
    g.addOutput(gb.op1("sequence_map", Map.of("body", Attribute.of(body)), s, k));
    List<Object> r = new Interpreter().run(g, List.of(f(new long[] {2}, 1, 2), f(new long[] {1}, 10)));
    List<Tensor> items = ((SequenceValue) r.get(0)).items();
    assertEquals(2, items.size());
    assertArrayEquals(new float[] {11, 12}, items.get(1).toFloatArray());
  }

  @Test
  void optionals() {
    Graph g = new Graph("main");
    Value a = g.addInput("a", TensorType.of(DType.F32, 2));
    GraphBuilder gb = new GraphBuilder(g);
    Value some = gb.op1("optional", a);
    Value none = gb.op1("optional", Map.of("type", new Attribute.TypeValue(TensorType.of(DType.F32, 2))));
    assertEquals(new OptionalType(TensorType.of(DType.F32, 2)), none.type());
    g.addOutput(gb.op1("optional_has_element", some));
    g.addOutput(gb.op1("optional_has_element", none));
    g.addOutput(gb.op1("optional_get_element", some));
    g.addOutput(gb.op1("optional_has_element", a));
    g.addOutput(gb.op1("optional_has_element"));
    List<Object> r = new Interpreter().run(g, List.of(f(new long[] {2}, 1, 2)));
    assertTrue(((Tensor) r.get(0)).getBool(0));
    assertFalse(((Tensor) r.get(1)).getBool(0));
    assertArrayEquals(new float[] {1, 2}, ((Tensor) r.get(2)).toFloatArray());
    assertTrue(((Tensor) r.get(3)).getBool(0));
    assertFalse(((Tensor) r.get(4)).getBool(0));
    Graph h = new Graph("h");
    Value o = h.addInput("o", new OptionalType(TensorType.of(DType.F32, 2)));
    h.addOutput(new GraphBuilder(h).op1("optional_get_element", o));
    assertThrows(IrException.class, () -> new Interpreter().run(h, List.of(OptionalValue.EMPTY)));
  }
}
