package dev.weft.frontend.onnx.ops;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.weft.bundle.Tensor;
import dev.weft.frontend.onnx.OnnxImportException;
import dev.weft.frontend.onnx.OnnxNode;
import dev.weft.frontend.onnx.OnnxOpHandler;
import dev.weft.frontend.onnx.OnnxOpTable;
import dev.weft.frontend.onnx.proto.OnnxProto.AttributeProto;
import dev.weft.frontend.onnx.proto.OnnxProto.AttributeProto.AttributeType;
import dev.weft.frontend.onnx.proto.OnnxProto.NodeProto;
import dev.weft.ir.Shape;
import dev.weft.ir.TensorType;
import dev.weft.ir.Value;
import dev.weft.ir.interp.Interpreter;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** ai.onnx.preview.training optimizers and Gradient, ai.onnx.ml Binarizer/ArrayFeatureExtractor, run end to end. */
class TrainingMlOnnxOpsTest {
  final ShapeOnnxOpsTest.Ctx c = new ShapeOnnxOpsTest.Ctx();
  final List<Object> args = new ArrayList<>();

  Value in(String name, Tensor t) {
    args.add(t);
    return c.g.addInput(name, new TensorType(t.dtype(), Shape.of(t.shape())));
  }

  List<Tensor> lower(String domain, String op, List<Value> inputs, int outputs, AttributeProto... attrs) {
    NodeProto.Builder nb = NodeProto.newBuilder().setOpType(op).setDomain(domain);
    for (Value v : inputs) nb.addInput(v.name());
    for (int i = 0; i < outputs; i++) nb.addOutput("out" + i);
    for (AttributeProto a : attrs) nb.addAttribute(a);
    OnnxOpHandler h = OnnxOpTable.standard().find(domain, op, 1);
    assertNotNull(h, op + " is not registered");
    List<Value> outs = h.lower(new OnnxNode(nb.build(), inputs, 1, c), c);
    outs.forEach(c.g::addOutput);
    List<Tensor> r = new ArrayList<>();
    for (Object o : new Interpreter().run(c.g, args)) r.add((Tensor) o);
    return r;
  }

  static AttributeProto f(String name, double v) {
    return AttributeProto.newBuilder().setName(name).setType(AttributeType.FLOAT).setF((float) v).build();
  }

  static AttributeProto str(String name, String v) {
    return AttributeProto.newBuilder().setName(name).setType(AttributeType.STRING)
        .setS(com.google.protobuf.ByteString.copyFromUtf8(v)).build();
  }

  static Tensor one(double v) { return Tensor.ofFloats(new long[] {1}, (float) v); }

  static Tensor r(double v) { return Tensor.ofFloats(new long[0], (float) v); }

  static Tensor t(long v) { return Tensor.ofLongs(new long[0], v); }

  static void near(double expected, Tensor actual) { assertEquals(expected, actual.getDouble(0), 1e-5 * Math.max(1, Math.abs(expected))); }

  @Test
  void adagrad() {
    // r' = 0.1 / (1 + 1 * 0.1); g' = 0.001 * 1 - 1 = -0.999; h' = 2 + g'^2; x' = 1 - r' g' / (sqrt(h') + 1e-5)
    List<Tensor> y = lower(TrainingOnnxOps.DOMAIN, "Adagrad", List.of(in("R", r(0.1)), in("T", t(1)), in("X", one(1)),
        in("G", one(-1)), in("H", one(2))), 2, f("norm_coefficient", 0.001), f("epsilon", 1e-5), f("decay_factor", 0.1));
    near(1.0524510767560185, y.get(0));
    near(2.998001, y.get(1));
  }

  @Test
  void momentumUsesBetaOnlyAfterTheFirstStep() {
    for (long step : new long[] {0, 3}) {
      for (String mode : new String[] {"standard", "nesterov"}) {
        TrainingMlOnnxOpsTest s = new TrainingMlOnnxOpsTest();
        List<Tensor> y = s.lower(TrainingOnnxOps.DOMAIN, "Momentum", List.of(s.in("R", r(0.1)), s.in("T", t(step)),
            s.in("X", one(1.2)), s.in("G", one(-0.5)), s.in("V", one(0.3))), 2,
            f("alpha", 0.9), f("beta", 0.5), f("norm_coefficient", 0.01), str("mode", mode));
        // g' = 0.012 - 0.5; v' = 0.9 * 0.3 + (t > 0 ? 0.5 : 1) g'
        double v = step == 0 ? -0.218 : 0.026;
        near(v, y.get(1));
        near(mode.equals("standard") ? 1.2 - 0.1 * v : (step == 0 ? 1.26842 : 1.24646), y.get(0));
      }
    }
  }

  @Test
  void adamCorrectsBiasOnlyAfterTheFirstStep() {
    for (long step : new long[] {0, 2}) {
      TrainingMlOnnxOpsTest s = new TrainingMlOnnxOpsTest();
      List<Tensor> y = s.lower(TrainingOnnxOps.DOMAIN, "Adam", List.of(s.in("R", r(0.1)), s.in("T", t(step)), s.in("X", one(1)),
          s.in("G", one(-0.5)), s.in("V", one(0.2)), s.in("H", one(0.3))), 3,
          f("alpha", 0.9), f("beta", 0.99), f("epsilon", 1e-3), f("norm_coefficient", 0.1), f("norm_coefficient_post", 0.01));
      near(step == 0 ? 0.964682297711717 : 0.9712026241161794, y.get(0));
      near(0.14, y.get(1));
      near(0.2986, y.get(2));
    }
  }

  @Test
  void gradientOfAddAndMul() {
    // d = (a + b) * a: dd/da = 2a + b, dd/db = a; b broadcast from [1] sums over a's axis.
    Value a = in("a", Tensor.ofFloats(new long[] {2}, 1, 2));
    Value b = in("b", Tensor.ofFloats(new long[] {1}, 3));
    Value sum = c.b.op1("add", a, b);
    c.b.op1("mul", sum, a).setName("d");
    List<Tensor> y = lower(TrainingOnnxOps.DOMAIN, "Gradient", List.of(a, b), 2,
        AttributeProto.newBuilder().setName("xs").setType(AttributeType.STRINGS)
            .addStrings(com.google.protobuf.ByteString.copyFromUtf8("a")).addStrings(com.google.protobuf.ByteString.copyFromUtf8("b")).build(),
        str("y", "d"));
    assertArrayEquals(new float[] {5, 7}, y.get(0).toFloatArray());
    assertArrayEquals(new float[] {3}, y.get(1).toFloatArray());
  }

  @Test
  void gradientThroughAnUnsupportedOpNamesIt() {
    Value a = in("a", one(1));
    c.b.op1("exp", a).setName("y");
    OnnxImportException e = assertThrows(OnnxImportException.class, () -> lower(TrainingOnnxOps.DOMAIN, "Gradient", List.of(a), 1,
        AttributeProto.newBuilder().setName("xs").setType(AttributeType.STRINGS).addStrings(com.google.protobuf.ByteString.copyFromUtf8("a")).build(),
        str("y", "y")));
    assertEquals(true, e.getMessage().contains("'exp'"), e.getMessage());
  }

  @Test
  void binarizerAndArrayFeatureExtractor() {
    List<Tensor> y = lower(MlOnnxOps.ML, "Binarizer", List.of(in("x", Tensor.ofFloats(new long[] {3}, 0.5f, 1.5f, Float.NaN))), 1,
        f("threshold", 1));
    assertArrayEquals(new float[] {0, 1, 0}, y.get(0).toFloatArray());
    TrainingMlOnnxOpsTest s = new TrainingMlOnnxOpsTest();
    List<Tensor> z = s.lower(MlOnnxOps.ML, "ArrayFeatureExtractor", List.of(s.in("x", Tensor.ofFloats(new long[] {3}, 10, 20, 30)),
        s.in("i", Tensor.ofLongs(new long[] {2}, 2, 0))), 1);
    assertArrayEquals(new long[] {1, 2}, z.get(0).shape(), "a 1-D input gives [1, k]");
    assertArrayEquals(new float[] {30, 10}, z.get(0).toFloatArray());
  }
}
