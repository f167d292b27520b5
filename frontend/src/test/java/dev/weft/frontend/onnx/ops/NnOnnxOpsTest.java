package dev.weft.frontend.onnx.ops;

import static dev.weft.frontend.onnx.ops.ShapeOnnxOpsTest.lower;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.weft.bundle.DType;
import dev.weft.bundle.Tensor;
import dev.weft.ir.TensorType;
import dev.weft.ir.Value;
import dev.weft.ir.interp.Interpreter;
import java.util.List;
import org.junit.jupiter.api.Test;

/** NN handlers whose choice depends on what is known at import time. */
class NnOnnxOpsTest {
  @Test
  void trainingDropoutWithRunTimeRatioIsDecidedAtRunTime() {
    // ONNX test_training_dropout_zero_ratio_mask: ratio and training_mode are graph inputs.
    ShapeOnnxOpsTest.Ctx c = new ShapeOnnxOpsTest.Ctx();
    Value x = c.g.addInput("x", TensorType.of(DType.F32, 3));
    Value r = c.g.addInput("r", new TensorType(DType.F32, dev.weft.ir.Shape.scalar()));
    Value t = c.g.addInput("t", new TensorType(DType.BOOL, dev.weft.ir.Shape.scalar()));
    List<Value> outs = lower(c, "Dropout", 22, List.of(x, r, t), 2);
    assertEquals("dropout", outs.get(0).producer().opName());
    outs.forEach(c.g::addOutput);
    Tensor in = Tensor.ofFloats(new long[] {3}, 1, -2, 3);
    List<Object> y = new Interpreter().run(c.g, List.of(in, Tensor.ofFloats(new long[0], 0), Tensor.ofBools(new long[0], true)));
    assertArrayEquals(new float[] {1, -2, 3}, ((Tensor) y.get(0)).toFloatArray());
    assertArrayEquals(new long[] {1, 1, 1}, ((Tensor) y.get(1)).toLongArray());
  }

  @Test
  void inferenceDropoutIsIdentity() {
    ShapeOnnxOpsTest.Ctx c = new ShapeOnnxOpsTest.Ctx();
    Value x = c.g.addInput("x", TensorType.of(DType.F32, 3));
    Value out = lower(c, "Dropout", 22, List.of(x, c.scalar(DType.F32, 0.5), c.b.constant(Tensor.ofBools(new long[0], false))), 1).get(0);
    assertEquals("identity", out.producer().opName());
  }
}
