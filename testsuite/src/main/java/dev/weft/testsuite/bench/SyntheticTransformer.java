package dev.weft.testsuite.bench;

import com.google.protobuf.ByteString;
import dev.weft.frontend.onnx.OnnxOpTable;
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
import java.util.List;
import java.util.SplittableRandom;

/**
 * A deterministic, transformer-shaped ONNX model of a requested node count, for the import
 * benchmark. Each layer is a tiny self-attention block on a [1, 4, 8] activation (hidden 8, two
 * heads of 4): LayerNormalization, Q/K/V MatMuls, Reshape/Transpose into heads, MatMul, Softmax,
 * MatMul, Transpose/Reshape back, output MatMul, a residual (Add when the import table has it,
 * else Slice+Slice+Concat), a Gather over positions, an If whose branches hold one Identity each,
 * and an Identity: 24 nodes per layer. Per-layer initializers are LayerNorm scale/bias and four
 * hidden x hidden f32 weights as raw_data; with the default hidden size 8 that is 1,088 bytes, so
 * the graph structure, not weight bytes, dominates the model size (about 123 bytes per node).
 * Subgraph nodes count towards the node total.
 */
public final class SyntheticTransformer {
  static final int FLOAT = 1;
  static final int INT64 = 7;
  static final int BOOL = 9;
  /** Default hidden size: tiny weights, so the graph structure dominates the model size. */
  public static final int SMALL_HIDDEN = 8;
  static final int SEQ = 4;
  static final int OPSET = 17;

  private SyntheticTransformer() {}

  /** Whether the residual uses Add (needs the elementwise ONNX handlers). */
  public static boolean hasAdd() { return OnnxOpTable.standard().find("", "Add", OPSET) != null; }

  /** A model with at least {@code nodes} nodes (layers are whole); same bytes for the same arguments. */
  public static ModelProto build(int nodes) { return build(nodes, SMALL_HIDDEN); }

  /** As {@link #build(int)} with a given (even) hidden size: weights grow as hidden^2 per layer. */
  public static ModelProto build(int nodes, int hidden) {
    boolean add = hasAdd();
    GraphProto.Builder g = GraphProto.newBuilder().setName("synthetic_transformer");
    g.addInput(info("x", FLOAT, 1, SEQ, hidden));
    g.addInput(info("cond", BOOL));
    g.addInitializer(ints("shape4", 1, SEQ, 2, hidden / 2));
    g.addInitializer(ints("shape3", 1, SEQ, hidden));
    g.addInitializer(ints("positions", 3, 2, 1, 0));
    if (!add) {
      g.addInitializer(ints("lo_start", 0));
      g.addInitializer(ints("lo_end", hidden / 2));
      g.addInitializer(ints("hi_start", hidden / 2));
      g.addInitializer(ints("hi_end", hidden));
      g.addInitializer(ints("axis2", 2));
    }
    SplittableRandom rnd = new SplittableRandom(42);
    String x = "x";
    int count = 0;
    for (int l = 0; count < nodes; l++) {
      String p = "l" + l + ".";
      g.addInitializer(floats(p + "ln.scale", rnd, hidden));
      g.addInitializer(floats(p + "ln.bias", rnd, hidden));
      for (String w : new String[] {"wq", "wk", "wv", "wo"}) g.addInitializer(floats(p + w, rnd, hidden, hidden));
      count += addNode(g, p, "LayerNormalization", List.of(x, p + "ln.scale", p + "ln.bias"), List.of(p + "ln"), intAttr("axis", -1));
      for (String w : new String[] {"q", "k", "v"}) {
        count += addNode(g, p, "MatMul", List.of(p + "ln", p + "w" + w), List.of(p + w));
        count += addNode(g, p, "Reshape", List.of(p + w, "shape4"), List.of(p + w + "4"));
        long[] perm = w.equals("k") ? new long[] {0, 2, 3, 1} : new long[] {0, 2, 1, 3};
        count += addNode(g, p, "Transpose", List.of(p + w + "4"), List.of(p + w + "t"), intsAttr("perm", perm));
      }
      count += addNode(g, p, "MatMul", List.of(p + "qt", p + "kt"), List.of(p + "scores"));
      count += addNode(g, p, "Softmax", List.of(p + "scores"), List.of(p + "probs"), intAttr("axis", -1));
      count += addNode(g, p, "MatMul", List.of(p + "probs", p + "vt"), List.of(p + "ctx"));
      count += addNode(g, p, "Transpose", List.of(p + "ctx"), List.of(p + "ctx_t"), intsAttr("perm", 0, 2, 1, 3));
      count += addNode(g, p, "Reshape", List.of(p + "ctx_t", "shape3"), List.of(p + "ctx3"));
      count += addNode(g, p, "MatMul", List.of(p + "ctx3", p + "wo"), List.of(p + "proj"));
      if (add) {
        count += addNode(g, p, "Add", List.of(x, p + "proj"), List.of(p + "res"));
      } else {
        count += addNode(g, p, "Slice", List.of(p + "proj", "lo_start", "lo_end", "axis2"), List.of(p + "lo"));
        count += addNode(g, p, "Slice", List.of(x, "hi_start", "hi_end", "axis2"), List.of(p + "hi"));
        count += addNode(g, p, "Concat", List.of(p + "lo", p + "hi"), List.of(p + "res"), intAttr("axis", 2));
      }
      count += addNode(g, p, "Gather", List.of(p + "res", "positions"), List.of(p + "gathered"), intAttr("axis", 1));
      GraphProto then = branch(p + "then", p + "gathered", p + "then_out", hidden);
      GraphProto otherwise = branch(p + "else", p + "res", p + "else_out", hidden);
      count += addNode(g, p, "If", List.of("cond"), List.of(p + "chosen"), graphAttr("then_branch", then),
          graphAttr("else_branch", otherwise));
      count += 2;  // the branches' Identity nodes
      count += addNode(g, p, "Identity", List.of(p + "chosen"), List.of(p + "out"));
      x = p + "out";
    }
    g.addOutput(info(x, FLOAT, 1, SEQ, hidden));
    return ModelProto.newBuilder().setIrVersion(8).setProducerName("weft-bench").setGraph(g)
        .addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("").setVersion(OPSET)).build();
  }

  /** Node count of a model including subgraph nodes. */
  public static int countNodes(GraphProto g) {
    int n = 0;
    for (NodeProto node : g.getNodeList()) {
      n++;
      for (AttributeProto a : node.getAttributeList()) {
        if (a.hasG()) n += countNodes(a.getG());
        for (GraphProto sub : a.getGraphsList()) n += countNodes(sub);
      }
    }
    return n;
  }

  private static GraphProto branch(String name, String captured, String out, int hidden) {
    return GraphProto.newBuilder().setName(name)
        .addNode(NodeProto.newBuilder().setName(name + ".id").setOpType("Identity").addInput(captured).addOutput(out))
        .addOutput(info(out, FLOAT, 1, SEQ, hidden)).build();
  }

  private static int addNode(GraphProto.Builder g, String prefix, String op, List<String> in, List<String> out,
      AttributeProto... attrs) {
    NodeProto.Builder b = NodeProto.newBuilder().setName(prefix + op + g.getNodeCount()).setOpType(op)
        .addAllInput(in).addAllOutput(out);
    for (AttributeProto a : attrs) b.addAttribute(a);
    g.addNode(b);
    return 1;
  }

  private static AttributeProto intAttr(String name, long v) {
    return AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.INT).setI(v).build();
  }

  private static AttributeProto intsAttr(String name, long... v) {
    AttributeProto.Builder b = AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.INTS);
    for (long x : v) b.addInts(x);
    return b.build();
  }

  private static AttributeProto graphAttr(String name, GraphProto g) {
    return AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.GRAPH).setG(g).build();
  }

  private static TensorProto ints(String name, long... v) {
    TensorProto.Builder b = TensorProto.newBuilder().setName(name).setDataType(INT64).addDims(v.length);
    for (long x : v) b.addInt64Data(x);
    return b.build();
  }

  private static TensorProto floats(String name, SplittableRandom rnd, long... dims) {
    TensorProto.Builder b = TensorProto.newBuilder().setName(name).setDataType(FLOAT);
    int n = 1;
    for (long d : dims) {
      b.addDims(d);
      n *= (int) d;
    }
    ByteBuffer raw = ByteBuffer.allocate(n * 4).order(ByteOrder.LITTLE_ENDIAN);
    for (int i = 0; i < n; i++) raw.putFloat((float) (rnd.nextDouble() * 2 - 1));
    return b.setRawData(ByteString.copyFrom(raw.array())).build();
  }

  private static ValueInfoProto info(String name, int elemType, long... dims) {
    TensorShapeProto.Builder s = TensorShapeProto.newBuilder();
    for (long d : dims) s.addDim(TensorShapeProto.Dimension.newBuilder().setDimValue(d));
    TypeProto t = TypeProto.newBuilder().setTensorType(TypeProto.Tensor.newBuilder().setElemType(elemType).setShape(s)).build();
    return ValueInfoProto.newBuilder().setName(name).setType(t).build();
  }
}
