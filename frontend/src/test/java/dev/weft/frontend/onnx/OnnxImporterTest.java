package dev.weft.frontend.onnx;

import static dev.weft.frontend.onnx.Protos.node;
import static dev.weft.frontend.onnx.Protos.tensor;
import static dev.weft.frontend.onnx.Protos.tensorInfo;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.bundle.DType;
import dev.weft.bundle.Tensor;
import dev.weft.frontend.onnx.proto.OnnxProto.AttributeProto;
import dev.weft.frontend.onnx.proto.OnnxProto.FunctionProto;
import dev.weft.frontend.onnx.proto.OnnxProto.GraphProto;
import dev.weft.frontend.onnx.proto.OnnxProto.ModelProto;
import dev.weft.frontend.onnx.proto.OnnxProto.NodeProto;
import dev.weft.frontend.onnx.proto.OnnxProto.OperatorSetIdProto;
import dev.weft.frontend.onnx.proto.OnnxProto.StringStringEntryProto;
import dev.weft.frontend.onnx.proto.OnnxProto.TypeProto;
import dev.weft.frontend.onnx.proto.OnnxProto.ValueInfoProto;
import dev.weft.ir.Dim;
import dev.weft.ir.Graph;
import dev.weft.ir.Location;
import dev.weft.ir.Module;
import dev.weft.ir.Node;
import dev.weft.ir.OptionalType;
import dev.weft.ir.SequenceType;
import dev.weft.ir.TensorType;
import dev.weft.ir.Value;
import dev.weft.ir.interp.Interpreter;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class OnnxImporterTest {
  /** Core ops plus test-only ops in domain "test", so these tests need no colleague's handlers. */
  static final List<Graph> SUBGRAPHS = new ArrayList<>();

  static OnnxOpTable testTable() {
    OnnxOpTable t = new OnnxOpTable();
    new CoreOnnxOps().register(t);
    t.add("test", "Add", 1, (n, ctx) -> List.of(ctx.builder().op1("add", n.required(0), n.required(1))));
    t.add("test", "Sub", 1, (n, ctx) -> {
      SUBGRAPHS.add(ctx.subgraph(n.attrGraph("body"), null));
      return List.of(ctx.builder().op1("identity", n.required(0)));
    });
    return t;
  }

  static final OnnxImporter.Options OPTS = OnnxImporter.Options.defaults().withTable(testTable());

  static ModelProto model(GraphProto.Builder g) {
    return Protos.model(g.build(), 13).toBuilder()
        .addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("test").setVersion(1)).build();
  }

  static Module imp(GraphProto.Builder g) { return OnnxImporter.importModel(Protos.onnx(model(g)), OPTS); }

  static String error(GraphProto.Builder g) { return assertThrows(OnnxImportException.class, () -> imp(g)).getMessage(); }

  static AttributeProto floatAttr(String name, float v) {
    return AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.FLOAT).setF(v).build();
  }

  static Tensor run(Module m, Object... inputs) { return (Tensor) new Interpreter().run(m.main(), List.of(inputs)).get(0); }

  @Test
  void constantAndIdentityChainKeepNamesAndLocations() {
    GraphProto.Builder g = GraphProto.newBuilder().setName("g")
        .addNode(node("make", "Constant", List.of(), List.of("c"), Protos.tensorAttr("value", tensor("v", 1, 2).addFloatData(1).addFloatData(2).build())))
        .addNode(node("first", "Identity", List.of("c"), List.of("i1")))
        .addNode(node("", "Identity", List.of("i1"), List.of("i2")))
        .addOutput(tensorInfo("i2", 1, 2));
    ModelProto mp = model(g).toBuilder().setProducerName("hand").setProducerVersion("1.0")
        .addMetadataProps(StringStringEntryProto.newBuilder().setKey("author").setValue("me")).build();
    Module m = OnnxImporter.importModel(Protos.onnx(mp), OPTS);
    List<Node> nodes = m.main().nodes();
    assertEquals(3, nodes.size());
    assertEquals("c", nodes.get(0).output(0).name());
    assertEquals("i1", nodes.get(1).output(0).name());
    assertEquals("i2", m.main().outputs().get(0).name());
    assertEquals(Location.named("test.onnx", "first"), nodes.get(1).location());
    assertEquals(Location.named("test.onnx", "Identity->i2"), nodes.get(2).location());
    assertEquals("hand", m.metadata().get("onnx.producer_name"));
    assertEquals("me", m.metadata().get("onnx.meta.author"));
    assertEquals("13", m.metadata().get("onnx.opset.ai.onnx"));
    assertArrayEquals(new float[] {1, 2}, run(m).toFloatArray());
  }

  @Test
  void graphInputTypes() {
    ValueInfoProto seq = ValueInfoProto.newBuilder().setName("s").setType(TypeProto.newBuilder().setSequenceType(
        TypeProto.Sequence.newBuilder().setElemType(tensorInfo("", 7).getType()))).build();
    ValueInfoProto opt = ValueInfoProto.newBuilder().setName("o").setType(TypeProto.newBuilder().setOptionalType(
        TypeProto.Optional.newBuilder().setElemType(tensorInfo("", 1, 3).getType()))).build();
    ValueInfoProto unranked = ValueInfoProto.newBuilder().setName("u").setType(TypeProto.newBuilder().setTensorType(
        TypeProto.Tensor.newBuilder().setElemType(10))).build();
    GraphProto.Builder g = GraphProto.newBuilder().setName("g")
        .addInput(tensorInfo("x", 1, "N", null, 4)).addInput(tensorInfo("w", 1, 2)).addInput(seq).addInput(opt).addInput(unranked)
        .addInitializer(tensor("w", 1, 2).addFloatData(3).addFloatData(4))  // an IR<4 style input that is an initializer
        .addNode(node("id", "Identity", List.of("x"), List.of("y"))).addOutput(tensorInfo("y", 1));
    Module m = imp(g);
    List<Value> in = m.main().inputs();
    assertEquals(List.of("x", "s", "o", "u"), in.stream().map(Value::name).toList());
    TensorType x = (TensorType) in.get(0).type();
    assertEquals(Dim.sym("N"), x.shape().dim(0));
    assertInstanceOf(Dim.Symbol.class, x.shape().dim(1));
    assertEquals(Dim.of(4), x.shape().dim(2));
    assertEquals(new SequenceType(TensorType.of(DType.I64, new long[0])), in.get(1).type());
    assertEquals(new OptionalType(TensorType.of(DType.F32, 3)), in.get(2).type());
    assertFalse(((TensorType) in.get(3).type()).shape().isRanked());
    assertTrue(error(GraphProto.newBuilder().addInput(ValueInfoProto.newBuilder().setName("t"))).contains("input 't' of graph"));
  }

  @Test
  void everyConstantForm() {
    AttributeProto.Builder a = AttributeProto.newBuilder();
    record Case(AttributeProto attr, String expected) {}
    List<Case> cases = List.of(
        new Case(a.clone().setName("value_float").setType(AttributeProto.AttributeType.FLOAT).setF(2.5f).build(), "tensor<f32[]> [2.5]"),
        new Case(a.clone().setName("value_floats").setType(AttributeProto.AttributeType.FLOATS).addFloats(1).addFloats(-1).build(), "tensor<f32[2]> [1.0, -1.0]"),
        new Case(a.clone().setName("value_int").setType(AttributeProto.AttributeType.INT).setI(-3).build(), "tensor<i64[]> [-3]"),
        new Case(a.clone().setName("value_ints").setType(AttributeProto.AttributeType.INTS).addInts(4).addInts(5).build(), "tensor<i64[2]> [4, 5]"),
        new Case(a.clone().setName("value_string").setType(AttributeProto.AttributeType.STRING).setS(com.google.protobuf.ByteString.copyFromUtf8("hi")).build(), "tensor<string[]> [hi]"),
        new Case(a.clone().setName("value_strings").setType(AttributeProto.AttributeType.STRINGS)
            .addStrings(com.google.protobuf.ByteString.copyFromUtf8("a")).build(), "tensor<string[1]> [a]"),
        new Case(a.clone().setName("sparse_value").setType(AttributeProto.AttributeType.SPARSE_TENSOR).setSparseTensor(
            dev.weft.frontend.onnx.proto.OnnxProto.SparseTensorProto.newBuilder().setValues(tensor("sv", 7, 1).addInt64Data(9))
                .setIndices(tensor("si", 7, 1).addInt64Data(2)).addDims(3)).build(), "tensor<i64[3]> [0, 0, 9]"));
    for (Case c : cases) {
      GraphProto.Builder g = GraphProto.newBuilder().setName("g").addNode(node("k", "Constant", List.of(), List.of("c"), c.attr))
          .addOutput(ValueInfoProto.newBuilder().setName("c"));
      assertEquals(c.expected, run(imp(g)).toString());
    }
    GraphProto.Builder none = GraphProto.newBuilder().addNode(node("k", "Constant", List.of(), List.of("c")));
    assertTrue(error(none).contains("node 'k' (Constant-13): Constant needs exactly one of"));
    GraphProto.Builder two = GraphProto.newBuilder().addNode(node("k", "Constant", List.of(), List.of("c"), cases.get(0).attr, cases.get(2).attr));
    assertTrue(error(two).contains("exactly one"));
  }

  @Test
  void modelLocalFunctionsAreInlinedWithAttributeReferences() {
    // my::AddK(x) = x + k, k an attribute (default 1.0)
    AttributeProto ref = AttributeProto.newBuilder().setName("value_float").setType(AttributeProto.AttributeType.FLOAT).setRefAttrName("k").build();
    FunctionProto f = FunctionProto.newBuilder().setName("AddK").setDomain("my").addInput("x").addOutput("y")
        .addAttributeProto(floatAttr("k", 1f))
        .addNode(node("kc", "Constant", List.of(), List.of("kv"), ref))
        .addNode(NodeProto.newBuilder().setName("add").setOpType("Add").setDomain("test").addInput("x").addInput("kv").addOutput("y"))
        .addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("").setVersion(13))
        .addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("test").setVersion(1)).build();
    GraphProto.Builder g = GraphProto.newBuilder().setName("g").addInput(tensorInfo("a", 1, 2))
        .addNode(NodeProto.newBuilder().setName("call1").setOpType("AddK").setDomain("my").addInput("a").addOutput("b").addAttribute(floatAttr("k", 10f)))
        .addNode(NodeProto.newBuilder().setName("call2").setOpType("AddK").setDomain("my").addInput("b").addOutput("c"))
        .addOutput(tensorInfo("c", 1, 2));
    ModelProto mp = model(g).toBuilder().addFunctions(f).addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("my").setVersion(1)).build();
    Module m = OnnxImporter.importModel(Protos.onnx(mp), OPTS);
    assertArrayEquals(new float[] {12, 13}, run(m, Tensor.ofFloats(new long[] {2}, 1, 2)).toFloatArray());
    List<String> names = m.main().nodes().stream().map(n -> n.output(0).name()).toList();
    assertEquals(List.of("call1#0/kv", "b", "call2#1/kv", "c"), names);
    assertTrue(OnnxCoverage.scan(mp, OPTS.table()).fullySupported());

    // A function that calls itself hits the depth limit.
    FunctionProto rec = f.toBuilder().clearNode().addNode(NodeProto.newBuilder().setOpType("AddK").setDomain("my").addInput("x").addOutput("y")).build();
    ModelProto bad = mp.toBuilder().clearFunctions().addFunctions(rec).build();
    String msg = assertThrows(OnnxImportException.class, () -> OnnxImporter.importModel(Protos.onnx(bad), OPTS)).getMessage();
    assertTrue(msg.contains("nest deeper than 16"), msg);
  }

  @Test
  void duplicateAndUndefinedNames() {
    GraphProto.Builder base = GraphProto.newBuilder().setName("g").addInput(tensorInfo("x", 1, 2));
    assertTrue(error(base.clone().addNode(node("a", "Identity", List.of("x"), List.of("y"))).addNode(node("b", "Identity", List.of("x"), List.of("y"))))
        .contains("duplicate value name 'y' in graph 'g': output of node 'a' and of node 'b'"));
    assertTrue(error(base.clone().addNode(node("a", "Identity", List.of("x"), List.of("x")))).contains("duplicate value name 'x'"));
    assertTrue(error(base.clone().addInitializer(tensor("w", 1, 1).addFloatData(1)).addInitializer(tensor("w", 1, 1).addFloatData(1)))
        .contains("duplicate value name 'w'"));
    assertTrue(error(base.clone().addNode(node("a", "Identity", List.of("nope"), List.of("y"))))
        .contains("node 'a' (Identity): input 'nope' is not defined"));
    assertTrue(error(base.clone().addOutput(tensorInfo("z", 1))).contains("output 'z' of graph 'g' is not produced"));
  }

  @Test
  void unsortedGraphIsSortedDeterministically() {
    GraphProto.Builder g = GraphProto.newBuilder().setName("g").addInput(tensorInfo("x", 1, 2))
        .addNode(node("c", "Identity", List.of("b"), List.of("out")))
        .addNode(node("b", "Identity", List.of("a"), List.of("b")))
        .addNode(node("a", "Identity", List.of("x"), List.of("a")))
        .addOutput(tensorInfo("out", 1, 2));
    List<String> warnings = new ArrayList<>();
    Module m = OnnxImporter.importModel(Protos.onnx(model(g)), OPTS, warnings);
    assertEquals(List.of("a", "b", "out"), m.main().nodes().stream().map(n -> n.output(0).name()).toList());
    assertTrue(warnings.get(0).contains("was not topologically sorted"));
    assertArrayEquals(new float[] {5, 6}, run(m, Tensor.ofFloats(new long[] {2}, 5, 6)).toFloatArray());
  }

  @Test
  void cyclesAndSelfConsumptionAreRejected() {
    GraphProto.Builder cyc = GraphProto.newBuilder().setName("g")
        .addNode(node("p", "Identity", List.of("q_out"), List.of("p_out")))
        .addNode(node("q", "Identity", List.of("p_out"), List.of("q_out")));
    String m = error(cyc);
    assertTrue(m.contains("graph 'g' has a cycle") && m.contains("'p'") && m.contains("'q'"), m);
    GraphProto.Builder self = GraphProto.newBuilder().setName("g").addNode(node("s", "Identity", List.of("y"), List.of("y")));
    assertTrue(error(self).contains("node 's' in graph 'g' consumes its own output 'y'"));
  }

  @Test
  void unsupportedOpsAreReportedUpFront() {
    GraphProto.Builder g = GraphProto.newBuilder().setName("g").addInput(tensorInfo("x", 1, 2))
        .addNode(node("f1", "Frobnicate", List.of("x"), List.of("y")))
        .addNode(node("f2", "Frobnicate", List.of("y"), List.of("z")))
        .addNode(node("i", "Identity", List.of("z"), List.of("w")));
    OnnxUnsupportedOpException e = assertThrows(OnnxUnsupportedOpException.class, () -> imp(g));
    assertTrue(e.getMessage().contains("unsupported op: domain=ai.onnx, op_type=Frobnicate, version=13, node 'f1'"), e.getMessage());
    OnnxCoverage.Report r = OnnxCoverage.scan(model(g), OPTS.table());
    assertEquals(2, r.entries().size());
    OnnxCoverage.Entry fro = r.entries().get(0);
    assertEquals("Frobnicate", fro.opType());
    assertFalse(fro.supported());
    assertEquals(List.of("f1", "f2"), fro.nodes());
    assertTrue(r.entries().get(1).supported());
    assertTrue(r.format().contains("ai.onnx::Frobnicate-13  UNSUPPORTED  (2 nodes: f1, f2)"), r.format());
  }

  @Test
  void subgraphsSeeEnclosingNamesAndMayNotShadowThem() {
    SUBGRAPHS.clear();
    GraphProto body = GraphProto.newBuilder().setName("body").addInput(tensorInfo("bi", 1, 2))
        .addNode(node("inner", "Identity", List.of("outer"), List.of("bo")))
        .addOutput(tensorInfo("bo", 1, 2)).build();
    GraphProto.Builder g = GraphProto.newBuilder().setName("g").addInput(tensorInfo("x", 1, 2))
        .addNode(node("o", "Identity", List.of("x"), List.of("outer")))
        .addNode(NodeProto.newBuilder().setName("s").setOpType("Sub").setDomain("test").addInput("outer").addOutput("y")
            .addAttribute(Protos.graphAttr("body", body)))
        .addOutput(tensorInfo("y", 1, 2));
    Module m = imp(g);
    Graph sub = SUBGRAPHS.get(0);
    assertEquals("bi", sub.inputs().get(0).name());
    assertEquals("bo", sub.outputs().get(0).name());
    assertSame(m.main().nodes().get(0).output(0), sub.nodes().get(0).input(0));  // captured outer value
    GraphProto shadow = body.toBuilder().setNode(0, node("inner", "Identity", List.of("bi"), List.of("x"))).setOutput(0, tensorInfo("x", 1)).build();
    GraphProto.Builder g2 = g.clone().setNode(1, g.getNode(1).toBuilder().setAttribute(0, Protos.graphAttr("body", shadow)));
    String m2 = error(g2);
    assertTrue(m2.contains("duplicate value name 'x' in graph 'body'") && m2.contains("enclosing"), m2);
    // A subgraph input may not shadow either.
    GraphProto shadowIn = body.toBuilder().setInput(0, tensorInfo("x", 1, 2)).build();
    GraphProto.Builder g3 = g.clone().setNode(1, g.getNode(1).toBuilder().setAttribute(0, Protos.graphAttr("body", shadowIn)));
    assertTrue(error(g3).contains("value name 'x' in graph 'body' shadows a value of enclosing graph 'g'"));
  }

  @Test
  void tenThousandNestedSubgraphsHitTheDepthLimitWithoutRecursion() {
    GraphProto g = GraphProto.newBuilder().setName("leaf").build();
    for (int i = 0; i < 10_000; i++) {
      g = GraphProto.newBuilder().setName("g" + i)
          .addNode(node("if" + i, "If", List.of(), List.of(), Protos.graphAttr("then_branch", g))).build();
    }
    GraphProto top = g;
    long t0 = System.nanoTime();
    String m = assertThrows(OnnxImportException.class, () -> OnnxImporter.importModel(Protos.onnx(Protos.model(top, 13)), OPTS)).getMessage();
    assertTrue(m.contains("subgraph nesting depth exceeds the limit of 32") && m.contains("node 'if9967'"), m);
    assertTrue(System.nanoTime() - t0 < 5_000_000_000L);
  }

  @Test
  void configuredDepthLimitAlsoGuardsSubgraphImport() {
    GraphProto leaf = GraphProto.newBuilder().setName("leaf").build();
    GraphProto mid = GraphProto.newBuilder().setName("mid").addInput(tensorInfo("m", 1))
        .addNode(NodeProto.newBuilder().setName("s2").setOpType("Sub").setDomain("test").addInput("m").addOutput("m2")
            .addAttribute(Protos.graphAttr("body", leaf))).build();
    GraphProto.Builder g = GraphProto.newBuilder().setName("g").addInput(tensorInfo("x", 1))
        .addNode(NodeProto.newBuilder().setName("s1").setOpType("Sub").setDomain("test").addInput("x").addOutput("y")
            .addAttribute(Protos.graphAttr("body", mid)));
    OnnxImporter.Options one = OPTS.withMaxSubgraphDepth(1);
    String m = assertThrows(OnnxImportException.class, () -> OnnxImporter.importModel(Protos.onnx(model(g)), one)).getMessage();
    assertTrue(m.contains("node 's2'") && m.contains("limit of 1"), m);
    imp(g);  // depth 2 is fine under the default limit
  }

  @Test
  void memoryBudgetStopsHugeConstantsAndResults() {
    // 2^44 f32 elements declared with 4 bytes of data: stopped by the budget, or by the size check, never allocated.
    var huge = tensor("big", 1, 1L << 22, 1L << 22).setRawData(Protos.bytes(0, 0, 0, 0)).build();
    GraphProto.Builder init = GraphProto.newBuilder().setName("g").addInitializer(huge);
    assertTrue(error(init).contains("tensor 'big': declared size 70368744177664 bytes exceeds the memory budget"));
    OnnxImporter.Options noBudget = OPTS.withMemoryBudget(Long.MAX_VALUE);
    String m = assertThrows(OnnxImportException.class, () -> OnnxImporter.importModel(Protos.onnx(model(init)), noBudget)).getMessage();
    assertTrue(m.contains("'raw_data' has 4 bytes"), m);
    GraphProto.Builder constant = GraphProto.newBuilder().setName("g")
        .addNode(node("cos", "Constant", List.of(), List.of("c"), Protos.tensorAttr("value", huge)));
    assertTrue(error(constant).contains("node 'cos' (Constant-13): tensor 'big': declared size"));
    // A static result type over the budget, whatever produced it.
    GraphProto.Builder result = GraphProto.newBuilder().setName("g").addInput(tensorInfo("x", 1, 1L << 22, 1L << 22))
        .addNode(node("grow", "Identity", List.of("x"), List.of("y")));
    assertTrue(error(result).contains("node 'grow' (Identity-13): result type f32[4194304,4194304] needs 70368744177664 bytes"));
  }
}
