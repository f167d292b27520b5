package dev.weft.frontend.torchscript.lower;

import static dev.weft.frontend.torchscript.lower.Emit.attrs;

import dev.weft.bundle.DType;
import dev.weft.bundle.Tensor;
import dev.weft.frontend.torchscript.PyNone;
import dev.weft.frontend.torchscript.PyTuple;
import dev.weft.frontend.torchscript.TorchScriptException;
import dev.weft.frontend.torchscript.lower.Lowerer.Frame;
import dev.weft.frontend.torchscript.lower.Vals.*;
import dev.weft.frontend.torchscript.source.Ast.BinOp;
import dev.weft.frontend.torchscript.source.Ast.CmpOp;
import dev.weft.frontend.torchscript.source.Ast.Pos;
import dev.weft.frontend.torchscript.source.Ast.UnaryOp;
import dev.weft.ir.Constants;
import dev.weft.ir.Value;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Calls of {@code torch.*}, {@code ops.aten.*}, {@code ops.prim.*} and builtins: arguments are
 * bound through the signature table ({@link AtenTable}), then Python-level values fold here and
 * tensor work becomes IR. Scalar arithmetic on run-time sizes ({@link SymInt}) becomes i64 IR.
 */
final class Aten {
  private final Lowerer low;
  private final Emit e;

  Aten(Lowerer low) {
    this.low = low;
    this.e = low.emit;
  }

  // ---- dtype codes (c10::ScalarType) ----

  static DType dtypeFromCode(long code) {
    return switch ((int) code) {
      case 0 -> DType.U8;
      case 1 -> DType.I8;
      case 2 -> DType.I16;
      case 3 -> DType.I32;
      case 4 -> DType.I64;
      case 5 -> DType.F16;
      case 6 -> DType.F32;
      case 7 -> DType.F64;
      case 11 -> DType.BOOL;
      case 15 -> DType.BF16;
      default -> throw new TorchScriptException("unsupported ScalarType code " + code);
    };
  }

  static int dtypeCode(DType d) {
    return switch (d) {
      case U8 -> 0;
      case I8 -> 1;
      case I16 -> 2;
      case I32 -> 3;
      case I64 -> 4;
      case F16 -> 5;
      case F32 -> 6;
      case F64 -> 7;
      case BOOL -> 11;
      case BF16 -> 15;
      default -> throw new TorchScriptException("dtype " + d + " has no ScalarType code");
    };
  }

  // ---- entry points ----

  Object call(String name, List<Object> args, Map<String, Object> kwargs, Frame f, Pos at) {
    AtenTable.Row row = AtenTable.ROWS.get(name);
    if (row == null) throw low.error(f, at, "unsupported op aten::" + name);
    Map<String, Object> bound;
    try {
      bound = row.sig().bind(args, kwargs);
    } catch (IllegalArgumentException ex) {
      throw low.error(f, at, "aten::" + ex.getMessage());
    }
    try {
      return row.handler().lower(new A(bound, f, at), this);
    } catch (TorchScriptException ex) {
      throw ex;
    } catch (RuntimeException ex) {
      throw low.error(f, at, "aten::" + name + ": " + ex.getMessage());
    }
  }

  Object prim(String name, List<Object> args, Map<String, Object> kwargs, Frame f, Pos at) {
    return switch (name) {
      case "NumToTensor" -> args.get(0);          // a number stays a number; SymInt stays SymInt
      case "device" -> new Device("cpu");
      case "dtype" -> (long) dtypeCode(Emit.dtype(tensor(args.get(0), null)));
      case "unchecked_unwrap_optional" -> args.get(0);
      case "RaiseException" -> throw low.error(f, at, "the model raises here: " + Lowerer.describe(args.isEmpty() ? "" : args.get(0)));
      case "min", "max" -> builtin(name, args, kwargs, f, at);
      // an inference graph on the CPU: nothing is on CUDA, nested, quantized, mkldnn or needs grad
      case "is_cuda", "is_nested", "requires_grad", "is_quantized", "is_mkldnn" -> false;
      default -> throw low.error(f, at, "unsupported op prim::" + name);
    };
  }

  Object builtin(String name, List<Object> args, Map<String, Object> kwargs, Frame f, Pos at) {
    switch (name) {
      case "getattr" -> {
        if (args.size() != 2 || !(args.get(1) instanceof String s)) throw low.error(f, at, "getattr(obj, \"name\") expected");
        return low.attr(args.get(0), s, f, at);
      }
      case "range" -> {
        long[] v = new long[args.size()];
        for (int i = 0; i < v.length; i++) {
          if (!(args.get(i) instanceof Long l)) throw low.error(f, at, "range over a run-time value");
          v[i] = l;
        }
        if (v.length == 1) return new Range(0, v[0], 1);
        if (v.length == 2) return new Range(v[0], v[1], 1);
        if (v.length == 3 && v[2] != 0) return new Range(v[0], v[1], v[2]);
        throw low.error(f, at, "bad range arguments");
      }
      case "len" -> {
        return len(args.get(0), f, at);
      }
      case "int", "float", "bool" -> {
        return call(name.equals("int") ? "Int" : name.equals("float") ? "Float" : "Bool", args, kwargs, f, at);
      }
      case "str" -> {
        return Lowerer.describe(args.get(0));
      }
      case "print" -> {
        return PyNone.NONE;
      }
      case "min", "max", "abs" -> {
        List<?> xs = args.size() == 1 && Lowerer.sequence(args.get(0)) != null ? Lowerer.sequence(args.get(0)) : args;
        Object acc = xs.get(0);
        if (name.equals("abs")) return unary(UnaryOp.MINUS, acc, f, at) instanceof Long l && l > 0 ? l : acc;
        for (Object x : xs.subList(1, xs.size())) {
          boolean less = low.truthy(compare(CmpOp.LT, x, acc, f, at), f, at);
          if (name.equals("min") == less) acc = x;
        }
        return acc;
      }
      case "list", "tuple" -> {
        List<?> s = Lowerer.sequence(args.get(0));
        if (s == null) throw low.error(f, at, name + "() of " + Lowerer.describe(args.get(0)));
        return name.equals("list") ? new ArrayList<>(s) : new PyTuple(new ArrayList<>(s));
      }
      default -> throw low.error(f, at, "unsupported builtin " + name);
    }
  }

  Object math(String name, List<Object> args, Frame f, Pos at) {
    double x = num(args.get(0), f, at);
    return switch (name) {
      case "sqrt" -> Math.sqrt(x);
      case "exp" -> Math.exp(x);
      case "log" -> Math.log(x);
      default -> throw low.error(f, at, "unsupported math." + name);
    };
  }

  long len(Object v, Frame f, Pos at) {
    List<?> s = Lowerer.sequence(v);
    if (s != null) return s.size();
    if (v instanceof String str) return str.length();
    if (v instanceof Value t && Emit.rank(t) > 0 && size(t, 0) instanceof Long l) return l;
    throw low.error(f, at, "len() of " + Lowerer.describe(v));
  }

  private double num(Object v, Frame f, Pos at) {
    return switch (v) {
      case Long l -> l;
      case Double d -> d;
      case Boolean b -> b ? 1 : 0;
      default -> throw low.error(f, at, "expected a number, got " + Lowerer.describe(v));
    };
  }

  // ---- Python operators ----

  Object unary(UnaryOp op, Object v, Frame f, Pos at) {
    return switch (op) {
      case PLUS -> v;
      case MINUS -> switch (v) {
        case Long l -> -l;
        case Double d -> -d;
        case Boolean b -> b ? -1L : 0L;
        case SymInt s -> new SymInt(e.op("neg", s.value()));
        case Value t -> e.op("neg", t);
        default -> throw low.error(f, at, "cannot negate " + Lowerer.describe(v));
      };
      case INVERT -> switch (v) {
        case Long l -> ~l;
        case Boolean b -> b ? -2L : -1L;
        case Value t -> Emit.dtype(t) == DType.BOOL ? e.op("not", t) : e.op("bitwise_not", t);
        default -> throw low.error(f, at, "cannot invert " + Lowerer.describe(v));
      };
    };
  }

  Object binary(BinOp op, Object a, Object b, Frame f, Pos at) {
    String name = switch (op) {
      case ADD -> "add";
      case SUB -> "sub";
      case MUL -> "mul";
      case DIV -> "div";
      case FLOOR_DIV -> "floordiv";
      case MOD -> "remainder";
      case POW -> "pow";
      case MAT_MUL -> "matmul";
      default -> null;
    };
    if (name == null) throw low.error(f, at, "unsupported operator " + op);
    if (op == BinOp.ADD && Lowerer.sequence(a) instanceof List<?> la && Lowerer.sequence(b) instanceof List<?> lb) {
      List<Object> out = new ArrayList<>(la);
      out.addAll(lb);
      return a instanceof PyTuple ? new PyTuple(out) : out;
    }
    if (op == BinOp.ADD && a instanceof String sa && b instanceof String sb) return sa + sb;
    return call(name, List.of(a, b), Map.of(), f, at);
  }

  Object compare(CmpOp op, Object a, Object b, Frame f, Pos at) {
    switch (op) {
      case IS, IS_NOT -> {
        boolean same = (a == PyNone.NONE) == (b == PyNone.NONE) && (a != PyNone.NONE || b == PyNone.NONE)
            && (a == PyNone.NONE || a.equals(b) || a == b);
        return op == CmpOp.IS == same;
      }
      case IN, NOT_IN -> {
        List<?> s = Lowerer.sequence(b);
        if (s == null) throw low.error(f, at, "'in' needs a list or tuple");
        return op == CmpOp.IN == s.contains(a);
      }
      default -> {
        String name = switch (op) {
          case LT -> "lt";
          case GT -> "gt";
          case LE -> "le";
          case GE -> "ge";
          case EQ -> "eq";
          default -> "ne";
        };
        return call(name, List.of(a, b), Map.of(), f, at);
      }
    }
  }

  Object getItem(Object v, Object index, Frame f, Pos at) {
    List<?> s = Lowerer.sequence(v);
    if (s != null && index instanceof Long i) {
      long k = i < 0 ? i + s.size() : i;
      if (k < 0 || k >= s.size()) throw low.error(f, at, "index " + i + " out of range for length " + s.size());
      return s.get((int) k);
    }
    if (v instanceof Map<?, ?> m && m.containsKey(index)) return m.get(index);
    throw low.error(f, at, "cannot index " + Lowerer.describe(v) + " with " + Lowerer.describe(index));
  }

  // ---- numbers and tensors ----

  /** True when every operand is a Python number or run-time int (no tensors). */
  static boolean scalars(Object... xs) {
    for (Object x : xs) if (!(x instanceof Long || x instanceof Double || x instanceof Boolean || x instanceof SymInt)) return false;
    return true;
  }

  static boolean hasSym(Object... xs) {
    for (Object x : xs) if (x instanceof SymInt) return true;
    return false;
  }

  /** As an IR tensor: Values as they are, numbers as rank-0 constants of {@code like} (or their own type). */
  Value tensor(Object x, DType like) {
    return switch (x) {
      case Value v -> v;
      case SymInt s -> s.value();
      case Long l -> e.scalar(l, like != null && like != DType.BOOL ? like : DType.I64);
      case Double d -> e.scalar(d, like != null && like.isFloat() ? like : DType.F32);
      case Boolean b -> e.scalar(b ? 1 : 0, like != null ? like : DType.BOOL);
      case Tensor t -> e.constant(t);
      default -> throw new IllegalArgumentException("expected a tensor, got " + Lowerer.describe(x));
    };
  }

  private static int category(DType d) { return d == DType.BOOL ? 0 : d.isFloat() ? 2 : 1; }

  private static DType join(DType a, DType b) {
    if (a == null) return b;
    if (b == null || a == b) return a;
    if (category(a) != category(b)) return category(a) > category(b) ? a : b;
    if (a.bits() != b.bits()) return a.bits() > b.bits() ? a : b;
    return category(a) == 2 ? DType.F32 : a;   // f16 vs bf16
  }

  /** torch's result_type: dimensioned tensors, then rank-0 tensors, then Python scalars, by category. */
  static DType promote(Object... xs) {
    DType dim = null;
    DType zero = null;
    DType wrapped = null;
    for (Object x : xs) {
      switch (x) {
        case Value v -> {
          if (Emit.rank(v) > 0) dim = join(dim, Emit.dtype(v));
          else zero = join(zero, Emit.dtype(v));
        }
        case Long l -> wrapped = join(wrapped, DType.I64);
        case SymInt s -> wrapped = join(wrapped, DType.I64);
        case Double d -> wrapped = join(wrapped, DType.F32);
        case Boolean b -> wrapped = join(wrapped, DType.BOOL);
        case Tensor t -> {
          if (t.shape().length > 0) dim = join(dim, t.dtype());
          else zero = join(zero, t.dtype());
        }
        default -> { }
      }
    }
    DType r = dim;
    if (zero != null && (r == null || category(zero) > category(r))) r = r == null ? zero : zero;
    if (wrapped != null && (r == null || category(wrapped) > category(r))) {
      r = r == null ? wrapped : category(wrapped) == 2 ? DType.F32 : DType.I64;
    }
    return r;
  }

  /** A broadcasting binary IR op after promoting both operands. */
  Value tbin(String op, Object a, Object b, DType dt) {
    return e.op(op, e.cast(tensor(a, dt), dt), e.cast(tensor(b, dt), dt));
  }

  /** Python arithmetic on numbers (folded) or run-time ints (i64 IR). */
  Object arith(String op, Object a, Object b) {
    if (hasSym(a, b)) {
      if (a instanceof Double || b instanceof Double) throw new IllegalArgumentException("float arithmetic on a run-time size");
      String irOp = switch (op) {
        case "add", "sub", "mul" -> op;
        case "floordiv" -> "div";         // sizes are non-negative: truncation is floor
        default -> throw new IllegalArgumentException(op + " on a run-time size");
      };
      return new SymInt(tbin(irOp, a, b, DType.I64));
    }
    if (a instanceof Double || b instanceof Double || op.equals("div") || op.equals("pow") && b instanceof Long l && l < 0) {
      double x = toDouble(a);
      double y = toDouble(b);
      return switch (op) {
        case "add" -> x + y;
        case "sub" -> x - y;
        case "mul" -> x * y;
        case "div" -> x / y;
        case "floordiv" -> Math.floor(x / y);
        case "remainder" -> x - Math.floor(x / y) * y;
        case "pow" -> Math.pow(x, y);
        default -> throw new IllegalArgumentException(op + " on floats");
      };
    }
    long x = toLong(a);
    long y = toLong(b);
    return switch (op) {
      case "add" -> x + y;
      case "sub" -> x - y;
      case "mul" -> x * y;
      case "floordiv" -> Math.floorDiv(x, y);
      case "remainder" -> Math.floorMod(x, y);
      case "pow" -> (long) Math.pow(x, y);
      default -> throw new IllegalArgumentException(op + " on ints");
    };
  }

  static double toDouble(Object x) {
    return switch (x) {
      case Long l -> l;
      case Double d -> d;
      case Boolean b -> b ? 1 : 0;
      default -> throw new IllegalArgumentException("expected a number, got " + Lowerer.describe(x));
    };
  }

  static long toLong(Object x) {
    return switch (x) {
      case Long l -> l;
      case Boolean b -> b ? 1 : 0;
      case Double d -> (long) (double) d;
      case Value v when Constants.valueOf(v) != null && Constants.valueOf(v).size() == 1 -> Constants.valueOf(v).getLong(0);
      default -> throw new IllegalArgumentException("expected a constant int, got " + Lowerer.describe(x));
    };
  }

  /** Comparison of numbers, folded; null when an operand is only known at run time. */
  static Boolean cmp(String op, Object a, Object b) {
    if (hasSym(a, b)) return null;
    double x = toDouble(a);
    double y = toDouble(b);
    return switch (op) {
      case "lt" -> x < y;
      case "gt" -> x > y;
      case "le" -> x <= y;
      case "ge" -> x >= y;
      case "eq" -> x == y;
      default -> x != y;
    };
  }

  /** Every dim of {@code v}: Longs where static, SymInts elsewhere. */
  List<Object> sizes(Value v) {
    List<Object> out = new ArrayList<>();
    for (int i = 0; i < Emit.rank(v); i++) out.add(e.size(v, i));
    return out;
  }

  Object size(Value v, long d) { return e.size(v, d); }

  Emit emit() { return e; }

  Lowerer lowerer() { return low; }

  /** Bound arguments of one call. */
  final class A {
    final Map<String, Object> v;
    final Frame f;
    final Pos at;

    A(Map<String, Object> v, Frame f, Pos at) {
      this.v = v;
      this.f = f;
      this.at = at;
    }

    Object get(String n) { return v.get(n); }

    boolean none(String n) { return v.get(n) == PyNone.NONE; }

    Value t(String n) {
      Object x = v.get(n);
      if (x instanceof Value val) return val;
      if (x instanceof Tensor t) return e.constant(t);
      throw low.error(f, at, "argument '" + n + "' must be a tensor, got " + Lowerer.describe(x));
    }

    Value tOrNull(String n) { return none(n) ? null : t(n); }

    long l(String n) {
      try {
        return toLong(v.get(n));
      } catch (IllegalArgumentException ex) {
        throw low.error(f, at, "argument '" + n + "': " + ex.getMessage());
      }
    }

    double d(String n) { return toDouble(v.get(n)); }

    boolean b(String n) { return low.truthy(v.get(n), f, at); }

    /** An int list argument; a single int repeats {@code count} times (e.g. stride=2 for 2-D). */
    long[] ls(String n, int count) {
      Object x = v.get(n);
      if (x instanceof Long l) {
        long[] out = new long[count];
        java.util.Arrays.fill(out, l);
        return out;
      }
      List<?> s = Lowerer.sequence(x);
      if (s == null) throw low.error(f, at, "argument '" + n + "' must be an int list, got " + Lowerer.describe(x));
      long[] out = new long[s.size()];
      for (int i = 0; i < out.length; i++) out[i] = toLong(s.get(i));
      return out;
    }

    /** A size list whose entries may be run-time ints. */
    List<Object> dims(String n) {
      List<?> s = Lowerer.sequence(v.get(n));
      if (s == null) throw low.error(f, at, "argument '" + n + "' must be an int list, got " + Lowerer.describe(v.get(n)));
      List<Object> out = new ArrayList<>();
      for (Object x : s) {
        if (x instanceof Long || x instanceof SymInt) out.add(x);
        else if (x instanceof Boolean b) out.add(b ? 1L : 0L);
        else throw low.error(f, at, "argument '" + n + "' has a non-int entry " + Lowerer.describe(x));
      }
      return out;
    }

    DType dtype(String n) { return none(n) ? null : dtypeFromCode(l(n)); }

    TorchScriptException fail(String msg) { return low.error(f, at, msg); }
  }
}
