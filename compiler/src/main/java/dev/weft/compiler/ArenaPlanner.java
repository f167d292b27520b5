package dev.weft.compiler;

import dev.weft.bundle.program.Buffer;
import dev.weft.bundle.program.BufferKind;
import dev.weft.bundle.program.Step;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Places arena buffers: liveness over the step list (a view keeps its source alive), then
 * greedy by size, each buffer at the lowest 64-byte-aligned offset that overlaps no placed
 * buffer whose lifetime intersects its own. Reports the arena size and the no-reuse total.
 */
public final class ArenaPlanner {
  static final long ALIGN = 64;

  public record Plan(List<Buffer> buffers, long arenaBytes, long naiveBytes) { }

  private ArenaPlanner() {}

  public static Plan plan(List<Buffer> buffers, List<Step> steps) {
    Map<String, Buffer> byName = new HashMap<>();
    for (Buffer b : buffers) byName.put(b.name(), b);
    Map<String, int[]> life = new HashMap<>();
    for (int i = 0; i < steps.size(); i++) {
      for (String name : steps.get(i).buffers()) {
        Buffer b = byName.get(name);
        String root = b != null && b.kind() == BufferKind.VIEW ? b.of() : name;
        int at = i;
        life.merge(root, new int[] {at, at}, (x, y) -> new int[] {Math.min(x[0], y[0]), Math.max(x[1], y[1])});
      }
    }
    List<Buffer> arena = new ArrayList<>();
    for (Buffer b : buffers) if (b.kind() == BufferKind.ARENA) arena.add(b);
    arena.sort(Comparator.comparingLong(Buffer::bytes).reversed().thenComparing(Buffer::name));
    record Placed(long offset, long size, int start, int end) { }
    List<Placed> placed = new ArrayList<>();
    Map<String, Long> offsets = new HashMap<>();
    long naive = 0;
    long top = 0;
    for (Buffer b : arena) {
      long size = align(Math.max(b.bytes(), 1));
      naive += size;
      int[] l = life.getOrDefault(b.name(), new int[] {0, 0});
      List<Placed> conflicts = new ArrayList<>();
      for (Placed p : placed) if (p.start <= l[1] && l[0] <= p.end) conflicts.add(p);
      conflicts.sort(Comparator.comparingLong(Placed::offset));
      long offset = 0;
      for (Placed p : conflicts) {
        if (offset + size <= p.offset) break;
        offset = Math.max(offset, align(p.offset + p.size));
      }
      placed.add(new Placed(offset, size, l[0], l[1]));
      offsets.put(b.name(), offset);
      top = Math.max(top, offset + size);
    }
    List<Buffer> out = new ArrayList<>();
    for (Buffer b : buffers) {
      Long off = offsets.get(b.name());
      out.add(off == null ? b : new Buffer(b.name(), b.dtype(), b.shape(), b.bytes(), b.kind(), off, b.of()));
    }
    return new Plan(out, top, naive);
  }

  static long align(long n) { return (n + ALIGN - 1) / ALIGN * ALIGN; }
}
