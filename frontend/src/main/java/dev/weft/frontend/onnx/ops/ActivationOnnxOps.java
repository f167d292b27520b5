package dev.weft.frontend.onnx.ops;

import static dev.weft.frontend.onnx.ops.ElementwiseOnnxOps.one;

import dev.weft.bundle.Tensor;
import dev.weft.frontend.onnx.ImportContext;
import dev.weft.frontend.onnx.OnnxNode;
import dev.weft.frontend.onnx.OnnxOpHandler;
import dev.weft.frontend.onnx.OnnxOpLibrary;
import dev.weft.frontend.onnx.OnnxOpTable;
import dev.weft.ir.Attribute;
import dev.weft.ir.TensorType;
import dev.weft.ir.Value;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** ONNX activations, onto the activation composites (float attributes carried over). */
public final class ActivationOnnxOps implements OnnxOpLibrary {
  @Override
  public void register(OnnxOpTable t) {
    t.add("LeakyRelu", 1, floats("leaky_relu", "alpha", 0.01));
    t.add("Elu", 1, floats("elu", "alpha", 1.0));
    t.add("Selu", 1, floats("selu", "alpha", 1.67326319217681884765625, "gamma", 1.05070102214813232421875));
    t.add("Celu", 12, floats("celu", "alpha", 1.0));
    t.add("HardSigmoid", 1, floats("hard_sigmoid", "alpha", 0.2, "beta", 0.5));
    t.add("HardSwish", 14, floats("hard_swish"));
    t.add("Softplus", 1, floats("softplus"));
    t.add("Softsign", 1, floats("softsign"));
    t.add("Mish", 18, floats("mish"));
    t.add("ThresholdedRelu", 10, floats("thresholded_relu", "alpha", 1.0));
    t.add("Shrink", 9, floats("shrink", "lambd", 0.5, "bias", 0.0));
    t.add("Gelu", 20, (n, ctx) -> {
      String approx = n.attrString("approximate", "none");
      if (!approx.equals("none") && !approx.equals("tanh")) throw ctx.fail(n, "approximate must be none or tanh, got '" + approx + "'");
      return one(ctx.builder().op1("gelu", Map.of("approximate", Attribute.of(approx)), n.required(0)));
    });
    // Swish (SiLU with a slope): x * sigmoid(alpha * x), on core ops.
    t.add("Swish", 24, (n, ctx) -> {
      Value x = n.required(0);
      var b = ctx.builder();
      double alpha = (float) n.attrFloat("alpha", 1.0);
      Value ax = alpha == 1.0 ? x : b.op1("mul", x, ctx.scalar(x.tensorType().dtype(), alpha));
      return one(b.op1("mul", x, b.op1("sigmoid", ax)));
    });
    t.add("PRelu", 1, ActivationOnnxOps::prelu);
    t.add("PRelu", 7, (n, ctx) -> one(ctx.builder().op1("prelu", n.required(0), n.required(1))));
  }

  /** An op whose ONNX float attributes map one-to-one (with the ONNX defaults) onto the composite's. */
  private static OnnxOpHandler floats(String op, Object... nameDefault) {
    return (n, ctx) -> {
      Map<String, Attribute> a = new LinkedHashMap<>();
      for (int i = 0; i < nameDefault.length; i += 2) {
        String name = (String) nameDefault[i];
        // ONNX float attributes are float32: round the default the same way the attribute would be.
        a.put(name, Attribute.of((double) (float) n.attrFloat(name, (Double) nameDefault[i + 1])));
      }
      return one(ctx.builder().op1(op, a, n.required(0)));
    };
  }

  /**
   * PRelu-1/6 predate numpy broadcasting: a 1-D slope of size C applies per channel (axis 1).
   * Such a constant slope gets trailing size-1 dims so numpy broadcasting means the same.
   */
  private static List<Value> prelu(OnnxNode n, ImportContext ctx) {
    Value x = n.required(0);
    Value slope = n.required(1);
    TensorType tx = x.tensorType();
    TensorType ts = slope.tensorType();
    if (tx.shape().isRanked() && ts.shape().isRanked() && ts.rank() == 1 && tx.rank() > 2) {
      Tensor c = ctx.constantValue(slope);
      if (c != null && tx.shape().dim(1).isStatic() && tx.shape().dim(1).size() == c.size() && c.size() > 1) {
        long[] s = new long[tx.rank() - 1];
        java.util.Arrays.fill(s, 1);
        s[0] = c.size();
        slope = ctx.constant(c.reshape(s));
      }
    }
    return one(ctx.builder().op1("prelu", x, slope));
  }
}
