package dev.weft.codegen.kir;

import dev.weft.bundle.DType;
import dev.weft.bundle.Tensor;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.Map;

/**
 * Runs a kernel in Java, element by element, with the same typing rules as the emitted code
 * (f32 arithmetic rounds to f32 after every operation). It is slow and exists to check
 * lowerings without LLVM and to cross-check the LLVM emitter. Values travel as raw longs:
 * integers as themselves, floats as their double bits.
 */
public final class Evaluator {
  private final Map<Buffer, Tensor> memory;
  private final Map<Long, Long> env = new HashMap<>();
  private final Map<Long, Long> versions = new HashMap<>();
  private final Map<Expr, long[]> cache = new IdentityHashMap<>();
  private final FreeVars free = new FreeVars();

  private Evaluator(Map<Buffer, Tensor> memory) { this.memory = memory; }

  /** Runs {@code k} over all its work items; {@code memory} maps every parameter to a tensor (outputs are written). */
  public static void run(Kernel k, Map<Buffer, Tensor> memory) {
    for (Buffer b : k.params()) {
      Tensor t = memory.get(b);
      if (t == null && b.data() != null) memory.put(b, t = b.data());
      if (t == null) throw new KirException("no tensor bound to parameter " + b);
      if (t.size() != b.elements()) throw new KirException("tensor for " + b + " has " + t.size() + " elements");
    }
    new Evaluator(memory).loops(k, 0);
  }

  private void loops(Kernel k, int depth) {
    if (depth == k.loops().size()) {
      for (Kernel.Store s : k.stores()) {
        if (s.guard() != null && eval(s.guard()) == 0) continue;
        long i = eval(s.index());
        store(memory.get(s.buffer()), i, s.value().type, eval(s.value()));
      }
      return;
    }
    Kernel.Loop l = k.loops().get(depth);
    for (long i = 0; i < l.extent(); i++) {
      bind(l.var().id, i);
      loops(k, depth + 1);
    }
  }

  private void bind(long var, long value) {
    env.put(var, value);
    versions.merge(var, 1L, Long::sum);
  }

  long eval(Expr e) {
    long[] vars = free.of(e);
    long[] hit = cache.get(e);
    if (hit != null && valid(hit, vars)) return hit[0];
    long v = compute(e);
    long[] entry = new long[vars.length + 1];
    entry[0] = v;
    for (int i = 0; i < vars.length; i++) entry[i + 1] = versions.getOrDefault(vars[i], 0L);
    cache.put(e, entry);
    return v;
  }

  private boolean valid(long[] entry, long[] vars) {
    for (int i = 0; i < vars.length; i++) if (entry[i + 1] != versions.getOrDefault(vars[i], 0L)) return false;
    return true;
  }

  private long compute(Expr e) {
    return switch (e.kind) {
      case CONST -> e.type.isFloat() ? f(e.type, e.constant) : e.id;
      case VAR -> {
        Long v = env.get(e.id);
        if (v == null) throw new KirException("variable " + e.name + " read outside its loop");
        yield v;
      }
      case LOAD -> load(memory.get(e.buffer), eval(e.a), e.buffer);
      case UNARY -> unary(e);
      case BINARY -> Scalars.binary(e.binary(), e.a.type, eval(e.a), eval(e.b));
      case SELECT -> eval(e.a) != 0 ? eval(e.b) : eval(e.c);
      case CAST -> Scalars.cast(e.a.type, e.type, eval(e.a));
      case REDUCE -> {
        boolean fl = e.type.isFloat();
        double id = e.reduce().identity(fl);
        long acc = fl ? f(e.type, id) : Scalars.wrap(e.type, (long) id);
        if (!fl && e.reduce() == ReduceOp.MAX) acc = Scalars.minOf(e.type);
        if (!fl && e.reduce() == ReduceOp.MIN) acc = Scalars.maxOf(e.type);
        for (long i = 0; i < e.extent; i++) {
          bind(e.var.id, i);
          acc = Scalars.binary(e.reduce().combine(), e.type, acc, eval(e.a));
        }
        env.remove(e.var.id);
        yield acc;
      }
    };
  }

  private long unary(Expr e) {
    long x = eval(e.a);
    DType t = e.a.type;
    if (e.unary() == UnaryOp.BITS) {
      double d = Double.longBitsToDouble(x);
      return t == DType.F64 ? Double.doubleToRawLongBits(d) : Float.floatToRawIntBits((float) d);
    }
    if (e.unary() == UnaryOp.FROM_BITS) {
      return t == DType.I64 ? x : Double.doubleToRawLongBits(Float.intBitsToFloat((int) x));
    }
    return Scalars.unary(e.unary(), t, x);
  }

  static long f(DType t, double v) { return Double.doubleToRawLongBits(t == DType.F32 ? (float) v : v); }

  private static long load(Tensor t, long i, Buffer b) {
    if (i < 0 || i >= t.size()) throw new KirException("load " + b.name() + "[" + i + "] out of bounds " + t.size());
    DType d = t.dtype();
    if (d.isFloat()) return Double.doubleToRawLongBits(t.getDouble(i));
    if (d == DType.BOOL) return t.getBool(i) ? 1 : 0;
    return t.getLong(i);
  }

  private static void store(Tensor t, long i, DType valueType, long v) {
    if (i < 0 || i >= t.size()) throw new KirException("store [" + i + "] out of bounds " + t.size());
    DType d = t.dtype();
    if (d.isFloat()) t.setDouble(i, Double.longBitsToDouble(v));
    else if (d == DType.BOOL) t.setBool(i, v != 0);
    else t.setLong(i, v);
  }
}
