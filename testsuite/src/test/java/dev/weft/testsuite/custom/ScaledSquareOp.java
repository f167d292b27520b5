package dev.weft.testsuite.custom;

import dev.weft.bundle.Tensor;
import dev.weft.frontend.onnx.OnnxOpLibrary;
import dev.weft.frontend.onnx.OnnxOpTable;
import dev.weft.ir.Attribute;
import dev.weft.ir.OpDef;
import dev.weft.ir.OpLibrary;
import dev.weft.ir.TensorType;
import java.util.List;
import java.util.Map;

/**
 * What a user writes to get past an op Weft lacks: the schema, shape function and reference
 * kernel (an {@link OpLibrary}), and the ONNX mapping (an {@link OnnxOpLibrary}), both found
 * through {@code META-INF/services}. Here: {@code com.example::ScaledSquare(x) = scale * x^2}.
 */
public final class ScaledSquareOp implements OpLibrary, OnnxOpLibrary {
  public static final String DOMAIN = "com.example";

  @Override
  public List<OpDef> ops() {
    return List.of(OpDef.custom("example.scaled_square").inputs(1)
        .attr("scale", Attribute.of(1.0))
        .infer(c -> {
          TensorType t = c.tensor(0);
          if (!t.dtype().isFloat()) throw c.fail("scaled_square needs a float tensor, got " + t.dtype());
          return List.of(t);
        })
        .kernel(c -> {
          Tensor x = c.tensor(0);
          double scale = c.attrs().getFloat("scale");
          Tensor y = Tensor.zeros(x.dtype(), x.shape());
          for (long i = 0; i < x.size(); i++) y.setDouble(i, scale * x.getDouble(i) * x.getDouble(i));
          return new Object[] {y};
        })
        .doc("scale * x^2, a user's custom op")
        .build());
  }

  @Override
  public void register(OnnxOpTable table) {
    table.add(DOMAIN, "ScaledSquare", 1, (node, ctx) -> List.of(ctx.builder().op1("example.scaled_square",
        Map.of("scale", Attribute.of(node.attrFloat("scale", 1.0))), node.required(0))));
  }
}
