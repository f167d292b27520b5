package dev.weft.frontend.onnx.export;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.bundle.DType;
import dev.weft.bundle.Tensor;
import dev.weft.frontend.onnx.OnnxBackendRunner;
import dev.weft.frontend.onnx.OnnxImporter;
import dev.weft.frontend.onnx.OnnxModelReader;
import dev.weft.frontend.onnx.OnnxTensors;
import dev.weft.frontend.onnx.proto.OnnxProto.GraphProto;
import dev.weft.frontend.onnx.proto.OnnxProto.ModelProto;
import dev.weft.frontend.onnx.proto.OnnxProto.NodeProto;
import dev.weft.frontend.onnx.proto.OnnxProto.TensorShapeProto;
import dev.weft.ir.Attribute;
import dev.weft.ir.Dim;
import dev.weft.ir.Graph;
import dev.weft.ir.GraphBuilder;
import dev.weft.ir.Location;
import dev.weft.ir.Module;
import dev.weft.ir.Shape;
import dev.weft.ir.TensorType;
import dev.weft.ir.Value;
import dev.weft.ir.interp.Interpreter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OnnxExporterTest {
  @TempDir Path tmp;

  /** x: f32[batch,6], u: f32[*]; y = reshape(x + x, [batch?]) with a static shape attribute. */
  static Module addReshape() {
    Graph g = new Graph("main");
    Value x = g.addInput("x", TensorType.of(DType.F32, Dim.sym("batch"), Dim.of(6)));
    Value u = g.addInput("u", new TensorType(DType.F32, Shape.unranked()));
    GraphBuilder b = new GraphBuilder(g).at(Location.named("m.onnx", "the_add"));
    Value s = b.op1("add", x, x);
    b.at(Location.named("m.onnx", "the_reshape"));
    Value y = b.op("reshape", List.of(s), Map.of("shape", Attribute.of(-1L, 3L)), List.of("y")).get(0);
    g.addOutput(y);
    g.addOutput(b.op1("relu", u));
    return new Module(g);
  }

  private static List<NodeProto> nodes(ModelProto m) { return m.getGraph().getNodeList(); }

  @Test
  void writesTypesNodesAndShapeInitializers() {
    ModelProto m = OnnxExporter.export(addReshape());
    assertEquals("weft", m.getProducerName());
    assertEquals(OnnxExporter.IR_VERSION, m.getIrVersion());
    assertEquals(21, m.getOpsetImport(0).getVersion());
    GraphProto g = m.getGraph();
    TensorShapeProto xs = g.getInput(0).getType().getTensorType().getShape();
    assertEquals("batch", xs.getDim(0).getDimParam());
    assertEquals(6, xs.getDim(1).getDimValue());
    assertFalse(g.getInput(1).getType().getTensorType().hasShape());
    assertEquals(List.of("Add", "Reshape", "Relu"), nodes(m).stream().map(NodeProto::getOpType).toList());
    NodeProto reshape = nodes(m).get(1);
    assertEquals("the_reshape", reshape.getName());
    assertEquals("the_add", nodes(m).get(0).getName());
    assertEquals("y", reshape.getOutput(0));
    Tensor shape = OnnxTensors.decode(g.getInitializer(0), "test");
    assertEquals(reshape.getInput(1), g.getInitializer(0).getName());
    assertArrayEquals(new long[] {-1, 3}, shape.toLongArray());
    assertTrue(OnnxValidator.check(m).isEmpty(), OnnxValidator.check(m).toString());
  }

  @Test
  void sameModuleGivesTheSameBytes() {
    byte[] a = OnnxExporter.export(addReshape()).toByteArray();
    byte[] b = OnnxExporter.export(addReshape()).toByteArray();
    assertArrayEquals(a, b);
    Module one = addReshape();
    assertArrayEquals(OnnxExporter.export(one).toByteArray(), OnnxExporter.export(one).toByteArray());
  }

  @Test
  void roundTripsThroughTheImporter() {
    Module m = addReshape();
    Module back = OnnxImporter.importModel(OnnxModelReader.read(OnnxExporter.export(m).toByteArray(), "x.onnx"));
    Tensor x = Tensor.ofFloats(new long[] {1, 6}, 1, 2, 3, 4, 5, 6);
    Tensor u = Tensor.ofFloats(new long[] {2}, -1, 2);
    List<Object> got = new Interpreter().run(back.main(), List.of(x, u));
    assertNull(OnnxBackendRunner.compare(Tensor.ofFloats(new long[] {2, 3}, 2, 4, 6, 8, 10, 12), got.get(0), 0, 0));
    assertNull(OnnxBackendRunner.compare(Tensor.ofFloats(new long[] {2}, 0, 2), got.get(1), 0, 0));
  }

  @Test
  void transposedMatmulOperandsBecomeTransposes() {
    Graph g = new Graph("main");
    Value x = g.addInput("x", TensorType.of(DType.F32, 2, 3, 4));
    Value w = g.addInput("w", TensorType.of(DType.F32, 5, 4));
    Value y = new GraphBuilder(g).op1("matmul", Map.of("transpose_b", Attribute.of(1L)), x, w);
    g.addOutput(y);
    ModelProto p = OnnxExporter.export(new Module(g));
    assertEquals(List.of("Transpose", "MatMul"), nodes(p).stream().map(NodeProto::getOpType).toList());
    assertTrue(OnnxValidator.check(p).isEmpty(), OnnxValidator.check(p).toString());
    Tensor xv = Tensor.ofFloats(new long[] {2, 3, 4}, new float[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18,
        19, 20, 21, 22, 23, 24});
    float[] wf = new float[20];
    for (int i = 0; i < wf.length; i++) wf[i] = (i % 7) - 3;
    Tensor wv = Tensor.ofFloats(new long[] {5, 4}, wf);
    List<Object> want = new Interpreter().run(g, List.of(xv, wv));
    Module back = OnnxImporter.importModel(OnnxModelReader.read(p.toByteArray(), "t.onnx"));
    List<Object> got = new Interpreter().run(back.main(), List.of(xv, wv));
    assertNull(OnnxBackendRunner.compare(want.get(0), got.get(0), 0, 0));
    assertArrayEquals(new long[] {2, 3, 5}, ((Tensor) got.get(0)).shape());
  }

  @Test
  void compositesUseTheOnnxOpOrTheirDecomposition() {
    Graph g = new Graph("main");
    Value x = g.addInput("x", TensorType.of(DType.F32, 2, 4));
    GraphBuilder b = new GraphBuilder(g);
    Value sm = b.op1("softmax", Map.of("axis", Attribute.of(1L)), x);
    Value rms = b.op1("rms_norm", x);
    g.addOutput(sm);
    g.addOutput(rms);
    Module m = new Module(g);
    ModelProto p = OnnxExporter.export(m);
    List<String> ops = nodes(p).stream().map(NodeProto::getOpType).toList();
    assertTrue(ops.contains("Softmax"), ops.toString());
    assertFalse(ops.contains("RMSNormalization"), ops.toString());   // opset 23: decomposed
    assertTrue(OnnxValidator.check(p).isEmpty(), OnnxValidator.check(p).toString());
    // The module is left as it was: the decomposition's scratch nodes hold no uses of x.
    assertEquals(2, x.uses().size());
    Tensor in = Tensor.ofFloats(new long[] {2, 4}, 1, 2, 3, 4, -1, 0, 1, 2);
    List<Object> want = new Interpreter().run(g, List.of(in));
    Module back = OnnxImporter.importModel(OnnxModelReader.read(p.toByteArray(), "c.onnx"));
    List<Object> got = new Interpreter().run(back.main(), List.of(in));
    for (int i = 0; i < 2; i++) assertNull(OnnxBackendRunner.compare(want.get(i), got.get(i), 1e-5, 1e-6));
  }

  @Test
  void opsWithoutAnOnnxEquivalentGoToTheWeftDomainAndReadBack() {
    Graph g = new Graph("main");
    Value x = g.addInput("x", TensorType.of(DType.F32, 2));
    Value y = new GraphBuilder(g).op1("bitcast", Map.of("to", Attribute.of(DType.I32)), x);
    g.addOutput(y);
    OnnxExporter.Result r = OnnxExporter.export(new Module(g), OnnxExporter.Options.defaults());
    NodeProto n = nodes(r.model()).get(0);
    assertEquals(ExportContext.WEFT_DOMAIN, n.getDomain());
    assertEquals("bitcast", n.getOpType());
    assertTrue(r.warnings().get(0).contains("dev.weft::bitcast"), r.warnings().toString());
    assertTrue(r.model().getOpsetImportList().stream().anyMatch(o -> o.getDomain().equals("dev.weft")));
    Module back = OnnxImporter.importModel(OnnxModelReader.read(r.model().toByteArray(), "b.onnx"));
    assertEquals(DType.I32, back.main().nodes().get(0).attrs().getDType("to"));
  }

  @Test
  void subgraphsReadOuterValuesAndCopyPassThroughOutputs() {
    Graph g = new Graph("main");
    Value c = g.addInput("c", new TensorType(DType.BOOL, Shape.scalar()));
    Value x = g.addInput("x", TensorType.of(DType.F32, 2));
    Graph then = new Graph("then");
    Graph other = new Graph("else");
    GraphBuilder tb = new GraphBuilder(then);
    then.addOutput(tb.op1("neg", x));
    other.addOutput(x);                        // an outer value as a branch output: needs a copy in ONNX
    Value y = new GraphBuilder(g).op("if", List.of(c), Map.of("then_branch", Attribute.of(then), "else_branch", Attribute.of(other)),
        List.of("y")).get(0);
    g.addOutput(y);
    ModelProto p = OnnxExporter.export(new Module(g));
    assertTrue(OnnxValidator.check(p).isEmpty(), OnnxValidator.check(p).toString());
    GraphProto elseG = nodes(p).get(0).getAttributeList().stream().filter(a -> a.getName().equals("else_branch")).findFirst().orElseThrow().getG();
    assertEquals("Identity", elseG.getNode(0).getOpType());
    Module back = OnnxImporter.importModel(OnnxModelReader.read(p.toByteArray(), "if.onnx"));
    Tensor in = Tensor.ofFloats(new long[] {2}, 1, -2);
    List<Object> got = new Interpreter().run(back.main(), List.of(Tensor.ofBools(new long[0], true), in));
    assertNull(OnnxBackendRunner.compare(Tensor.ofFloats(new long[] {2}, -1, 2), got.get(0), 0, 0));
  }

  @Test
  void externalDataIsAlignedAndStaysBesideTheModel() throws Exception {
    Graph g = new Graph("main");
    Value x = g.addInput("x", TensorType.of(DType.F32, 300));
    GraphBuilder b = new GraphBuilder(g);
    Value w1 = b.constant(Tensor.zeros(DType.F32, 300), "w1");
    Value w2 = b.constant(Tensor.zeros(DType.F32, 3), "small");
    Value w3 = b.constant(Tensor.zeros(DType.F32, 301), "w3");
    g.addOutput(b.op1("add", x, w1));
    g.addOutput(b.op1("identity", w2));
    g.addOutput(w3);
    Module m = new Module(g);
    OnnxExporter.Result r = OnnxExporter.write(m, tmp.resolve("m.onnx"), true, OnnxExporter.Options.defaults());
    assertEquals(2, r.external().size());
    assertEquals(0, r.external().get(0).offset());
    assertEquals(1216, r.external().get(1).offset());                 // 1200 rounded up to 64
    assertEquals(1216 + 1204, Files.size(tmp.resolve("m.onnx.data")));
    assertFalse(Files.exists(tmp.resolve("m.onnx.tmp")));
    Module back = OnnxImporter.importModel(OnnxModelReader.read(tmp.resolve("m.onnx")));
    assertEquals(3, back.main().outputs().size());
    assertEquals(301, ((TensorType) back.main().outputs().get(2).type()).shape().dim(0).size());
    assertThrows(OnnxExportException.class,
        () -> OnnxExporter.export(m, OnnxExporter.Options.defaults().withExternalData("../evil.data")));
  }

  @Test
  void validatorFindsUndefinedInputsDuplicatesAndMissingOpsets() {
    ModelProto good = OnnxExporter.export(addReshape());
    GraphProto.Builder g = good.getGraph().toBuilder();
    g.setNode(0, g.getNode(0).toBuilder().setInput(0, "nowhere"));
    g.addInitializer(good.getGraph().getInitializer(0));
    g.setNode(1, g.getNode(1).toBuilder().setDomain("com.example"));
    List<String> p = OnnxValidator.check(good.toBuilder().setGraph(g).build());
    assertTrue(p.stream().anyMatch(s -> s.contains("reads 'nowhere' before it is defined")), p.toString());
    assertTrue(p.stream().anyMatch(s -> s.contains("is defined twice")), p.toString());
    assertTrue(p.stream().anyMatch(s -> s.contains("without an opset_import")), p.toString());
  }
}
