package dev.weft.ir.ops;

import dev.weft.ir.Attribute;
import dev.weft.ir.Graph;
import dev.weft.ir.InferContext;
import dev.weft.ir.OpDef;
import dev.weft.ir.OpLibrary;
import dev.weft.ir.TensorType;
import dev.weft.ir.Type;
import dev.weft.ir.Value;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * {@code fused}: one kernel made of several nodes, as the {@code fuse} pass builds it. The
 * members live in the {@code body} graph: the node's operands are the body's inputs (one to
 * one, in order) and its results are the body's outputs, so the body is closed (it reads no
 * enclosing value) and a backend lowers it as one loop nest. {@code kind} says which schedule
 * fits it (one of {@link #KINDS}); {@code reason} is the one line the pass wrote about why the
 * group exists. The reference kernel runs the body with the interpreter, so fused programs
 * stay checkable against unfused ones.
 */
public final class FusedOp implements OpLibrary {
  public static final String OP = "fused";

  /** The schedules a fused group may ask for; codegen lowers each. */
  public static final Set<String> KINDS =
      Set.of("elementwise", "reduction", "matmul_epilogue", "conv_epilogue", "attention", "opaque");

  @Override
  public List<OpDef> ops() {
    return List.of(OpDef.core(OP).inputs(0, OpDef.VARIADIC).outputs(1, OpDef.VARIADIC)
        .required("body", Attribute.Kind.GRAPH)
        .attr("kind", Attribute.of("opaque"))
        .attr("reason", Attribute.of(""))
        .infer(FusedOp::infer)
        .kernel(c -> c.runSubgraph(c.attrs().getGraph("body"), inputs(c)).toArray())
        .doc("A fused kernel: body graph (operands -> results), kind and the fusion pass's reason.")
        .build());
  }

  private static List<Object> inputs(dev.weft.ir.interp.KernelContext c) {
    List<Object> in = new ArrayList<>(c.inputCount());
    for (int i = 0; i < c.inputCount(); i++) in.add(c.input(i));
    return in;
  }

  static List<Type> infer(InferContext c) {
    Graph body = c.attrs().getGraph("body");
    String kind = c.attrs().getString("kind");
    if (!KINDS.contains(kind)) throw c.fail("kind '" + kind + "' is not one of " + KINDS.stream().sorted().toList());
    if (c.inputCount() != body.inputs().size()) {
      throw c.fail("has " + c.inputCount() + " operands but its body takes " + body.inputs().size());
    }
    for (int i = 0; i < c.inputCount(); i++) {
      Type have = c.type(i);
      Type want = body.inputs().get(i).type();
      if (have instanceof TensorType h && want instanceof TensorType w) {
        if (h.dtype() != w.dtype() || (h.shape().isRanked() && w.shape().isRanked() && h.rank() != w.rank())) {
          throw c.fail("operand " + i + " is " + h + " but body input %" + body.inputs().get(i).name() + " is " + w);
        }
      } else if (!have.getClass().equals(want.getClass())) {
        throw c.fail("operand " + i + " is " + have + " but body input %" + body.inputs().get(i).name() + " is " + want);
      }
    }
    if (body.outputs().isEmpty()) throw c.fail("body has no outputs");
    List<Type> out = new ArrayList<>(body.outputs().size());
    for (Value v : body.outputs()) out.add(v.type());
    return out;
  }
}
