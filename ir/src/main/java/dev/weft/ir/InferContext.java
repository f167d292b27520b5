package dev.weft.ir;

import dev.weft.bundle.DType;
import dev.weft.bundle.Tensor;
import java.util.List;

/** What a {@link ShapeFn} sees: the node, its operand types, attributes and constant operands. */
public final class InferContext {
  private final Node node;

  public InferContext(Node node) { this.node = node; }

  public Node node() { return node; }

  public Attrs attrs() { return node.attrs(); }

  public int inputCount() { return node.inputCount(); }

  public boolean hasInput(int i) { return node.input(i) != null; }

  public Type type(int i) {
    Value v = node.input(i);
    if (v == null) throw fail("operand " + i + " is missing");
    return v.type();
  }

  public TensorType tensor(int i) {
    Type t = type(i);
    if (t instanceof TensorType tt) return tt;
    throw fail("operand " + i + " must be a tensor, got " + t);
  }

  public DType dtype(int i) { return tensor(i).dtype(); }

  public Shape shape(int i) { return tensor(i).shape(); }

  /** The value of operand i when it is produced by a {@code constant} node, else null. */
  public Tensor constant(int i) {
    Value v = node.input(i);
    return v == null ? null : Constants.valueOf(v);
  }

  public Dim fresh() { return node.graph().freshSymbol(); }

  public IrException fail(String message) { return new IrException(node, message); }

  public static List<Type> one(Type t) { return List.of(t); }
}
