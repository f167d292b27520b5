package dev.weft.ir.text;

import dev.weft.ir.Attribute;
import dev.weft.ir.Attribute.Kind;
import dev.weft.ir.OpDef;
import dev.weft.ir.OpRegistry;
import dev.weft.ir.Shape;
import dev.weft.ir.TensorType;
import dev.weft.ir.Type;
import dev.weft.bundle.DType;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * Test-only ops, in a registry of their own so they never reach the global one:
 * {@code t.any} takes any operands and attributes (subgraphs included) and has {@code n}
 * results of type {@code result} (default: its first operand's type); {@code t.kinds} declares
 * one optional attribute of every kind, to exercise schema checks.
 */
final class TestOps {
  private TestOps() {}

  static final OpRegistry REGISTRY = OpRegistry.withExtra(List.of(
      OpDef.custom("t.any").inputs(0, OpDef.VARIADIC).outputs(0, OpDef.VARIADIC)
          .infer(c -> {
            int n = c.node().attribute("n") instanceof Attribute.Int i ? (int) i.value() : 1;
            Type t = c.node().attribute("result") instanceof Attribute.TypeValue tv ? tv.value() : null;
            for (int k = 0; t == null && k < c.inputCount(); k++) if (c.hasInput(k)) t = c.type(k);
            return Collections.nCopies(n, t == null ? new TensorType(DType.F32, Shape.scalar()) : t);
          })
          .build(),
      kinds()));

  private static OpDef kinds() {
    OpDef.Builder b = OpDef.custom("t.kinds").inputs(0, 1).infer(c -> List.of(new TensorType(DType.F32, Shape.scalar())));
    for (Kind k : Kind.values()) b.optional(k.name().toLowerCase(), k);
    return b.build();
  }

  static List<String> kindAttrNames() {
    List<String> out = new ArrayList<>();
    for (Kind k : Kind.values()) out.add(k.name().toLowerCase());
    return out;
  }
}
