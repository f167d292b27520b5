package dev.weft.ir.ops;

import dev.weft.bundle.DType;
import dev.weft.bundle.Tensor;
import dev.weft.ir.Attribute;
import dev.weft.ir.InferContext;
import dev.weft.ir.OpDef;
import dev.weft.ir.OpLibrary;
import dev.weft.ir.OptionalType;
import dev.weft.ir.Shape;
import dev.weft.ir.TensorType;
import dev.weft.ir.Type;
import dev.weft.ir.interp.KernelContext;
import dev.weft.ir.interp.OptionalValue;
import java.util.List;

/**
 * Optionals: {@code optional} wraps a value (or, with no operand, is empty of the element type
 * in attribute {@code type}); {@code optional_has_element} and {@code optional_get_element}
 * take an optional. As ONNX-18 allows, both also accept a plain tensor or sequence (present),
 * and {@code optional_has_element} accepts no operand at all (absent: false).
 */
public final class OptionalOps implements OpLibrary {
  @Override
  public List<OpDef> ops() {
    return List.of(
        OpDef.core("optional").inputs(0, 1)
            .optional("type", Attribute.Kind.TYPE)
            .infer(c -> {
              if (c.hasInput(0)) {
                Type t = c.type(0);
                if (t instanceof OptionalType) throw c.fail("optional of an optional");
                if (c.attrs().has("type") && !c.attrs().getType("type").equals(t)) {
                  // A declared element type only has to agree in kind and dtype; the operand's shape is more precise.
                  TypeMerge.merge(c, c.attrs().getType("type"), t, "optional element");
                }
                return List.of(new OptionalType(t));
              }
              if (!c.attrs().has("type")) throw c.fail("an empty optional needs attribute 'type'");
              return List.of(new OptionalType(c.attrs().getType("type")));
            })
            .kernel(c -> KernelContext.one(c.has(0) ? new OptionalValue(c.input(0)) : OptionalValue.EMPTY))
            .build(),
        OpDef.core("optional_has_element").inputs(0, 1)
            .infer(c -> List.of(new TensorType(DType.BOOL, Shape.scalar())))
            .kernel(c -> {
              Object o = c.input(0);
              boolean present = o instanceof OptionalValue ov ? ov.isPresent() : o != null;
              return KernelContext.one(Tensor.ofBools(new long[0], present));
            })
            .build(),
        OpDef.core("optional_get_element").inputs(1)
            .infer(c -> List.of(element(c)))
            .kernel(c -> {
              Object o = c.input(0);
              if (o instanceof OptionalValue ov) {
                if (!ov.isPresent()) throw c.fail("optional_get_element of an empty optional");
                return KernelContext.one(ov.value());
              }
              return KernelContext.one(o);
            })
            .build());
  }

  private static Type element(InferContext c) {
    Type t = c.type(0);
    return t instanceof OptionalType o ? o.element() : t;
  }
}
