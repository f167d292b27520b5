package dev.weft.ir.interp;

import dev.weft.bundle.Tensor;
import dev.weft.ir.Attrs;
import dev.weft.ir.Graph;
import dev.weft.ir.IrException;
import dev.weft.ir.Node;
import dev.weft.ir.TensorType;
import java.util.List;

/** What a kernel sees: the node (attributes, result types), operand values and the interpreter. */
public final class KernelContext {
  private final Node node;
  private final Object[] inputs;
  private final Interpreter interpreter;
  private final Interpreter.Env env;

  KernelContext(Node node, Object[] inputs, Interpreter interpreter, Interpreter.Env env) {
    this.node = node;
    this.inputs = inputs;
    this.interpreter = interpreter;
    this.env = env;
  }

  public Node node() { return node; }

  public Attrs attrs() { return node.attrs(); }

  public int inputCount() { return inputs.length; }

  /** Operand i is given (not an absent optional). */
  public boolean has(int i) { return i < inputs.length && inputs[i] != null; }

  public Object input(int i) { return i < inputs.length ? inputs[i] : null; }

  public Tensor tensor(int i) {
    Object o = input(i);
    if (o instanceof Tensor t) return t;
    throw fail("operand " + i + " is " + (o == null ? "missing" : o.getClass().getSimpleName()) + ", expected a tensor");
  }

  /** The inferred type of result i (its dtype tells kernels what to produce). */
  public TensorType outputType(int i) { return node.output(i).tensorType(); }

  /** Runs a subgraph with the given inputs; it sees the enclosing values. */
  public List<Object> runSubgraph(Graph g, List<Object> args) { return interpreter.runNested(g, args, env); }

  public IrException fail(String message) { return new IrException(node, message); }

  public static Object[] one(Object o) { return new Object[] {o}; }
}
