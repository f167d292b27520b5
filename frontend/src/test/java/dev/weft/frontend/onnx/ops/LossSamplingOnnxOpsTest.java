package dev.weft.frontend.onnx.ops;

import static dev.weft.frontend.onnx.ops.ShapeOnnxOpsTest.lower;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.weft.bundle.DType;
import dev.weft.frontend.onnx.ops.ShapeOnnxOpsTest.Ctx;
import dev.weft.frontend.onnx.proto.OnnxProto.AttributeProto;
import dev.weft.ir.Dim;
import dev.weft.ir.TensorType;
import dev.weft.ir.Value;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The loss and sampling handlers: which IR op and attributes each ONNX version becomes. */
class LossSamplingOnnxOpsTest {
  static AttributeProto str(String name, String v) {
    return AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.STRING)
        .setS(com.google.protobuf.ByteString.copyFromUtf8(v)).build();
  }

  @Test
  void lossesKeepSymbolicBatchAndOptionalLogProb() {
    Ctx c = new Ctx();
    Value x = c.g.addInput("x", TensorType.of(DType.F32, Dim.sym("N"), Dim.of(5), Dim.of(2)));
    Value t = c.g.addInput("t", TensorType.of(DType.I64, Dim.sym("N"), Dim.of(2)));
    Value nll = lower(c, "NegativeLogLikelihoodLoss", 22, List.of(x, t), 1, str("reduction", "none")).get(0);
    assertEquals("nll_loss", nll.producer().opName());
    assertEquals("[N,2]", nll.tensorType().shape().toString());
    List<Value> one = lower(c, "SoftmaxCrossEntropyLoss", 13, List.of(x, t), 1);
    assertEquals(1, one.size());
    assertEquals("[]", one.get(0).tensorType().shape().toString());
    List<Value> two = lower(c, "SoftmaxCrossEntropyLoss", 13, List.of(x, t), 2);
    assertEquals("[N,5,2]", two.get(1).tensorType().shape().toString());
  }

  @Test
  void gridSampleRenamesOpset16Modes() {
    Ctx c = new Ctx();
    Value x = c.g.addInput("x", TensorType.of(DType.F32, 1, 2, 4, 4));
    Value g = c.g.addInput("g", TensorType.of(DType.F32, 1, 3, 5, 2));
    Value y = lower(c, "GridSample", 16, List.of(x, g), 1, str("mode", "bicubic")).get(0);
    assertEquals("cubic", y.producer().attrs().getString("mode"));
    assertEquals("[1,2,3,5]", y.tensorType().shape().toString());
    Value d = lower(c, "GridSample", 16, List.of(x, g), 1).get(0);
    assertEquals("linear", d.producer().attrs().getString("mode"));
  }

  @Test
  void roiAlign10UsesOutputHalfPixel() {
    Ctx c = new Ctx();
    Value x = c.g.addInput("x", TensorType.of(DType.F32, 1, 2, 4, 4));
    Value r = c.g.addInput("r", TensorType.of(DType.F32, Dim.sym("R"), Dim.of(4)));
    Value b = c.g.addInput("b", TensorType.of(DType.I64, Dim.sym("R")));
    Value v10 = lower(c, "RoiAlign", 10, List.of(x, r, b), 1).get(0);
    assertEquals("output_half_pixel", v10.producer().attrs().getString("coordinate_transformation_mode"));
    assertEquals("[R,2,1,1]", v10.tensorType().shape().toString());
    Value v16 = lower(c, "RoiAlign", 16, List.of(x, r, b), 1).get(0);
    assertEquals("half_pixel", v16.producer().attrs().getString("coordinate_transformation_mode"));
  }
}
