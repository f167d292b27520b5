package dev.weft.frontend.onnx.ops;

import static dev.weft.frontend.onnx.ops.ShapeOnnxOpsTest.lower;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import dev.weft.bundle.Tensor;
import dev.weft.frontend.onnx.proto.OnnxProto.AttributeProto;
import dev.weft.ir.Shape;
import dev.weft.ir.TensorType;
import dev.weft.ir.Value;
import dev.weft.ir.interp.Interpreter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Attention-24's nonpad_kv_seqlen, short masks and qk_matmul_output. Every case uses zero keys
 * (all scores 0), so the weights are uniform over the allowed keys and y is their mean value.
 */
class AttentionOnnxOpsTest {
  final ShapeOnnxOpsTest.Ctx c = new ShapeOnnxOpsTest.Ctx();
  final List<Object> args = new ArrayList<>();

  Value in(String name, Tensor t) {
    args.add(t);
    return c.g.addInput(name, new TensorType(t.dtype(), Shape.of(t.shape())));
  }

  static AttributeProto i(String name, long v) {
    return AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.INT).setI(v).build();
  }

  List<Tensor> run(List<Value> inputs, AttributeProto... attrs) {
    List<Value> outs = lower(c, "Attention", 24, inputs, 4, attrs);
    c.g.addOutput(outs.get(0));
    c.g.addOutput(outs.get(3));
    List<Tensor> r = new ArrayList<>();
    for (Object o : new Interpreter().run(c.g, args)) r.add((Tensor) o);
    return r;
  }

  static Tensor f(long[] shape, float... v) { return Tensor.ofFloats(shape, v); }

  @Test
  void nonpadKeysAreHiddenAndModeThreeGivesTheWeights() {
    Value q = in("q", f(new long[] {1, 1, 1, 1}, 1));
    Value k = in("k", f(new long[] {1, 1, 3, 1}, 0, 0, 0));
    Value v = in("v", f(new long[] {1, 1, 3, 1}, 1, 2, 3));
    Value lens = in("lens", Tensor.ofLongs(new long[] {1}, 2));
    List<Tensor> r = run(Arrays.asList(q, k, v, null, null, null, lens), i("qk_matmul_output_mode", 3));
    assertArrayEquals(new float[] {1.5f}, r.get(0).toFloatArray());
    assertArrayEquals(new float[] {0.5f, 0.5f, 0}, r.get(1).toFloatArray());
  }

  @Test
  void causalWithNonpadUsesAPerBatchFrontier() {
    // S = 1: batch 0 (2 valid keys) attends j <= 0 + 2 - 1 -> keys 0, 1; batch 1 (3 valid) all three.
    Value q = in("q", f(new long[] {2, 1, 1, 1}, 1, 1));
    Value k = in("k", f(new long[] {2, 1, 3, 1}, 0, 0, 0, 0, 0, 0));
    Value v = in("v", f(new long[] {2, 1, 3, 1}, 1, 2, 3, 1, 2, 3));
    Value lens = in("lens", Tensor.ofLongs(new long[] {2}, 2, 3));
    List<Tensor> r = run(Arrays.asList(q, k, v, null, null, null, lens), i("is_causal", 1), i("qk_matmul_output_mode", 2));
    assertArrayEquals(new float[] {1.5f, 2}, r.get(0).toFloatArray());
    float ninf = Float.NEGATIVE_INFINITY;
    assertArrayEquals(new float[] {0, 0, ninf, 0, 0, 0}, r.get(1).toFloatArray(), "mode 2: scores plus the bias");
  }

  @Test
  void aMaskShorterThanTheKeysHidesTheRest() {
    Value q = in("q", f(new long[] {1, 1, 1, 1}, 1));
    Value k = in("k", f(new long[] {1, 1, 3, 1}, 0, 0, 0));
    Value v = in("v", f(new long[] {1, 1, 3, 1}, 1, 2, 3));
    Value mask = in("mask", Tensor.ofBools(new long[] {1, 2}, true, true));
    List<Tensor> r = run(List.of(q, k, v, mask), i("qk_matmul_output_mode", 0));
    assertArrayEquals(new float[] {1.5f}, r.get(0).toFloatArray());
    assertArrayEquals(new float[] {0, 0, 0}, r.get(1).toFloatArray(), "mode 0: the raw scaled scores");
  }
}
