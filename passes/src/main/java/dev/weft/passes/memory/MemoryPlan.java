package dev.weft.passes.memory;

import dev.weft.bundle.Json;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * Where every tensor of one graph lives in its device's arena, for one shape binding.
 *
 * <p>Steps are the schedule positions of the main graph's nodes ({@code 0..steps-1}). A
 * buffer is live from {@code firstUse} (its producer's step; 0 for a graph input) through
 * {@code lastUse} (its last reader's step; {@code steps} for a graph output, which the runtime
 * copies out after the last step; {@code firstUse} when nothing reads it). Two buffers whose
 * live ranges intersect never overlap in memory, unless one shares the other's memory by
 * {@code sharesWith}: a view (reshape-like op: same bytes, no copy) or an in-place update (an
 * elementwise op writing over an operand that dies at it). Constants are not in the arena: they
 * live in the read-only weights region ({@code weightsBytes}).
 *
 * @param buffers every planned value in schedule order (graph inputs first)
 * @param steps number of steps (main-graph nodes)
 * @param peakBytes the arena size: the end of the highest buffer
 * @param naiveBytes the arena size with one buffer per value and no reuse (each aligned)
 * @param lowerBound the largest sum of live (aligned) buffer groups at any step: no packing of
 *     these lifetimes can do better
 * @param weightsBytes bytes of constants (the weights region), not counted in the arena
 * @param alignment every offset is a multiple of this
 * @param bindings the symbolic dims the plan was made for
 * @param unplanned values with no size fixed at planning time (sequences, optionals, strings,
 *     data-dependent shapes): the runtime allocates them when they are produced; name to reason
 */
public record MemoryPlan(List<Buffer> buffers, int steps, long peakBytes, long naiveBytes, long lowerBound,
    long weightsBytes, int alignment, Map<String, Long> bindings, Map<String, String> unplanned) {

  public MemoryPlan {
    buffers = List.copyOf(buffers);
    bindings = java.util.Collections.unmodifiableMap(new TreeMap<>(bindings));
    unplanned = java.util.Collections.unmodifiableMap(new TreeMap<>(unplanned));
  }

  /** Why a buffer's memory is what it is. */
  public enum Kind { INPUT, OUTPUT, INTERMEDIATE }

  /**
   * One value's place in the arena.
   *
   * @param value the value's name in the main graph
   * @param offset byte offset in the arena (a multiple of the plan's alignment)
   * @param size bytes the value occupies (unaligned)
   * @param firstUse step that writes it (0 for graph inputs)
   * @param lastUse last step that reads it
   * @param kind input, output (of the graph) or intermediate
   * @param sharesWith the operand whose memory this value reuses (view or in-place), or null
   * @param how "view" or "in-place" when {@code sharesWith} is set, else null
   */
  public record Buffer(String value, long offset, long size, int firstUse, int lastUse, Kind kind,
      String sharesWith, String how) {
    public Buffer {
      Objects.requireNonNull(value);
      Objects.requireNonNull(kind);
    }

    /** Whether the live ranges of the two buffers intersect (both ends inclusive). */
    public boolean liveTogether(Buffer o) { return firstUse <= o.lastUse && o.firstUse <= lastUse; }

    /** Whether the byte ranges of the two buffers intersect. */
    public boolean overlapsInMemory(Buffer o) { return offset < o.offset + o.size && o.offset < offset + size; }
  }

  /** The buffer of {@code value}, or null. */
  public Buffer buffer(String value) {
    for (Buffer b : buffers) if (b.value().equals(value)) return b;
    return null;
  }

  /** Peak as a fraction of naive (1.0 for an empty plan). */
  public double ratio() { return naiveBytes == 0 ? 1.0 : (double) peakBytes / naiveBytes; }

  /** Values whose buffer reuses an operand's memory in place. */
  public long inPlaceCount() { return buffers.stream().filter(b -> "in-place".equals(b.how())).count(); }

  /** Values that are views of another value's memory. */
  public long viewCount() { return buffers.stream().filter(b -> "view".equals(b.how())).count(); }

  /** One line: peak vs naive. */
  public String summary() {
    return String.format("arena peak %,d bytes vs naive %,d bytes (%.1f%%; lower bound %,d), %d buffers, %d views, %d in place, weights %,d bytes%s",
        peakBytes, naiveBytes, 100 * ratio(), lowerBound, buffers.size(), viewCount(), inPlaceCount(), weightsBytes,
        unplanned.isEmpty() ? "" : ", " + unplanned.size() + " sized at run time");
  }

  /** The plan as JSON (deterministic: schedule order). */
  public String toJson() {
    Json.Obj root = new Json.Obj();
    Json.Obj b = new Json.Obj();
    bindings.forEach(b::put);
    root.put("alignment", alignment).put("bindings", b).put("steps", steps).put("peak_bytes", peakBytes)
        .put("naive_bytes", naiveBytes).put("lower_bound_bytes", lowerBound).put("weights_bytes", weightsBytes);
    Json.Arr arr = new Json.Arr();
    for (Buffer x : buffers) {
      Json.Obj o = new Json.Obj().put("value", x.value()).put("offset", x.offset()).put("size", x.size())
          .put("first_use", x.firstUse()).put("last_use", x.lastUse()).put("kind", x.kind().name().toLowerCase(java.util.Locale.ROOT));
      if (x.sharesWith() != null) o.put("shares_with", x.sharesWith()).put("how", x.how());
      arr.add(o);
    }
    root.put("buffers", arr);
    Json.Obj u = new Json.Obj();
    unplanned.forEach(u::put);
    root.put("unplanned", u);
    return root.toString();
  }
}
