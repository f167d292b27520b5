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
  /** Values given from outside (a cooperative reduction's combined result in a lane simulation). */
  private final Map<Expr, Long> fixed = new IdentityHashMap<>();

  private final long[] dims;

  private Evaluator(Map<Buffer, Tensor> memory, long[] dims) {
    this.memory = memory;
    this.dims = dims;
  }

  /**
   * An evaluator driven step by step ({@link #set}, {@link #fix}, {@link #loops}) rather than
   * over the whole kernel: tests simulate other execution plans (lanes of a warp) with it.
   */
  static Evaluator stepwise(Kernel k, Map<Buffer, Tensor> memory) {
    bindParams(k, memory);
    return new Evaluator(memory, new long[0]);
  }

  void set(long var, long value) { bind(var, value); }

  void unset(long var) { env.remove(var); }

  /** From now on {@code e} evaluates to {@code value} (raw bits as eval returns them). */
  void fix(Expr e, long value) { fixed.put(e, value); }

  /** The identity a reduction folds from, as raw bits. */
  static long identity(Expr r) {
    boolean fl = r.type.isFloat();
    long acc = fl ? f(r.type, r.reduce().identity(fl)) : Scalars.wrap(r.type, (long) r.reduce().identity(fl));
    if (!fl && r.reduce() == ReduceOp.MAX) acc = Scalars.minOf(r.type);
    if (!fl && r.reduce() == ReduceOp.MIN) acc = Scalars.maxOf(r.type);
    return acc;
  }

  /** Runs {@code k} over all its work items; {@code memory} maps every parameter to a tensor (outputs are written). */
  public static void run(Kernel k, Map<Buffer, Tensor> memory) { run(k, memory, new long[0]); }

  /**
   * As {@link #run(Kernel, Map)} with the symbolic dims of {@link Kernel#dims()} bound to
   * {@code dims} (by slot). A kernel that reads dims may be given tensors smaller than its
   * buffers' (maximum) shapes: the packed tensors of the bound dims; every access is bounds-checked.
   */
  public static void run(Kernel k, Map<Buffer, Tensor> memory, long[] dims) {
    if (dims.length < k.dims().size()) throw new KirException("kernel " + k.name() + " reads dims " + k.dims() + " but " + dims.length + " were given");
    bindParams(k, memory);
    new Evaluator(memory, dims.clone()).loops(k, 0);
  }

  private static void bindParams(Kernel k, Map<Buffer, Tensor> memory) {
    boolean symbolic = !k.dims().isEmpty();
    for (Buffer b : k.params()) {
      Tensor t = memory.get(b);
      if (t == null && b.data() != null) memory.put(b, t = b.data());
      if (t == null) throw new KirException("no tensor bound to parameter " + b);
      if (symbolic ? t.size() > b.elements() : t.size() != b.elements()) throw new KirException("tensor for " + b + " has " + t.size() + " elements");
    }
  }

  /** Runs loops {@code depth} and inward (all their iterations) with the outer variables as bound. */
  void loops(Kernel k, int depth) {
    if (depth == k.loops().size()) {
      for (Kernel.Store s : k.stores()) {
        if (s.guard() != null && eval(s.guard()) == 0) continue;
        long i = eval(s.index());
        store(memory.get(s.buffer()), i, s.value().type, eval(s.value()));
      }
      return;
    }
    Kernel.Loop l = k.loops().get(depth);
    long n = l.limit() == null ? l.extent() : limit(l.limit(), l.extent());
    for (long i = 0; i < n; i++) {
      bind(l.var().id, i);
      loops(k, depth + 1);
    }
  }

  private void bind(long var, long value) {
    env.put(var, value);
    versions.merge(var, 1L, Long::sum);
  }

  long eval(Expr e) {
    if (!fixed.isEmpty()) {
      Long v = fixed.get(e);
      if (v != null) return v;
    }
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
      case DIM -> {
        if (e.id >= dims.length) throw new KirException("dim " + e.name + " (slot " + e.id + ") is not bound");
        yield dims[(int) e.id];
      }
      case REDUCE -> {
        long acc = identity(e);
        long n = e.b == null ? e.extent : limit(e.b, e.extent);
        for (long i = 0; i < n; i++) {
          bind(e.var.id, i);
          acc = Scalars.binary(e.reduce().combine(), e.type, acc, eval(e.a));
        }
        env.remove(e.var.id);
        yield acc;
      }
    };
  }

  /** A run-time trip count, checked against the static bound the kernel's buffers are sized for. */
  private long limit(Expr limit, long extent) {
    long n = eval(limit);
    if (n < 0 || n > extent) throw new KirException("run-time trip count " + n + " outside [0, " + extent + "]");
    return n;
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
