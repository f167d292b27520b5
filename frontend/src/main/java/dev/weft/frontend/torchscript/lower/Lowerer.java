package dev.weft.frontend.torchscript.lower;

import dev.weft.bundle.DType;
import dev.weft.bundle.Tensor;
import dev.weft.frontend.torchscript.PyNone;
import dev.weft.frontend.torchscript.PyTuple;
import dev.weft.frontend.torchscript.ScriptObject;
import dev.weft.frontend.torchscript.TorchScriptException;
import dev.weft.frontend.torchscript.lower.Vals.*;
import dev.weft.frontend.torchscript.source.Ast;
import dev.weft.frontend.torchscript.source.Ast.*;
import dev.weft.ir.Constants;
import dev.weft.ir.Location;
import dev.weft.ir.Value;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Lowers TorchScript by partial evaluation: Python-level values (ints, floats, lists, module
 * objects, the {@code training} flag, constant conditions) are computed here, while tensor
 * computations become IR nodes. Submodule methods and {@code __torch__} functions are inlined;
 * {@code if}s must fold and {@code for} loops over constant ranges unroll. Nothing from the
 * archive is executed beyond this evaluation of the source as data.
 */
public final class Lowerer {
  static final int MAX_CALL_DEPTH = 64;
  static final long MAX_STEPS = 2_000_000;
  private static final Set<String> BUILTINS = Set.of("int", "float", "bool", "len", "range", "str", "min", "max",
      "abs", "print", "isinstance", "list", "tuple");

  final Emit emit;
  private final Classes classes;
  private final List<Object> constants;
  private final Aten aten;
  private final Map<Tensor, Value> tensorNodes = new IdentityHashMap<>();
  private int callDepth;
  private long steps;

  /** Lowers {@code root.forward(args)} into {@code b}'s graph; returns the Python-level result. */
  public static Object lowerForward(dev.weft.ir.GraphBuilder b, Classes classes, List<Object> constants, ScriptObject root,
      List<Object> args, Pos at) {
    return new Lowerer(new Emit(b), classes, constants).callMethod(new ModuleRef(root, ""), "forward", args, at);
  }

  Lowerer(Emit emit, Classes classes, List<Object> constants) {
    this.emit = emit;
    this.classes = classes;
    this.constants = constants;
    this.aten = new Aten(this);
  }

  /** A function activation: locals plus the file its globals and locations come from. */
  static final class Frame {
    final String file;
    final Map<String, Object> locals = new HashMap<>();

    Frame(String file) { this.file = file; }
  }

  private static final class ReturnSignal extends RuntimeException {
    final Object value;

    ReturnSignal(Object value) {
      super(null, null, false, false);
      this.value = value;
    }
  }

  private static final class LoopSignal extends RuntimeException {
    final boolean isBreak;

    LoopSignal(boolean isBreak) {
      super(null, null, false, false);
      this.isBreak = isBreak;
    }
  }

  /** Calls {@code name} on the root module with the given arguments (tensor Values). */
  Object callMethod(ModuleRef self, String name, List<Object> args, Pos at) {
    Classes.Method m = classes.method(self.obj().className(), name, at);
    return invoke(m.def(), m.file(), self, args, Map.of(), at);
  }

  // ---- statements ----

  private void exec(List<Stmt> body, Frame f) {
    for (Stmt s : body) exec(s, f);
  }

  private void exec(Stmt s, Frame f) {
    if (++steps > MAX_STEPS) throw error(f, s.pos(), "evaluation exceeds " + MAX_STEPS + " steps");
    switch (s) {
      case Assign a -> {
        Object v = eval(a.value(), f);
        for (Expr t : a.targets()) bind(t, v, f);
      }
      case AnnAssign a -> {
        if (a.value() != null) bind(a.target(), eval(a.value(), f), f);
      }
      case AugAssign a -> bind(a.target(), aten.binary(a.op(), eval(a.target(), f), eval(a.value(), f), f, a.pos()), f);
      case ExprStmt e -> eval(e.value(), f);
      case Return r -> throw new ReturnSignal(r.value() == null ? PyNone.NONE : eval(r.value(), f));
      case Pass p -> { }
      case Break b -> throw new LoopSignal(true);
      case Continue c -> throw new LoopSignal(false);
      case Raise r -> throw error(f, r.pos(), "the model raises here" + (r.exception() == null ? "" : ": "
          + describe(eval(r.exception(), f))));
      case Assert a -> {
        if (!truthy(eval(a.test(), f), f, a.pos())) {
          throw error(f, a.pos(), "assertion fails" + (a.message() == null ? "" : ": " + describe(eval(a.message(), f))));
        }
      }
      case If i -> exec(truthy(eval(i.test(), f), f, i.pos()) ? i.body() : i.orElse(), f);
      case For loop -> {
        Object it = eval(loop.iter(), f);
        List<Object> items = new ArrayList<>();
        switch (it) {
          case Range r -> {
            if (r.length() > MAX_STEPS) throw error(f, loop.pos(), "loop of " + r.length() + " iterations");
            for (long i = 0, v = r.start(); i < r.length(); i++, v += r.step()) items.add(v);
          }
          case List<?> l -> items.addAll(l);
          case PyTuple t -> items.addAll(t.items());
          default -> throw error(f, loop.pos(), "for loop over " + describe(it) + " (only constant ranges and lists)");
        }
        for (Object item : items) {
          bind(loop.target(), item, f);
          try {
            exec(loop.body(), f);
          } catch (LoopSignal sig) {
            if (sig.isBreak) break;
          }
        }
      }
      case While w -> {
        while (truthy(eval(w.test(), f), f, w.pos())) {
          if (++steps > MAX_STEPS) throw error(f, w.pos(), "loop exceeds " + MAX_STEPS + " steps");
          try {
            exec(w.body(), f);
          } catch (LoopSignal sig) {
            if (sig.isBreak) break;
          }
        }
      }
      case FunctionDef d -> throw error(f, d.pos(), "nested function definitions are not supported");
      case ClassDef c -> throw error(f, c.pos(), "nested class definitions are not supported");
    }
  }

  private void bind(Expr target, Object v, Frame f) {
    switch (target) {
      case Name n -> f.locals.put(n.id(), v);
      case TupleExpr t -> {
        List<?> items = sequence(v);
        if (items == null || items.size() != t.items().size()) {
          throw error(f, t.pos(), "cannot unpack " + describe(v) + " into " + t.items().size() + " names");
        }
        for (int i = 0; i < items.size(); i++) bind(t.items().get(i), items.get(i), f);
      }
      case ListExpr t -> bind(new TupleExpr(t.pos(), t.items()), v, f);
      default -> throw error(f, target.pos(), "unsupported assignment target");
    }
  }

  static List<?> sequence(Object v) {
    if (v instanceof PyTuple t) return t.items();
    if (v instanceof List<?> l) return l;
    return null;
  }

  // ---- expressions ----

  Object eval(Expr e, Frame f) {
    return switch (e) {
      case Name n -> lookup(n, f);
      case IntLit i -> i.value();
      case FloatLit x -> x.value();
      case StrLit s -> s.value();
      case NoneLit x -> PyNone.NONE;
      case BoolLit x -> x.value();
      case EllipsisLit x -> throw error(f, x.pos(), "'...' is not supported");
      case ListExpr l -> {
        List<Object> out = new ArrayList<>();
        for (Expr x : l.items()) out.add(eval(x, f));
        yield out;
      }
      case TupleExpr t -> {
        List<Object> out = new ArrayList<>();
        for (Expr x : t.items()) out.add(eval(x, f));
        yield new PyTuple(out);
      }
      case DictExpr d -> {
        LinkedHashMap<Object, Object> out = new LinkedHashMap<>();
        for (int i = 0; i < d.keys().size(); i++) out.put(eval(d.keys().get(i), f), eval(d.values().get(i), f));
        yield out;
      }
      case Ast.Attribute a -> attr(eval(a.value(), f), a.name(), f, a.pos());
      case Call c -> call(c, f);
      case Subscript s -> subscript(s, f);
      case Slice s -> throw error(f, s.pos(), "slice outside a subscript");
      case Unary u -> aten.unary(u.op(), eval(u.operand(), f), f, u.pos());
      case Binary b -> aten.binary(b.op(), eval(b.left(), f), eval(b.right(), f), f, b.pos());
      case Compare c -> {
        Object left = eval(c.operands().get(0), f);
        boolean result = true;
        for (int i = 0; i < c.ops().size() && result; i++) {
          Object right = eval(c.operands().get(i + 1), f);
          result = truthy(aten.compare(c.ops().get(i), left, right, f, c.pos()), f, c.pos());
          left = right;
        }
        yield result;
      }
      case BoolOp b -> {
        Object last = null;
        for (Expr x : b.values()) {
          last = eval(x, f);
          boolean t = truthy(last, f, x.pos());
          if (b.and() ? !t : t) break;
        }
        yield last;
      }
      case Not n -> !truthy(eval(n.operand(), f), f, n.pos());
      case IfExp i -> eval(truthy(eval(i.test(), f), f, i.pos()) ? i.body() : i.orElse(), f);
    };
  }

  private Object lookup(Name n, Frame f) {
    String id = n.id();
    if (f.locals.containsKey(id)) return f.locals.get(id);
    return switch (id) {
      case "torch", "ops", "__torch__", "CONSTANTS", "math" -> new Ns(id);
      case "inf" -> Double.POSITIVE_INFINITY;
      case "nan" -> Double.NaN;
      default -> {
        if (BUILTINS.contains(id) || id.equals("getattr") || id.equals("annotate") || id.equals("unchecked_cast")
            || id.equals("uninitialized")) {
          yield new Builtin(id);
        }
        throw error(f, n.pos(), "undefined name '" + id + "'");
      }
    };
  }

  Object attr(Object obj, String name, Frame f, Pos at) {
    switch (obj) {
      case Ns ns -> {
        if (ns.path().equals("CONSTANTS")) {
          if (!name.matches("c[0-9]{1,9}")) throw error(f, at, "bad constant name CONSTANTS." + name);
          int i = Integer.parseInt(name.substring(1));
          if (i >= constants.size()) throw error(f, at, "CONSTANTS." + name + " is missing (archive has " + constants.size() + ")");
          return fromArchive(constants.get(i), "CONSTANTS." + name);
        }
        return new Ns(ns.path() + "." + name);
      }
      case ModuleRef m -> {
        if (name.equals("training")) return false;       // eval mode
        LinkedHashMap<String, Object> attrs = m.obj().attributes();
        if (attrs.containsKey(name)) return fromArchive(attrs.get(name), m.child(name));
        Expr constant = classes.classConstant(m.obj().className(), name);
        if (constant != null) return eval(constant, new Frame(classes.fileOf(m.obj().className())));
        if (classes.hasMethod(m.obj().className(), name)) return new BoundMethod(m, name);
        throw error(f, at, "module '" + m.path() + "' (" + m.obj().className() + ") has no attribute '" + name + "'");
      }
      case Value v -> {
        return switch (name) {
          case "dtype" -> (long) Aten.dtypeCode(Emit.dtype(v));
          case "shape" -> aten.sizes(v);
          case "device" -> new Device("cpu");
          default -> throw error(f, at, "tensor attribute '" + name + "' is not supported");
        };
      }
      default -> throw error(f, at, "no attribute '" + name + "' on " + describe(obj));
    }
  }

  /** An archive value as a lowering value: tensors become (shared) constant nodes named by their path. */
  Object fromArchive(Object v, String path) {
    return switch (v) {
      case Tensor t -> tensorNodes.computeIfAbsent(t, x -> emit.constant(x, path));
      case ScriptObject s -> new ModuleRef(s, path);
      case Integer i -> (long) i;
      default -> v;
    };
  }

  private Object subscript(Subscript s, Frame f) {
    Object v = eval(s.value(), f);
    if (s.index() instanceof Slice || v instanceof Value) {
      throw error(f, s.pos(), "tensor indexing syntax is not supported (PyTorch writes aten::slice/select calls)");
    }
    Object index = eval(s.index(), f);
    return aten.getItem(v, index, f, s.pos());
  }

  private Object call(Call c, Frame f) {
    if (c.func() instanceof Name n && !f.locals.containsKey(n.id())) {
      switch (n.id()) {
        case "annotate", "unchecked_cast" -> {
          if (c.args().size() != 2) throw error(f, c.pos(), n.id() + " takes 2 arguments");
          return eval(c.args().get(1), f);          // the type is data, never evaluated
        }
        case "uninitialized" -> {
          return Uninitialized.VALUE;
        }
        case "isinstance" -> throw error(f, c.pos(), "isinstance is not supported");
        default -> { }
      }
    }
    Object fn = eval(c.func(), f);
    List<Object> args = new ArrayList<>();
    for (Expr a : c.args()) args.add(eval(a, f));
    Map<String, Object> kwargs = new LinkedHashMap<>();
    for (Keyword k : c.keywords()) kwargs.put(k.name(), eval(k.value(), f));
    emit.b.at(Location.at(f.file, c.pos().line(), c.pos().column()));
    return switch (fn) {
      case Ns ns -> callGlobal(ns.path(), args, kwargs, f, c.pos());
      case BoundMethod m -> {
        Classes.Method method = classes.method(m.self().obj().className(), m.name(), c.pos());
        yield invoke(method.def(), method.file(), m.self(), args, kwargs, c.pos());
      }
      case Builtin b -> aten.builtin(b.name(), args, kwargs, f, c.pos());
      default -> throw error(f, c.pos(), "cannot call " + describe(fn));
    };
  }

  private Object callGlobal(String path, List<Object> args, Map<String, Object> kwargs, Frame f, Pos at) {
    if (path.startsWith("torch.") && path.indexOf('.', 6) < 0) return aten.call(path.substring(6), args, kwargs, f, at);
    if (path.startsWith("ops.aten.")) return aten.call(path.substring(9), args, kwargs, f, at);
    if (path.startsWith("ops.prim.")) return aten.prim(path.substring(9), args, kwargs, f, at);
    if (path.startsWith("__torch__.")) {
      int dot = path.lastIndexOf('.');
      Classes.Method fn = classes.function(path.substring(0, dot), path.substring(dot + 1), at);
      return invoke(fn.def(), fn.file(), null, args, kwargs, at);
    }
    if (path.startsWith("math.")) return aten.math(path.substring(5), args, f, at);
    throw error(f, at, "unsupported call to " + path);
  }

  private Object invoke(FunctionDef def, String file, ModuleRef self, List<Object> args, Map<String, Object> kwargs, Pos at) {
    if (++callDepth > MAX_CALL_DEPTH) throw new TorchScriptException(file + ":" + at + ": calls nested deeper than " + MAX_CALL_DEPTH);
    try {
      Frame callee = new Frame(file);
      List<Param> params = def.params();
      int p = 0;
      if (self != null) {
        if (params.isEmpty()) throw new TorchScriptException(file + ":" + def.pos() + ": method " + def.name() + " has no self");
        callee.locals.put(params.get(0).name(), self);
        p = 1;
      }
      if (args.size() > params.size() - p) {
        throw new TorchScriptException(file + ":" + at + ": " + def.name() + " takes " + (params.size() - p) + " arguments, got " + args.size());
      }
      for (int i = 0; i < args.size(); i++) callee.locals.put(params.get(p + i).name(), args.get(i));
      for (Map.Entry<String, Object> k : kwargs.entrySet()) {
        if (params.stream().noneMatch(x -> x.name().equals(k.getKey()))) {
          throw new TorchScriptException(file + ":" + at + ": " + def.name() + " has no parameter '" + k.getKey() + "'");
        }
        callee.locals.put(k.getKey(), k.getValue());
      }
      for (int i = p; i < params.size(); i++) {
        Param prm = params.get(i);
        if (callee.locals.containsKey(prm.name())) continue;
        if (prm.defaultValue() == null) {
          throw new TorchScriptException(file + ":" + at + ": " + def.name() + " is missing argument '" + prm.name() + "'");
        }
        callee.locals.put(prm.name(), eval(prm.defaultValue(), new Frame(file)));
      }
      try {
        exec(def.body(), callee);
      } catch (ReturnSignal r) {
        return r.value;
      }
      return PyNone.NONE;
    } finally {
      callDepth--;
    }
  }

  // ---- helpers ----

  boolean truthy(Object v, Frame f, Pos at) {
    return switch (v) {
      case Boolean b -> b;
      case Long l -> l != 0;
      case Double d -> d != 0;
      case String s -> !s.isEmpty();
      case PyNone n -> false;
      case PyTuple t -> !t.items().isEmpty();
      case List<?> l -> !l.isEmpty();
      case ModuleRef m -> true;
      case Value x -> {
        Tensor t = Constants.valueOf(x);
        if (t == null || t.size() != 1) throw error(f, at, "condition depends on tensor data (data-dependent control flow is not supported)");
        yield t.getDouble(0) != 0;
      }
      case SymInt s -> throw error(f, at, "condition depends on a run-time size (the graph would have to be specialized)");
      default -> throw error(f, at, "cannot use " + describe(v) + " as a condition");
    };
  }

  static String describe(Object v) {
    return switch (v) {
      case null -> "null";
      case String s -> '"' + s + '"';
      case Value x -> "tensor " + x.type();
      case SymInt s -> "run-time int";
      case ModuleRef m -> "module " + m.obj().className();
      default -> v.toString();
    };
  }

  TorchScriptException error(Frame f, Pos at, String msg) { return new TorchScriptException(f.file + ":" + at + ": " + msg); }

  static DType dtypeFromCode(long code) { return Aten.dtypeFromCode(code); }
}
