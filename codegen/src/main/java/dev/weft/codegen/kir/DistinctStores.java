package dev.weft.codegen.kir;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * Whether a work item's serial iterations may run on different threads in any order
 * ({@link CooperativePlan#splitStores()}): the kernel loads no buffer it stores (so no
 * iteration reads what another wrote), each buffer has one store, and each store's index is
 * injective in the serial loop variables for any fixed work item. Injectivity is proved, not
 * sampled: the index must be {@code rest + sum c_i * v_i} over the serial variables {@code
 * v_i} ({@code rest} free of them), and, ordering the coefficients by magnitude, each must
 * exceed the span {@code sum |c_j| (extent_j - 1)} of the smaller ones (a mixed-radix layout,
 * as row-major strides are). Anything else (div/mod of a serial variable, a transposed gather)
 * answers false and lane 0 stores alone, which is always right.
 */
public final class DistinctStores {
  private DistinctStores() {}

  public static boolean splittable(Kernel k) {
    if (k.loops().size() == k.parallelLoops()) return false; // one element per item: nothing to split
    Map<Buffer, Boolean> stored = new IdentityHashMap<>();
    for (Kernel.Store s : k.stores()) if (stored.put(s.buffer(), Boolean.TRUE) != null) return false;
    Map<Expr, Boolean> seen = new IdentityHashMap<>();
    for (Kernel.Store s : k.stores()) {
      if (loadsAny(s.index(), stored, seen) || loadsAny(s.value(), stored, seen)) return false;
    }
    List<Kernel.Loop> serial = k.loops().subList(k.parallelLoops(), k.loops().size());
    for (Kernel.Store s : k.stores()) if (!injective(s.index(), serial)) return false;
    return true;
  }

  private static boolean loadsAny(Expr e, Map<Buffer, Boolean> stored, Map<Expr, Boolean> seen) {
    if (e == null || seen.put(e, Boolean.TRUE) != null) return false;
    if (e.kind() == Expr.Kind.LOAD && stored.containsKey(e.buffer())) return true;
    return loadsAny(e.a(), stored, seen) || loadsAny(e.b(), stored, seen) || loadsAny(e.c(), stored, seen);
  }

  static boolean injective(Expr index, List<Kernel.Loop> serial) {
    Map<Long, Integer> slot = new HashMap<>();
    for (int i = 0; i < serial.size(); i++) slot.put(serial.get(i).var().longValue(), i);
    long[] c = coefficients(index, slot, new FreeVars());
    if (c == null) return false;
    record Term(long magnitude, long extent) { }
    List<Term> terms = new ArrayList<>();
    for (int i = 0; i < serial.size(); i++) {
      long extent = serial.get(i).extent();
      if (extent <= 1) continue; // a single iteration cannot collide with itself
      if (c[i] == 0) return false;
      terms.add(new Term(Math.abs(c[i]), extent));
    }
    terms.sort(Comparator.comparingLong(Term::magnitude));
    long span = 0;
    for (Term t : terms) {
      if (t.magnitude() <= span) return false;
      span = Math.addExact(span, Math.multiplyExact(t.magnitude(), t.extent() - 1));
    }
    return true;
  }

  /** Coefficients of the serial variables in {@code e} when it is affine in them (integer arithmetic), else null. */
  private static long[] coefficients(Expr e, Map<Long, Integer> slot, FreeVars free) {
    long[] zero = new long[slot.size()];
    boolean serialFree = true;
    for (long v : free.of(e)) if (slot.containsKey(v)) serialFree = false;
    if (serialFree) return zero; // however complex, constant per work item
    if (e.type().isFloat()) return null;
    try {
      return switch (e.kind()) {
        case VAR -> {
          zero[slot.get(e.longValue())] = 1;
          yield zero;
        }
        case BINARY -> switch (e.binary()) {
          case ADD, SUB -> {
            long[] x = coefficients(e.a(), slot, free);
            long[] y = coefficients(e.b(), slot, free);
            if (x == null || y == null) yield null;
            for (int i = 0; i < x.length; i++) x[i] = e.binary() == BinaryOp.ADD ? Math.addExact(x[i], y[i]) : Math.subtractExact(x[i], y[i]);
            yield x;
          }
          case MUL -> {
            Expr scale = e.a().isConst() ? e.a() : e.b().isConst() ? e.b() : null;
            if (scale == null) yield null;
            long[] x = coefficients(scale == e.a() ? e.b() : e.a(), slot, free);
            if (x == null) yield null;
            for (int i = 0; i < x.length; i++) x[i] = Math.multiplyExact(x[i], scale.longValue());
            yield x;
          }
          default -> null;
        };
        // a widening integer cast keeps the value (the only casts index arithmetic uses)
        case CAST -> !e.a().type().isFloat() && bits(e.type()) >= bits(e.a().type()) && e.a().type().isSigned() == e.type().isSigned()
            ? coefficients(e.a(), slot, free) : null;
        default -> null;
      };
    } catch (ArithmeticException overflow) {
      return null;
    }
  }

  private static int bits(dev.weft.bundle.DType t) {
    return switch (t) {
      case BOOL, I8, U8 -> 8;
      case I16, U16 -> 16;
      case I32, U32 -> 32;
      default -> 64;
    };
  }
}
