package dev.weft.codegen.kir;

import dev.weft.bundle.DType;
import java.util.Objects;

/**
 * One scalar expression of the kernel IR: the value of a tensor element as a function of loop
 * variables, buffer loads and arithmetic. Expressions are immutable and interned by
 * {@link ExprFactory}, so structurally equal expressions are the same object: the emitter and
 * evaluator memoize by identity, and sharing (a producer read by several consumers) stays a DAG
 * rather than a tree. Integer loop variables and index arithmetic are {@code i64}.
 */
public final class Expr {
  /** What an expression computes; the fields it uses are listed per kind. */
  public enum Kind {
    /** {@link #constant}: a literal of {@link #type}. */
    CONST,
    /** A loop or reduction variable (i64); {@link #name} and {@link #id}. */
    VAR,
    /** An element of a {@link Buffer}: {@link #buffer} at flat element index {@link #a}. */
    LOAD,
    /** {@link #unary} applied to {@link #a}. */
    UNARY,
    /** {@link #binary} applied to {@link #a}, {@link #b}. */
    BINARY,
    /** {@link #a} ? {@link #b} : {@link #c} (both arms are evaluated: keep loads in bounds). */
    SELECT,
    /** {@link #a} converted to {@link #type} (saturating float to int, nonzero to bool). */
    CAST,
    /**
     * {@link #reduce} of {@link #a} over {@link #var} in [0, {@link #extent}), or in [0, {@link #b})
     * when {@link #b} is set: a run-time trip count (an i64 expression of {@link #DIM}s) that
     * never exceeds the static {@link #extent}.
     */
    REDUCE,
    /** A symbolic dim's run-time value (i64): {@link #name} the dim, {@link #id} its slot in the launch's dims. */
    DIM
  }

  final Kind kind;
  final DType type;
  final Object op;
  final double constant;
  final long id;
  final String name;
  final Buffer buffer;
  final Expr a;
  final Expr b;
  final Expr c;
  final Expr var;
  final long extent;
  private final int hash;

  Expr(Kind kind, DType type, Object op, double constant, long id, String name, Buffer buffer,
       Expr a, Expr b, Expr c, Expr var, long extent) {
    this.kind = kind;
    this.type = type;
    this.op = op;
    this.constant = constant;
    this.id = id;
    this.name = name;
    this.buffer = buffer;
    this.a = a;
    this.b = b;
    this.c = c;
    this.var = var;
    this.extent = extent;
    // Children are interned, so their identity hashes are stable stand-ins for their structure.
    this.hash = Objects.hash(kind, type, op, Double.doubleToRawLongBits(constant), id, buffer,
        sys(a), sys(b), sys(c), sys(var), extent);
  }

  private static int sys(Expr e) { return e == null ? 0 : e.hash; }

  public Kind kind() { return kind; }

  public DType type() { return type; }

  /** CONST: the value (integers and booleans are held exactly up to 2^53; use {@link #longValue}). */
  public double constant() { return constant; }

  /** CONST of an integer type: the exact value; VAR: its id. */
  public long longValue() { return id; }

  public String name() { return name; }

  public Buffer buffer() { return buffer; }

  public UnaryOp unary() { return (UnaryOp) op; }

  public BinaryOp binary() { return (BinaryOp) op; }

  public ReduceOp reduce() { return (ReduceOp) op; }

  public Expr a() { return a; }

  public Expr b() { return b; }

  public Expr c() { return c; }

  /** REDUCE: the reduction variable. */
  public Expr var() { return var; }

  /** REDUCE: the number of iterations (the static upper bound when {@link #limit} is set). */
  public long extent() { return extent; }

  /** REDUCE: the run-time trip count, or null when it is the static {@link #extent}. */
  public Expr limit() { return kind == Kind.REDUCE ? b : null; }

  public boolean isConst() { return kind == Kind.CONST; }

  public boolean isConst(double v) { return kind == Kind.CONST && constant == v; }

  @Override
  public int hashCode() { return hash; }

  /** Structural equality on one level; children compare by identity because they are interned. */
  @Override
  public boolean equals(Object o) {
    if (this == o) return true;
    if (!(o instanceof Expr e) || e.hash != hash) return false;
    return kind == e.kind && type == e.type && op == e.op
        && Double.doubleToRawLongBits(constant) == Double.doubleToRawLongBits(e.constant)
        && id == e.id && buffer == e.buffer && a == e.a && b == e.b && c == e.c && var == e.var
        && extent == e.extent;
  }

  @Override
  public String toString() { return ExprPrinter.print(this); }
}
