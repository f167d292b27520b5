package dev.weft.ir.ops;

import dev.weft.bundle.Tensor;
import dev.weft.ir.Attribute;
import dev.weft.ir.OpDef;
import dev.weft.ir.OpLibrary;
import dev.weft.ir.TensorType;
import dev.weft.ir.Shape;
import java.util.List;

/** {@code constant} and {@code identity}. */
public final class BasicOps implements OpLibrary {
  @Override
  public List<OpDef> ops() {
    return List.of(
        OpDef.core("constant").inputs(0)
            .required("value", Attribute.Kind.TENSOR)
            .infer(c -> {
              Tensor t = c.attrs().getTensor("value");
              return List.of(new TensorType(t.dtype(), Shape.of(t.shape())));
            })
            .kernel(c -> new Object[] {c.attrs().getTensor("value")})
            .doc("A compile-time tensor (weights and literals).")
            .build(),
        OpDef.core("identity").inputs(1)
            .infer(c -> List.of(c.type(0)))
            .kernel(c -> new Object[] {c.input(0)})
            .build());
  }
}
