package dev.weft.frontend.onnx.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import dev.weft.bundle.DType;
import dev.weft.bundle.Tensor;
import dev.weft.frontend.onnx.ImportContext;
import dev.weft.frontend.onnx.OnnxImportException;
import dev.weft.frontend.onnx.OnnxNode;
import dev.weft.frontend.onnx.OnnxOpHandler;
import dev.weft.frontend.onnx.OnnxOpTable;
import dev.weft.frontend.onnx.proto.OnnxProto;
import dev.weft.frontend.onnx.proto.OnnxProto.AttributeProto;
import dev.weft.frontend.onnx.proto.OnnxProto.NodeProto;
import dev.weft.ir.Constants;
import dev.weft.ir.Dim;
import dev.weft.ir.Graph;
import dev.weft.ir.GraphBuilder;
import dev.weft.ir.Node;
import dev.weft.ir.TensorType;
import dev.weft.ir.Type;
import dev.weft.ir.Value;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Handlers checked against a minimal import context: what IR each ONNX node becomes. */
class ShapeOnnxOpsTest {
  static final class Ctx implements ImportContext {
    final Graph g = new Graph("m");
    final GraphBuilder b = new GraphBuilder(g);

    public GraphBuilder builder() { return b; }

    public long opset(String domain) { return 18; }

    public Tensor constantValue(Value v) { return Constants.valueOf(v); }

    public Value constant(Tensor t) { return b.constant(t); }

    public Value constI64(long... v) { return b.constant(Tensor.ofLongs(new long[] {v.length}, v)); }

    public Value scalar(DType dtype, double value) { return b.constant(Tensor.scalar(dtype, value)); }

    public Graph subgraph(OnnxProto.GraphProto g, List<Type> inputTypes) { throw new UnsupportedOperationException(); }

    public Tensor tensor(OnnxProto.TensorProto t) { throw new UnsupportedOperationException(); }

    public Tensor sparseTensor(OnnxProto.SparseTensorProto t) { throw new UnsupportedOperationException(); }

    public void checkAllocation(OnnxNode node, DType dtype, long[] shape) {}

    public OnnxImportException fail(OnnxNode node, String detail) { return new OnnxImportException(node.describe() + ": " + detail); }
  }

  static List<Value> lower(Ctx c, String op, int opset, List<Value> inputs, int outputs, AttributeProto... attrs) {
    NodeProto.Builder nb = NodeProto.newBuilder().setOpType(op);
    for (int i = 0; i < inputs.size(); i++) nb.addInput("in" + i);
    for (int i = 0; i < outputs; i++) nb.addOutput("out" + i);
    for (AttributeProto a : attrs) nb.addAttribute(a);
    OnnxOpHandler h = OnnxOpTable.standard().find("", op, opset);
    assertNotNull(h, op + " is not registered");
    return h.lower(new OnnxNode(nb.build(), inputs, opset, c), c);
  }

  static AttributeProto ints(String name, long... v) {
    AttributeProto.Builder a = AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.INTS);
    for (long x : v) a.addInts(x);
    return a.build();
  }

  static String ops(Graph g) { return g.nodes().stream().map(Node::opName).toList().toString(); }

  @Test
  void constantShapeOperandsFoldIntoAttributes() {
    Ctx c = new Ctx();
    Value x = c.g.addInput("x", TensorType.of(DType.F32, Dim.sym("N"), Dim.of(3), Dim.of(4)));
    Value r = lower(c, "Reshape", 14, List.of(x, c.constI64(0, -1)), 1).get(0);
    assertEquals("[N,12]", r.tensorType().shape().toString());
    assertEquals(0, r.producer().inputCount() - 1, "shape operand folded away");
    Value s = lower(c, "Slice", 13, List.of(x, c.constI64(1), c.constI64(3), c.constI64(2)), 1).get(0);
    assertEquals("[N,3,2]", s.tensorType().shape().toString());
  }

  @Test
  void staticSqueezeBecomesReshapeAndSymbolicStays() {
    Ctx c = new Ctx();
    Value x = c.g.addInput("x", TensorType.of(DType.F32, 1, 3, 1));
    Value r = lower(c, "Squeeze", 13, List.of(x, c.constI64(0)), 1).get(0);
    assertEquals("reshape", r.producer().opName());
    assertEquals("[3,1]", r.tensorType().shape().toString());
    Value y = c.g.addInput("y", TensorType.of(DType.F32, Dim.sym("N"), Dim.of(3)));
    Value u = lower(c, "Unsqueeze", 11, List.of(y), 1, ints("axes", 1)).get(0);
    assertEquals("unsqueeze", u.producer().opName());
    assertEquals("[N,1,3]", u.tensorType().shape().toString());
  }

  @Test
  void shapeAndSizeOfStaticShapesAreConstants() {
    Ctx c = new Ctx();
    Value x = c.g.addInput("x", TensorType.of(DType.F32, Dim.sym("N"), Dim.of(3), Dim.of(4)));
    Value tail = lower(c, "Shape", 15, List.of(x), 1,
        AttributeProto.newBuilder().setName("start").setType(AttributeProto.AttributeType.INT).setI(1).build()).get(0);
    assertEquals("[3, 4]", Arrays.toString(Constants.valueOf(tail).toLongArray()));
    Value all = lower(c, "Shape", 13, List.of(x), 1).get(0);
    assertEquals("shape_of", all.producer().opName());
    Value split = lower(c, "Split", 18, List.of(x), 2,
        AttributeProto.newBuilder().setName("axis").setType(AttributeProto.AttributeType.INT).setI(2).build()).get(1);
    assertEquals("[N,3,2]", split.tensorType().shape().toString());
    List<Value> topk = lower(c, "TopK", 11, List.of(x, c.constI64(2)), 2);
    assertEquals("[N,3,2]", topk.get(1).tensorType().shape().toString());
    assertEquals(DType.I64, topk.get(1).tensorType().dtype());
  }

  @Test
  void rangeAcceptsOneElementVectorsOfRunTimeLength() {
    // AffineGrid's function body passes Range a [_s] limit (an If merging [1] and [0] branches).
    Ctx c = new Ctx();
    Value limit = c.g.addInput("limit", TensorType.of(DType.I64, Dim.sym("K")));
    Value r = lower(c, "Range", 11, List.of(c.b.constant(Tensor.ofLongs(new long[0], 1)), limit,
        c.b.constant(Tensor.ofLongs(new long[0], 2))), 1).get(0);
    c.g.addOutput(r);
    Tensor y = (Tensor) new dev.weft.ir.interp.Interpreter().run(c.g, List.of(Tensor.ofLongs(new long[] {1}, 6))).get(0);
    assertEquals("[1, 3, 5]", Arrays.toString(y.toLongArray()));
    org.junit.jupiter.api.Assertions.assertThrows(RuntimeException.class, () ->
        new dev.weft.ir.interp.Interpreter().run(c.g, List.of(Tensor.ofLongs(new long[] {2}, 6, 7))));
  }
}
