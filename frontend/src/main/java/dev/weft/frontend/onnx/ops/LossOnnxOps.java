package dev.weft.frontend.onnx.ops;

import static dev.weft.frontend.onnx.ops.NnLowering.*;

import dev.weft.frontend.onnx.ImportContext;
import dev.weft.frontend.onnx.OnnxNode;
import dev.weft.frontend.onnx.OnnxOpLibrary;
import dev.weft.frontend.onnx.OnnxOpTable;
import dev.weft.ir.Attribute;
import dev.weft.ir.Value;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * NegativeLogLikelihoodLoss (12, 13, 22) and SoftmaxCrossEntropyLoss (12, 13; optional second
 * result log_prob) onto the composites nll_loss and softmax_cross_entropy_loss. The versions
 * differ only in the dtypes they allow.
 */
public final class LossOnnxOps implements OnnxOpLibrary {
  @Override
  public void register(OnnxOpTable t) {
    for (int v : new int[] {12, 13, 22}) t.add("NegativeLogLikelihoodLoss", v, (n, c) -> List.of(loss(n, c, "nll_loss").get(0)));
    for (int v : new int[] {12, 13}) t.add("SoftmaxCrossEntropyLoss", v, (n, c) -> outs(n, loss(n, c, "softmax_cross_entropy_loss")));
  }

  static List<Value> loss(OnnxNode n, ImportContext c, String op) {
    Map<String, Attribute> m = pass(n, "reduction", "ignore_index");
    return c.builder().op(op, Arrays.asList(NnOnnxOps.inputs(n, 3)), m);
  }
}
