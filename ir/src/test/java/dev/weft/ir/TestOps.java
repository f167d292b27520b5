package dev.weft.ir;

import dev.weft.bundle.DType;
import java.util.ArrayList;
import java.util.List;

/** Test-only ops (until control flow exists) and a registry holding them beside the global ops. */
final class TestOps {
  private TestOps() {}

  /** {@code test.block(xs...) {body}}: results have the body's output types; reads any operands. */
  static final OpDef BLOCK = OpDef.custom("test.block").inputs(0, OpDef.VARIADIC).outputs(0, OpDef.VARIADIC)
      .required("body", Attribute.Kind.GRAPH)
      .infer(c -> {
        List<Type> out = new ArrayList<>();
        for (Value v : c.attrs().getGraph("body").outputs()) out.add(v.type());
        return out;
      })
      .build();

  /** {@code test.fresh()}: an f32 vector of a size known only at run time (draws a fresh symbol). */
  static final OpDef FRESH = OpDef.custom("test.fresh").inputs(0)
      .infer(c -> List.of(TensorType.of(DType.F32, c.fresh())))
      .build();

  static final OpRegistry REGISTRY;

  static {
    List<OpDef> all = new ArrayList<>(OpRegistry.global().all());
    all.add(BLOCK);
    all.add(FRESH);
    REGISTRY = OpRegistry.of(all);
  }

  static GraphBuilder builder(Graph g) { return new GraphBuilder(g, REGISTRY); }

  static TensorType f32(long... dims) { return TensorType.of(DType.F32, dims); }
}
