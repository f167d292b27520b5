package dev.weft.passes.fusion;

import dev.weft.ir.Dim;
import dev.weft.ir.Shape;
import dev.weft.ir.TensorType;
import dev.weft.ir.Value;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * Element counts with symbolic dims, for the fusion rules ("the epilogue is no larger than the
 * matmul it follows"), and byte estimates for the cost model. A count is a static product
 * times a multiset of symbols; a count-preserving layout op (reshape, transpose, ...) gives its
 * result its operand's count even when inference had to invent fresh symbols for its dims.
 */
final class Sizes {
  /** Static factor times the product of the symbols; unranked is null. */
  record Count(long factor, List<String> symbols) {
    boolean sameAs(Count o) { return o != null && factor == o.factor && symbols.equals(o.symbols); }

    /** Provably at most {@code o} (every symbol is at least 1). */
    boolean atMost(Count o) {
      if (o == null) return false;
      List<String> rest = new ArrayList<>(o.symbols);
      for (String s : symbols) if (!rest.remove(s)) return false;
      return factor <= o.factor;
    }

    /** Provably smaller than {@code o}: a broadcast or a reduction result. */
    boolean lessThan(Count o) { return atMost(o) && !sameAs(o); }

    @Override public String toString() { return symbols.isEmpty() ? Long.toString(factor) : factor + "*" + String.join("*", symbols); }
  }

  /** Null-safe: an unranked count is never provably anything. */
  static boolean atMost(Count a, Count b) { return a != null && a.atMost(b); }

  static boolean lessThan(Count a, Count b) { return a != null && a.lessThan(b); }

  static boolean same(Count a, Count b) { return a != null && a.sameAs(b); }

  /** Bytes assumed per symbolic dim in byte estimates (a sequence length, a batch). */
  final long symbolGuess;
  private final Map<Value, Count> counts = new IdentityHashMap<>();

  Sizes(long symbolGuess) { this.symbolGuess = symbolGuess; }

  Count count(Value v) {
    Count c = counts.get(v);
    if (c != null || counts.containsKey(v)) return c;
    var p = v.producer();
    if (p != null && OpClass.countPreserving(p) && p.input(0) != null && p.outputCount() == 1) {
      c = count(p.input(0));
    } else {
      c = own(v);
    }
    counts.put(v, c);
    return c;
  }

  private static Count own(Value v) {
    if (!(v.type() instanceof TensorType t) || !t.shape().isRanked()) return null;
    Shape s = t.shape();
    long f = 1;
    List<String> syms = new ArrayList<>();
    for (Dim d : s.dims()) {
      if (d.isStatic()) f = Math.multiplyHigh(f, d.size()) != 0 ? Long.MAX_VALUE : f * d.size();
      else syms.add(d.toString());
    }
    Collections.sort(syms);
    return new Count(f, List.copyOf(syms));
  }

  /** Estimated bytes of {@code v}: symbolic dims count as {@link #symbolGuess}; unranked as 0 (unknown). */
  long bytes(Value v) {
    Count c = count(v);
    if (c == null || !(v.type() instanceof TensorType t)) return 0;
    double n = (double) c.factor() * Math.pow(symbolGuess, c.symbols().size()) * t.dtype().byteSize();
    return n >= Long.MAX_VALUE ? Long.MAX_VALUE : (long) n;
  }
}
