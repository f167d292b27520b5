package dev.weft.testsuite.custom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.bundle.Tensor;
import dev.weft.frontend.onnx.OnnxCoverage;
import dev.weft.frontend.onnx.OnnxImporter;
import dev.weft.frontend.onnx.OnnxModelReader;
import dev.weft.frontend.onnx.OnnxUnsupportedOpException;
import dev.weft.frontend.onnx.proto.OnnxProto.AttributeProto;
import dev.weft.frontend.onnx.proto.OnnxProto.GraphProto;
import dev.weft.frontend.onnx.proto.OnnxProto.ModelProto;
import dev.weft.frontend.onnx.proto.OnnxProto.NodeProto;
import dev.weft.frontend.onnx.proto.OnnxProto.OperatorSetIdProto;
import dev.weft.frontend.onnx.proto.OnnxProto.TensorShapeProto;
import dev.weft.frontend.onnx.proto.OnnxProto.TypeProto;
import dev.weft.frontend.onnx.proto.OnnxProto.ValueInfoProto;
import dev.weft.ir.Module;
import dev.weft.ir.Verifier;
import dev.weft.ir.interp.Interpreter;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A custom op registered through ServiceLoader imports, verifies and runs like a built-in one. */
class CustomOpTest {
  static ValueInfoProto floatVector(String name, long n) {
    TensorShapeProto shape = TensorShapeProto.newBuilder().addDim(TensorShapeProto.Dimension.newBuilder().setDimValue(n)).build();
    return ValueInfoProto.newBuilder().setName(name)
        .setType(TypeProto.newBuilder().setTensorType(TypeProto.Tensor.newBuilder().setElemType(1).setShape(shape))).build();
  }

  static ModelProto model(String domain, String opType) {
    NodeProto node = NodeProto.newBuilder().setOpType(opType).setDomain(domain).setName("sq").addInput("x").addOutput("y")
        .addAttribute(AttributeProto.newBuilder().setName("scale").setType(AttributeProto.AttributeType.FLOAT).setF(3f))
        .build();
    GraphProto g = GraphProto.newBuilder().setName("g").addNode(node).addInput(floatVector("x", 3)).addOutput(floatVector("y", 3)).build();
    return ModelProto.newBuilder().setIrVersion(8).setGraph(g)
        .addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("").setVersion(17))
        .addOpsetImport(OperatorSetIdProto.newBuilder().setDomain(domain).setVersion(1)).build();
  }

  @Test
  void customOpImportsAndRuns() {
    ModelProto proto = model(ScaledSquareOp.DOMAIN, "ScaledSquare");
    assertTrue(OnnxCoverage.scan(proto).fullySupported());
    Module m = OnnxImporter.importModel(OnnxModelReader.read(proto.toByteArray(), "custom.onnx"));
    new Verifier().verify(m);
    Tensor y = (Tensor) new Interpreter().run(m.main(), List.of(Tensor.ofFloats(new long[] {3}, 1, -2, 0.5f))).get(0);
    assertEquals(3f, y.getFloat(0));     // 3 * 1^2
    assertEquals(12f, y.getFloat(1));    // 3 * (-2)^2
    assertEquals(0.75f, y.getFloat(2));  // 3 * 0.25
  }

  @Test
  void anUnknownOpIsReportedUpFrontWithItsNode() {
    ModelProto proto = model("com.other", "Mystery");
    OnnxCoverage.Report r = OnnxCoverage.scan(proto);
    assertFalse(r.fullySupported());
    assertEquals(List.of("sq"), r.unsupported().get(0).nodes());
    OnnxUnsupportedOpException e = assertThrows(OnnxUnsupportedOpException.class,
        () -> OnnxImporter.importModel(OnnxModelReader.read(proto.toByteArray(), "other.onnx")));
    assertTrue(e.getMessage().contains("op_type=Mystery") && e.getMessage().contains("'sq'"), e.getMessage());
  }
}
