package dev.weft.codegen.kir;

import dev.weft.bundle.DType;
import dev.weft.codegen.kir.Expr.Kind;
import java.util.HashMap;
import java.util.Map;

/**
 * Builds interned expressions for one kernel and folds the index arithmetic that lowering
 * produces in bulk (x+0, x*1, x*0, constant operands). Type rules are checked here, so an
 * ill-typed expression fails in Java with a message rather than in LLVM's verifier.
 */
public final class ExprFactory {
  private final Map<Expr, Expr> pool = new HashMap<>();
  private long nextVar;

  public ExprFactory() { }

  /** A factory for rewriting existing kernels: its fresh variables get ids from {@code firstVar} on. */
  ExprFactory(long firstVar) { this.nextVar = firstVar; }

  private Expr intern(Expr e) {
    Expr have = pool.putIfAbsent(e, e);
    return have == null ? e : have;
  }

  // ---- leaves

  public Expr constant(DType t, double v) {
    checkScalar(t);
    long bits = t.isFloat() ? 0 : (long) v;
    if (t == DType.BOOL) bits = v != 0 ? 1 : 0;
    double value = t.isFloat() ? (t == DType.F32 ? (float) v : v) : bits;
    return intern(new Expr(Kind.CONST, t, null, value, bits, null, null, null, null, null, null, 0));
  }

  /** An exact integer constant (for i64 values beyond 2^53). */
  public Expr constantLong(DType t, long v) {
    checkScalar(t);
    if (t.isFloat()) return constant(t, v);
    return intern(new Expr(Kind.CONST, t, null, v, v, null, null, null, null, null, null, 0));
  }

  public Expr index(long v) { return constantLong(DType.I64, v); }

  public Expr bool(boolean v) { return constant(DType.BOOL, v ? 1 : 0); }

  /** A fresh i64 loop or reduction variable. */
  public Expr newVar(String hint) {
    long id = nextVar++;
    return intern(new Expr(Kind.VAR, DType.I64, null, 0, id, hint + id, null, null, null, null, null, 0));
  }

  /** The variable with {@code id} (an existing kernel's, when rewriting it). */
  Expr var(long id, String name) {
    return intern(new Expr(Kind.VAR, DType.I64, null, 0, id, name, null, null, null, null, null, 0));
  }

  public Expr load(Buffer buf, Expr index) {
    requireType(index, DType.I64, "load index");
    return intern(new Expr(Kind.LOAD, computeType(buf.dtype()), null, 0, 0, null, buf, index, null, null, null, 0));
  }

  /** The type a loaded element has in expressions: narrow floats widen to f32. */
  public static DType computeType(DType storage) {
    if (storage == DType.F16 || storage == DType.BF16) return DType.F32;
    checkScalar(storage);
    return storage;
  }

  // ---- operations

  public Expr unary(UnaryOp op, Expr x) {
    DType t = switch (op) {
      case IS_NAN -> DType.BOOL;
      case BITS -> x.type == DType.F64 ? DType.I64 : DType.I32;
      case FROM_BITS -> x.type == DType.I64 ? DType.F64 : DType.F32;
      default -> x.type;
    };
    switch (op) {
      case SQRT, FLOOR, CEIL, TRUNC, ROUND_EVEN, IS_NAN, BITS -> requireFloat(x, op);
      case FROM_BITS -> {
        if (x.type != DType.I32 && x.type != DType.I64) throw new KirException(op + " needs i32 or i64, got " + x.type);
      }
      default -> { }
    }
    if (x.kind == Kind.CONST && op == UnaryOp.NEG) return constantOf(t, -x.constant, -x.id);
    if (x.kind == Kind.UNARY && op == UnaryOp.NEG && x.op == UnaryOp.NEG) return x.a;
    return intern(new Expr(Kind.UNARY, t, op, 0, 0, null, null, x, null, null, null, 0));
  }

  public Expr binary(BinaryOp op, Expr x, Expr y) {
    if (x.type != y.type) throw new KirException(op + " of " + x.type + " and " + y.type + ": operand types differ");
    DType t = op.isComparison() ? DType.BOOL : x.type;
    if ((op == BinaryOp.SHL || op == BinaryOp.SHR) && !x.type.isInteger()) throw new KirException(op + " needs integers");
    Expr folded = fold(op, x, y);
    if (folded != null) return folded;
    return intern(new Expr(Kind.BINARY, t, op, 0, 0, null, null, x, y, null, null, 0));
  }

  public Expr select(Expr cond, Expr ifTrue, Expr ifFalse) {
    requireType(cond, DType.BOOL, "select condition");
    if (ifTrue.type != ifFalse.type) throw new KirException("select arms " + ifTrue.type + " and " + ifFalse.type + " differ");
    if (cond.kind == Kind.CONST) return cond.id != 0 ? ifTrue : ifFalse;
    if (ifTrue == ifFalse) return ifTrue;
    return intern(new Expr(Kind.SELECT, ifTrue.type, null, 0, 0, null, null, cond, ifTrue, ifFalse, null, 0));
  }

  public Expr cast(DType to, Expr x) {
    checkScalar(to);
    if (x.type == to) return x;
    if (x.kind == Kind.CONST && x.type.isInteger() && to.isInteger() && to == DType.I64) return index(x.id);
    return intern(new Expr(Kind.CAST, to, null, 0, 0, null, null, x, null, null, null, 0));
  }

  /** {@code op} of {@code body} over {@code var} in [0, extent); {@code var} must be fresh. */
  public Expr reduce(ReduceOp op, Expr var, long extent, Expr body) {
    if (var.kind != Kind.VAR) throw new KirException("reduce variable must be a VAR");
    if (extent < 0) throw new KirException("negative reduction extent " + extent);
    if (body.type == DType.BOOL) throw new KirException("reduce over bool: cast first");
    return intern(new Expr(Kind.REDUCE, body.type, op, 0, 0, null, null, body, null, null, var, extent));
  }

  /** The run-time value of symbolic dim {@code name}, read from slot {@code slot} of the launch's dims. */
  public Expr dim(String name, int slot) {
    if (slot < 0) throw new KirException("negative dim slot " + slot);
    return intern(new Expr(Kind.DIM, DType.I64, null, 0, slot, name, null, null, null, null, null, 0));
  }

  /**
   * {@code r} (a REDUCE) running {@code limit} iterations at run time instead of its static
   * extent; {@code limit} (i64, of dims only) must never exceed that extent.
   */
  public Expr limited(Expr r, Expr limit) {
    if (r.kind != Kind.REDUCE) throw new KirException("only a reduction takes a run-time trip count");
    requireType(limit, DType.I64, "reduction limit");
    return intern(new Expr(Kind.REDUCE, r.type, r.op, 0, 0, null, null, r.a, limit, null, r.var, r.extent));
  }

  // ---- shorthands (index arithmetic is i64)

  public Expr add(Expr x, Expr y) { return binary(BinaryOp.ADD, x, y); }

  public Expr sub(Expr x, Expr y) { return binary(BinaryOp.SUB, x, y); }

  public Expr mul(Expr x, Expr y) { return binary(BinaryOp.MUL, x, y); }

  public Expr div(Expr x, Expr y) { return binary(BinaryOp.DIV, x, y); }

  public Expr rem(Expr x, Expr y) { return binary(BinaryOp.REM, x, y); }

  public Expr min(Expr x, Expr y) { return binary(BinaryOp.MIN, x, y); }

  public Expr max(Expr x, Expr y) { return binary(BinaryOp.MAX, x, y); }

  public Expr lt(Expr x, Expr y) { return binary(BinaryOp.LT, x, y); }

  public Expr le(Expr x, Expr y) { return binary(BinaryOp.LE, x, y); }

  public Expr and(Expr x, Expr y) { return binary(BinaryOp.AND, x, y); }

  public Expr or(Expr x, Expr y) { return binary(BinaryOp.OR, x, y); }

  public Expr not(Expr x) { return unary(UnaryOp.NOT, x); }

  public Expr neg(Expr x) { return unary(UnaryOp.NEG, x); }

  /** A constant of x's type. */
  public Expr like(Expr x, double v) { return constant(x.type, v); }

  /** Clamps an i64 index into [lo, hi]. */
  public Expr clamp(Expr i, long lo, long hi) { return min(max(i, index(lo)), index(hi)); }

  /** Row-major flat index of idx in a buffer with {@code shape}. */
  public Expr linear(Expr[] idx, long[] shape) {
    if (idx.length != shape.length) throw new KirException("index rank " + idx.length + " for shape rank " + shape.length);
    Expr flat = index(0);
    long stride = 1;
    for (int d = shape.length - 1; d >= 0; d--) {
      if (shape[d] != 1) flat = add(flat, mul(idx[d], index(stride)));
      stride *= shape[d];
    }
    return flat;
  }

  /** The multi-index of flat index {@code flat} in a row-major {@code shape} (div/mod by static extents). */
  public Expr[] delinear(Expr flat, long[] shape) {
    Expr[] idx = new Expr[shape.length];
    long stride = 1;
    for (int d = shape.length - 1; d >= 0; d--) {
      Expr q = stride == 1 ? flat : div(flat, index(stride));
      idx[d] = shape[d] == 1 ? index(0) : (d == 0 ? q : rem(q, index(shape[d])));
      stride *= shape[d];
    }
    return idx;
  }

  // ---- folding

  private Expr constantOf(DType t, double f, long i) {
    return t.isFloat() ? constant(t, f) : constantLong(t, i);
  }

  private Expr fold(BinaryOp op, Expr x, Expr y) {
    boolean xc = x.kind == Kind.CONST;
    boolean yc = y.kind == Kind.CONST;
    if (x.type == DType.I64 && xc && yc) {
      long a = x.id;
      long b = y.id;
      switch (op) {
        case ADD: return index(a + b);
        case SUB: return index(a - b);
        case MUL: return index(a * b);
        case DIV: if (b != 0) return index(a / b); break;
        case REM: if (b != 0) return index(a % b); break;
        case MIN: return index(Math.min(a, b));
        case MAX: return index(Math.max(a, b));
        default: break;
      }
    }
    if (!x.type.isInteger()) return null; // float identities would change NaN/-0 behaviour
    switch (op) {
      case ADD:
        if (xc && x.id == 0) return y;
        if (yc && y.id == 0) return x;
        break;
      case SUB:
        if (yc && y.id == 0) return x;
        break;
      case MUL:
        if (xc && x.id == 1) return y;
        if (yc && y.id == 1) return x;
        if ((xc && x.id == 0) || (yc && y.id == 0)) return constantLong(x.type, 0);
        break;
      case DIV:
        if (yc && y.id == 1) return x;
        if (xc && x.id == 0 && yc && y.id != 0) return x;
        break;
      case REM:
        if (yc && y.id == 1) return constantLong(x.type, 0);
        break;
      default:
        break;
    }
    return null;
  }

  // ---- checks

  static void checkScalar(DType t) {
    switch (t) {
      case F32, F64, I8, I16, I32, I64, U8, U16, U32, U64, BOOL -> { }
      default -> throw new KirException("element type " + t.textName() + " is not supported in kernel expressions");
    }
  }

  private static void requireType(Expr e, DType t, String what) {
    if (e.type != t) throw new KirException(what + " must be " + t.textName() + ", got " + e.type.textName());
  }

  private static void requireFloat(Expr e, Object op) {
    if (!e.type.isFloat()) throw new KirException(op + " needs a float operand, got " + e.type.textName());
  }
}
