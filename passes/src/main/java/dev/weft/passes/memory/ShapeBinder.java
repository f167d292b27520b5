package dev.weft.passes.memory;

import dev.weft.bundle.WeftException;
import dev.weft.ir.Dim;
import dev.weft.ir.Graph;
import dev.weft.ir.Module;
import dev.weft.ir.Node;
import dev.weft.ir.Shape;
import dev.weft.ir.TensorType;
import dev.weft.ir.Type;
import dev.weft.ir.Value;
import dev.weft.ir.text.WeightsSink;
import dev.weft.ir.text.WeightsSource;
import dev.weft.ir.text.WirParser;
import dev.weft.ir.text.WirPrinter;
import dev.weft.passes.PassContext;
import dev.weft.passes.simplify.FoldShapes;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * The concrete shape of every tensor of a main graph under a binding of its symbolic dims
 * ({@code batch_size=1, sequence_length=64}). Named symbols are substituted directly. Symbols
 * an op drew for a size only known at run time ({@code _s3}: a reshape whose target is computed
 * from {@code shape_of}) are resolved on a specialized copy: the graph is printed and parsed
 * again, its inputs get the bound static types, and shape folding ({@link FoldShapes}) turns
 * the shape computations into constants so inference reaches every value. The caller's graph
 * is never changed.
 */
final class ShapeBinder {
  private ShapeBinder() {}

  /**
   * Static sizes per value. Absent: sequences and optionals, and tensors whose size depends on
   * data (an {@code if} whose branches differ, {@code non_zero}); the runtime allocates those.
   */
  static Map<Value, long[]> bind(Graph main, Map<String, Long> bindings) {
    checkInputsBound(main, bindings);
    Map<Value, long[]> out = new IdentityHashMap<>();
    List<Value> missing = new ArrayList<>();
    for (Value v : values(main)) {
      if (!(v.type() instanceof TensorType t)) continue;
      long[] s = substitute(t.shape(), bindings);
      if (s == null) missing.add(v);
      else out.put(v, s);
    }
    if (missing.isEmpty()) return out;
    Map<String, Value> specialized = specialize(main, bindings);
    for (Value v : missing) {
      Value w = specialized.get(v.name());
      long[] s = w != null && w.type() instanceof TensorType t ? substitute(t.shape(), bindings) : null;
      if (s != null) out.put(v, s);   // else its size is data-dependent (an If's result, non_zero): absent
    }
    return out;
  }

  /** Graph inputs, then node results, in schedule order. */
  static List<Value> values(Graph main) {
    List<Value> out = new ArrayList<>(main.inputs());
    for (Node n : main.nodes()) out.addAll(n.outputs());
    return out;
  }

  private static void checkInputsBound(Graph main, Map<String, Long> bindings) {
    TreeSet<String> unbound = new TreeSet<>();
    for (Value in : main.inputs()) {
      if (!(in.type() instanceof TensorType t)) continue;
      if (!t.shape().isRanked()) throw new WeftException("memory plan: graph input %" + in.name() + " has no rank");
      for (Dim d : t.shape().dims()) if (d instanceof Dim.Symbol s && !bindings.containsKey(s.name())) unbound.add(s.name());
    }
    if (!unbound.isEmpty()) {
      throw new WeftException("memory plan: the graph inputs' dims " + unbound + " need values (e.g. --bind "
          + String.join(",", unbound.stream().map(s -> s + "=1").toList()) + ")");
    }
    bindings.forEach((k, v) -> {
      if (v == null || v < 0) throw new WeftException("memory plan: binding " + k + "=" + v + " is not a size");
    });
  }

  /** The sizes of {@code s} with bound symbols substituted, or null when some dim stays unknown. */
  static long[] substitute(Shape s, Map<String, Long> bindings) {
    if (!s.isRanked()) return null;
    long[] out = new long[s.rank()];
    for (int i = 0; i < out.length; i++) {
      Dim d = s.dim(i);
      if (d instanceof Dim.Static st) out[i] = st.size();
      else if (bindings.get(((Dim.Symbol) d).name()) instanceof Long l) out[i] = l;
      else return null;
    }
    return out;
  }

  /** A specialized copy's values by name: inputs static, shape computations folded. */
  private static Map<String, Value> specialize(Graph main, Map<String, Long> bindings) {
    List<MemorySegment> blobs = new ArrayList<>();
    List<Long> offsets = new ArrayList<>();
    WeightsSink sink = new WeightsSink() {
      long size;

      @Override public String fileName() { return "weights.bin"; }

      @Override public long append(MemorySegment bytes) {
        long at = WeightsSink.alignUp(size);
        blobs.add(bytes);
        offsets.add(at);
        size = at + bytes.byteSize();
        return at;
      }
    };
    WeightsSource source = new WeightsSource() {
      @Override public long size(String name) {
        return blobs.isEmpty() ? 0 : offsets.getLast() + blobs.getLast().byteSize();
      }

      @Override public void read(String name, long offset, MemorySegment dst) {
        int i = java.util.Collections.binarySearch(offsets, offset);
        if (i < 0) throw new IllegalStateException("no blob at " + offset);
        MemorySegment.copy(blobs.get(i), 0, dst, 0, dst.byteSize());
      }
    };
    String text = new WirPrinter().weights(sink).print(new Module(main));
    Module copy = new WirParser().weights(source).parse(text, "<memory-plan copy>");
    Graph g = copy.main();
    for (Value in : g.inputs()) {
      if (in.type() instanceof TensorType t && t.shape().isRanked()) {
        long[] s = substitute(t.shape(), bindings);
        if (s != null) in.setType(t.withShape(Shape.of(s)));
      }
    }
    PassContext ctx = new PassContext().verify(false);
    new FoldShapes().run(copy, ctx);
    Map<String, Value> byName = new HashMap<>();
    for (Value v : values(g)) byName.put(v.name(), v);
    return byName;
  }

  /** Bytes of a value of {@code type} with {@code sizes}, or -1 when it has no fixed size (strings). */
  static long bytes(Type type, long[] sizes) {
    TensorType t = (TensorType) type;
    if (t.dtype().byteSize() == 0) return -1;
    long n = 1;
    for (long s : sizes) n = Math.multiplyExact(n, s);
    return Math.multiplyExact(n, t.dtype().byteSize());
  }
}
