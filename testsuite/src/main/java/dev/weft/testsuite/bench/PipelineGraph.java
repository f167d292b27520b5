package dev.weft.testsuite.bench;

import com.google.protobuf.ByteString;
import dev.weft.frontend.onnx.proto.OnnxProto.AttributeProto;
import dev.weft.frontend.onnx.proto.OnnxProto.GraphProto;
import dev.weft.frontend.onnx.proto.OnnxProto.ModelProto;
import dev.weft.frontend.onnx.proto.OnnxProto.NodeProto;
import dev.weft.frontend.onnx.proto.OnnxProto.OperatorSetIdProto;
import dev.weft.frontend.onnx.proto.OnnxProto.TensorProto;
import dev.weft.frontend.onnx.proto.OnnxProto.TensorShapeProto;
import dev.weft.frontend.onnx.proto.OnnxProto.TypeProto;
import dev.weft.frontend.onnx.proto.OnnxProto.ValueInfoProto;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * A deterministic transformer-like ONNX graph of a requested node count, shaped like the
 * exports the default pipeline meets (PyTorch's BERT/GPT): per layer a decomposed LayerNorm
 * (ReduceMean, Sub, Pow, ReduceMean, Add, Sqrt, Div, Mul, Add), Q/K/V MatMul+Add, a runtime
 * shape chain (Shape, Gather, Unsqueeze, Concat) feeding the head Reshape, Transpose, scaled
 * QK^T (MatMul, Div), Softmax, MatMul, Transpose/Reshape back, output MatMul+Add, residual Add,
 * an erf GELU MLP, a duplicated Shape chain (CSE work) and an Identity (canonicalize work): 50
 * nodes per layer. Hidden size 8, so weights are small and the graph is the work.
 */
public final class PipelineGraph {
  static final int FLOAT = 1;
  static final int INT64 = 7;
  static final int H = 8;
  static final int SEQ = 4;
  public static final int NODES_PER_LAYER = 50;

  private PipelineGraph() {}

  public static byte[] bytes(int nodes) { return build(nodes).toByteArray(); }

  public static ModelProto build(int nodes) {
    GraphProto.Builder g = GraphProto.newBuilder().setName("pipeline_transformer");
    g.addInput(info("x", 1, SEQ, H));
    g.addInitializer(ints("two_heads", 2, H / 2));
    g.addInitializer(ints("hid", H));
    g.addInitializer(ints("idx0", 0));
    g.addInitializer(ints("idx1", 1));
    g.addInitializer(floats("two", new long[0], 2f));
    g.addInitializer(floats("eps", new long[0], 1e-5f));
    g.addInitializer(floats("one", new long[0], 1f));
    g.addInitializer(floats("half", new long[0], 0.5f));
    g.addInitializer(floats("sqrt2", new long[0], 1.4142135f));
    g.addInitializer(floats("scale", new long[0], 2f));
    int layers = Math.max(1, (nodes + NODES_PER_LAYER - 1) / NODES_PER_LAYER);
    String x = "x";
    int[] count = {0};
    for (int l = 0; l < layers; l++) {
      String p = "l" + l + "_";
      for (String w : new String[] {"wq", "wk", "wv", "wo", "w1", "w2"}) g.addInitializer(floats(p + w, new long[] {H, H}, 0.01f * (l % 7 + 1)));
      for (String b : new String[] {"bq", "bk", "bv", "bo", "b1", "b2", "gamma", "beta"}) g.addInitializer(floats(p + b, new long[] {H}, 0.1f));
      // LayerNorm, decomposed.
      node(g, count, "ReduceMean", p + "mean", List(x), ints1("axes", -1));
      node(g, count, "Sub", p + "xc", List(x, p + "mean"));
      node(g, count, "Pow", p + "sq", List(p + "xc", "two"));
      node(g, count, "ReduceMean", p + "var", List(p + "sq"), ints1("axes", -1));
      node(g, count, "Add", p + "vareps", List(p + "var", "eps"));
      node(g, count, "Sqrt", p + "std", List(p + "vareps"));
      node(g, count, "Div", p + "norm", List(p + "xc", p + "std"));
      node(g, count, "Mul", p + "scaled", List(p + "norm", p + "gamma"));
      node(g, count, "Add", p + "ln", List(p + "scaled", p + "beta"));
      // Runtime shape chain for the head reshape: [batch, seq, 2, H/2].
      node(g, count, "Shape", p + "shape", List(p + "ln"));
      node(g, count, "Gather", p + "b", List(p + "shape", "idx0"), int1("axis", 0));
      node(g, count, "Gather", p + "s", List(p + "shape", "idx1"), int1("axis", 0));
      node(g, count, "Concat", p + "hshape", List(p + "b", p + "s", "two_heads"), int1("axis", 0));
      String[] qkv = new String[3];
      String[] names = {"q", "k", "v"};
      for (int i = 0; i < 3; i++) {
        String n = p + names[i];
        node(g, count, "MatMul", n + "_mm", List(p + "ln", p + "w" + names[i]));
        node(g, count, "Add", n + "_b", List(n + "_mm", p + "b" + names[i]));
        node(g, count, "Reshape", n + "_r", List(n + "_b", p + "hshape"));
        node(g, count, "Transpose", n + "_t", List(n + "_r"), ints1("perm", 0, 2, 1, 3));
        qkv[i] = n + "_t";
      }
      node(g, count, "Transpose", p + "kt", List(qkv[1]), ints1("perm", 0, 1, 3, 2));
      node(g, count, "MatMul", p + "qk", List(qkv[0], p + "kt"));
      node(g, count, "Div", p + "qks", List(p + "qk", "scale"));
      node(g, count, "Softmax", p + "att", List(p + "qks"), int1("axis", -1));
      node(g, count, "MatMul", p + "ctx", List(p + "att", qkv[2]));
      node(g, count, "Transpose", p + "ctxt", List(p + "ctx"), ints1("perm", 0, 2, 1, 3));
      // The same shape chain again (CSE merges it) for the merge-heads reshape.
      node(g, count, "Shape", p + "shape2", List(p + "ln"));
      node(g, count, "Gather", p + "b2x", List(p + "shape2", "idx0"), int1("axis", 0));
      node(g, count, "Gather", p + "s2x", List(p + "shape2", "idx1"), int1("axis", 0));
      node(g, count, "Concat", p + "mshape", List(p + "b2x", p + "s2x", "hid"), int1("axis", 0));
      node(g, count, "Reshape", p + "merged", List(p + "ctxt", p + "mshape"));
      node(g, count, "MatMul", p + "o_mm", List(p + "merged", p + "wo"));
      node(g, count, "Add", p + "o", List(p + "o_mm", p + "bo"));
      node(g, count, "Add", p + "res1", List(x, p + "o"));
      // GELU (erf) MLP.
      node(g, count, "MatMul", p + "f1", List(p + "res1", p + "w1"));
      node(g, count, "Add", p + "f1b", List(p + "f1", p + "b1"));
      node(g, count, "Div", p + "g0", List(p + "f1b", "sqrt2"));
      node(g, count, "Erf", p + "g1", List(p + "g0"));
      node(g, count, "Add", p + "g2", List(p + "g1", "one"));
      node(g, count, "Mul", p + "g3", List(p + "f1b", p + "g2"));
      node(g, count, "Mul", p + "gelu", List(p + "g3", "half"));
      node(g, count, "MatMul", p + "f2", List(p + "gelu", p + "w2"));
      node(g, count, "Add", p + "f2b", List(p + "f2", p + "b2"));
      node(g, count, "Identity", p + "f2i", List(p + "f2b"));
      node(g, count, "Add", p + "out", List(p + "res1", p + "f2i"));
      x = p + "out";
    }
    g.addOutput(info(x, 1, SEQ, H));
    return ModelProto.newBuilder().setIrVersion(8).setProducerName("weft-bench")
        .addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("").setVersion(17)).setGraph(g).build();
  }

  private static String[] List(String... xs) { return xs; }

  private static void node(GraphProto.Builder g, int[] count, String op, String out, String[] in, AttributeProto... attrs) {
    NodeProto.Builder n = NodeProto.newBuilder().setOpType(op).setName(out + "_node").addOutput(out);
    for (String i : in) n.addInput(i);
    for (AttributeProto a : attrs) n.addAttribute(a);
    g.addNode(n);
    count[0]++;
  }

  private static AttributeProto int1(String name, long v) {
    return AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.INT).setI(v).build();
  }

  private static AttributeProto ints1(String name, long... v) {
    AttributeProto.Builder a = AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.INTS);
    for (long x : v) a.addInts(x);
    return a.build();
  }

  private static ValueInfoProto info(String name, long... dims) {
    TensorShapeProto.Builder s = TensorShapeProto.newBuilder();
    for (long d : dims) s.addDim(TensorShapeProto.Dimension.newBuilder().setDimValue(d));
    return ValueInfoProto.newBuilder().setName(name)
        .setType(TypeProto.newBuilder().setTensorType(TypeProto.Tensor.newBuilder().setElemType(FLOAT).setShape(s))).build();
  }

  private static TensorProto ints(String name, long... v) {
    TensorProto.Builder t = TensorProto.newBuilder().setName(name).setDataType(INT64).addDims(v.length);
    for (long x : v) t.addInt64Data(x);
    return t.build();
  }

  private static TensorProto floats(String name, long[] dims, float fill) {
    long n = 1;
    for (long d : dims) n *= d;
    ByteBuffer b = ByteBuffer.allocate((int) n * 4).order(ByteOrder.LITTLE_ENDIAN);
    for (int i = 0; i < n; i++) b.putFloat(fill * ((i % 5) - 2));
    TensorProto.Builder t = TensorProto.newBuilder().setName(name).setDataType(FLOAT).setRawData(ByteString.copyFrom(b.array()));
    for (long d : dims) t.addDims(d);
    return t.build();
  }
}
