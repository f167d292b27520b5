package dev.weft.codegen.lower;

import dev.weft.bundle.DType;
import dev.weft.bundle.Tensor;
import dev.weft.codegen.kir.Expr;
import dev.weft.codegen.kir.ExprFactory;
import dev.weft.codegen.kir.MathLib;
import dev.weft.ir.Attrs;
import dev.weft.ir.Node;
import dev.weft.ir.TensorType;
import dev.weft.ir.Value;

/** What a {@link Lowering} rule sees of one node: operands by index, static shapes, attributes. */
public final class LowerContext {
  private final GroupLowerer group;
  private final Node node;

  LowerContext(GroupLowerer group, Node node) {
    this.group = group;
    this.node = node;
  }

  public Node node() { return node; }

  public ExprFactory f() { return group.factory(); }

  public MathLib math() { return group.math(); }

  public Attrs attrs() { return node.attrs(); }

  public int inputCount() { return node.inputCount(); }

  /** Whether optional operand {@code i} is present. */
  public boolean has(int i) { return node.input(i) != null; }

  /** Operand {@code i}'s element at {@code idx} (one index per dim of the operand). */
  public Expr in(int i, Expr... idx) {
    Value v = node.input(i);
    if (v == null) throw fail("operand " + i + " is absent");
    if (idx.length != shapeOf(v).length) throw fail("operand " + i + " indexed with " + idx.length + " indices, rank " + shapeOf(v).length);
    return group.value(v, idx);
  }

  /** Operand {@code i} read at the broadcast of {@code outIdx} (numpy rules, right-aligned). */
  public Expr inBroadcast(int i, Expr[] outIdx) {
    long[] s = inShape(i);
    Expr[] idx = new Expr[s.length];
    int off = outIdx.length - s.length;
    for (int d = 0; d < s.length; d++) idx[d] = s[d] == 1 ? f().index(0) : outIdx[d + off];
    return in(i, idx);
  }

  public TensorType inType(int i) { return node.input(i).tensorType(); }

  public DType inDType(int i) { return inType(i).dtype(); }

  public long[] inShape(int i) { return shapeOf(node.input(i)); }

  public long[] outShape(int k) { return shapeOf(node.output(k)); }

  public DType outDType(int k) { return node.output(k).tensorType().dtype(); }

  /** The operand's value when it is known at compile time (a constant), else null. */
  public Tensor constant(int i) {
    Value v = node.input(i);
    return v == null ? null : group.constantValue(v);
  }

  /** The operand's value, which must be a compile-time constant (a reshape's shape, a slice's starts). */
  public Tensor requireConstant(int i, String what) {
    Tensor t = constant(i);
    if (t == null) throw fail(what + " (operand " + i + ") must be a compile-time constant");
    return t;
  }

  /** Whether {@link #temporary} may be used (else the rule must inline everything). */
  public boolean temporariesAllowed() { return group.temporariesAllowed(); }

  /**
   * Element {@code at} of a scratch tensor of {@code shape} whose element at index {@code i} is
   * {@code body.apply(i)}: a kernel of its own computes it once, before the kernel being built,
   * so a rule can hoist work that its result would otherwise repeat per element (attention's
   * probabilities). The tensor is computed once per node and {@code tag}.
   */
  public Expr temporary(String tag, DType dtype, long[] shape, java.util.function.Function<Expr[], Expr> body, Expr... at) {
    if (!temporariesAllowed()) throw fail("temporaries are not available in this lowering");
    if (at.length != shape.length) throw fail("temporary " + tag + " indexed with " + at.length + " indices, rank " + shape.length);
    dev.weft.codegen.kir.Buffer b = group.ruleTemporary(node, tag, dtype, shape, body);
    return f().load(b, f().linear(at, shape));
  }

  /**
   * Operand {@code i} read from a copy stored with its last two dims swapped, at {@code idx}
   * (an index of that swapped layout), when the operand is a compile-time constant and the
   * lowering targets a host; else null (read the operand as usual).
   */
  public Expr inTransposedConstant(int i, Expr... idx) {
    Value v = node.input(i);
    if (v == null || !group.hostLayout()) return null;
    dev.weft.codegen.kir.Buffer b = group.transposedConstant(v);
    if (b == null) return null;
    if (idx.length != b.rank()) throw fail("operand " + i + " indexed with " + idx.length + " indices, rank " + b.rank());
    return f().load(b, f().linear(idx, b.shape()));
  }

  /** A fresh reduction variable. */
  public Expr newVar(String hint) { return f().newVar(hint); }

  public LoweringException fail(String message) { return new LoweringException(node, message); }

  long[] shapeOf(Value v) {
    if (!(v.type() instanceof TensorType t)) throw fail("%" + v.name() + " is " + v.type() + ", not a tensor");
    if (!t.shape().isStatic()) throw fail("%" + v.name() + " has a dynamic shape " + t.shape() + " (kernels are specialized on static shapes: compile with --shapes)");
    return t.shape().sizes();
  }
}
