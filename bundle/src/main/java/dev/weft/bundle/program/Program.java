package dev.weft.bundle.program;

import dev.weft.bundle.DimExpr;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One rank's program ({@code ranks/<N>/program.json}, docs/KERNELS.md): its buffers, the
 * symbolic dims and where they are read from, and the steps in run order. Construction checks
 * that the program is self-consistent ({@link #validate}), so neither the compiler can write nor
 * the runtime run one that refers to a buffer or dim that is not there, or places a buffer
 * outside the arena.
 *
 * @param arenaBytes size of the rank's one arena, for the largest shape profile
 * @param buffers every buffer, names unique
 * @param dims the symbolic dims, names unique
 * @param steps run in order
 */
public record Program(long arenaBytes, List<Buffer> buffers, List<DimSource> dims, List<Step> steps) {
  public Program {
    buffers = List.copyOf(buffers);
    dims = List.copyOf(dims);
    steps = List.copyOf(steps);
    String problem = validate(arenaBytes, buffers, dims, steps);
    if (problem != null) throw new IllegalArgumentException(problem);
  }

  public static Builder builder() { return new Builder(); }

  /** The buffer called {@code name}, or null. */
  public Buffer buffer(String name) {
    for (Buffer b : buffers) if (b.name().equals(name)) return b;
    return null;
  }

  public List<Buffer> buffersOf(BufferKind kind) {
    return buffers.stream().filter(b -> b.kind() == kind).toList();
  }

  /** Buffers by name, in program order. */
  public Map<String, Buffer> bufferMap() {
    Map<String, Buffer> m = new LinkedHashMap<>();
    for (Buffer b : buffers) m.put(b.name(), b);
    return m;
  }

  /**
   * What is inconsistent in a program, or null. Messages name the buffer, dim or step
   * ({@code steps[3] (launch weft_g2): unknown buffer "t9"}).
   */
  static String validate(long arenaBytes, List<Buffer> buffers, List<DimSource> dims, List<Step> steps) {
    if (arenaBytes < 0) return "arena_bytes is negative";
    Map<String, Buffer> byName = new HashMap<>();
    for (int i = 0; i < buffers.size(); i++) {
      Buffer b = buffers.get(i);
      String where = "buffers[" + i + "] (\"" + b.name() + "\")";
      if (b.name().isEmpty()) return "buffers[" + i + "]: empty name";
      if (byName.put(b.name(), b) != null) return where + ": duplicate buffer name";
      if (b.dtype().byteSize() == 0) return where + ": dtype " + b.dtype() + " cannot live in a buffer";
      if (b.isStatic()) {
        long need;
        try {
          need = b.bytesFor(Map.of());
        } catch (ArithmeticException e) {
          return where + ": byte size overflows 64 bits";
        }
        if (b.bytes() < need) return where + ": bytes " + b.bytes() + " is less than the " + need + " its shape needs";
      }
      if (b.kind() == BufferKind.WEIGHT && !b.isStatic()) return where + ": a weight must have a static shape";
      if (b.kind() == BufferKind.ARENA) {
        long end = b.offset() + b.bytes();
        if (end < 0 || end > arenaBytes) {
          return where + ": bytes [" + b.offset() + ", " + (b.offset() + b.bytes()) + ") lie outside the arena of "
              + arenaBytes + " bytes";
        }
      }
      if (b.kind() != BufferKind.ARENA && b.kind() != BufferKind.VIEW && b.offset() != 0) {
        return where + ": offset is only for arena buffers and views";
      }
    }
    for (int i = 0; i < buffers.size(); i++) {
      Buffer b = buffers.get(i);
      if (b.kind() != BufferKind.VIEW) continue;
      String where = "buffers[" + i + "] (\"" + b.name() + "\")";
      Buffer src = byName.get(b.of());
      if (src == null) return where + ": view of unknown buffer \"" + b.of() + "\"";
      long end = b.offset() + b.bytes();
      if (end < 0 || end > src.bytes()) {
        return where + ": view bytes [" + b.offset() + ", " + end + ") lie outside \"" + src.name() + "\" ("
            + src.bytes() + " bytes)";
      }
      Set<String> seen = new HashSet<>();
      for (Buffer v = b; v.kind() == BufferKind.VIEW; v = byName.get(v.of())) {
        if (!seen.add(v.name())) return where + ": views form a cycle";
      }
    }
    Set<String> dimNames = new HashSet<>();
    for (int i = 0; i < dims.size(); i++) {
      DimSource d = dims.get(i);
      String where = "dims[" + i + "] (\"" + d.name() + "\")";
      if (!DimExpr.isSymbol(d.name())) return where + ": not a valid dim name";
      if (!dimNames.add(d.name())) return where + ": duplicate dim name";
      Buffer in = byName.get(d.from());
      if (in == null || in.kind() != BufferKind.INPUT) return where + ": \"" + d.from() + "\" is not an input buffer";
      if (d.axis() >= in.shape().size()) {
        return where + ": axis " + d.axis() + " is out of range for \"" + d.from() + "\" of rank " + in.shape().size();
      }
      if (!in.shape().get(d.axis()).equals(DimExpr.symbol(d.name()))) {
        return where + ": \"" + d.from() + "\" axis " + d.axis() + " is " + in.shape().get(d.axis()) + ", not " + d.name();
      }
    }
    for (int i = 0; i < buffers.size(); i++) {
      for (DimExpr e : buffers.get(i).shape()) {
        String bad = unknownSymbol(e, dimNames);
        if (bad != null) return "buffers[" + i + "] (\"" + buffers.get(i).name() + "\"): unknown dim \"" + bad + "\"";
      }
    }
    return validateSteps("steps", steps, byName, dimNames);
  }

  /** {@link #validate} for one step list; {@code path} names it ({@code steps}, {@code steps[2].then}). */
  private static String validateSteps(String path, List<Step> steps, Map<String, Buffer> byName, Set<String> dimNames) {
    for (int i = 0; i < steps.size(); i++) {
      Step s = steps.get(i);
      String where = path + "[" + i + "] (" + s.op() + (s instanceof Step.Launch l ? " " + l.kernel() : "") + ")";
      for (String a : s.ownBuffers()) if (!byName.containsKey(a)) return where + ": unknown buffer \"" + a + "\"";
      List<String> stepDims = switch (s) {
        case Step.Launch l -> l.dims();
        case Step.Library l -> l.dims();
        default -> List.of();
      };
      for (String d : stepDims) if (!dimNames.contains(d)) return where + ": unknown dim \"" + d + "\"";
      DimExpr size = switch (s) {
        case Step.Launch l -> l.extent();
        case Step.Copy c -> c.bytes();
        default -> null;
      };
      String bad = size == null ? null : unknownSymbol(size, dimNames);
      if (bad != null) return where + ": unknown dim \"" + bad + "\"";
      if (s instanceof Step.Copy c && c.bytes().isStatic()) {
        long n = c.bytes().factor();
        if (n > byName.get(c.src()).bytes() || n > byName.get(c.dst()).bytes()) {
          return where + ": copies " + n + " bytes, more than \"" + c.src() + "\" or \"" + c.dst() + "\" holds";
        }
      }
      if (s instanceof Step.Copy c && byName.get(c.dst()).kind() == BufferKind.WEIGHT) {
        return where + ": writes weight \"" + c.dst() + "\"";
      }
      String control = switch (s) {
        case Step.If f -> {
          String bad2 = scalar(where, "cond", byName.get(f.cond()), null);
          if (bad2 == null) bad2 = validateSteps(path + "[" + i + "].then", f.then(), byName, dimNames);
          if (bad2 == null) bad2 = validateSteps(path + "[" + i + "].else", f.otherwise(), byName, dimNames);
          yield bad2;
        }
        case Step.Loop l -> {
          String bad2 = l.maxTrips() == null ? null : scalar(where, "max_trips", byName.get(l.maxTrips()), dev.weft.bundle.DType.I64);
          if (bad2 == null && l.cond() != null) bad2 = scalar(where, "cond", byName.get(l.cond()), dev.weft.bundle.DType.BOOL);
          if (bad2 == null && l.iter() != null) bad2 = scalar(where, "iter", byName.get(l.iter()), dev.weft.bundle.DType.I64);
          if (bad2 == null && l.iter() != null && byName.get(l.iter()).kind() == BufferKind.WEIGHT) {
            bad2 = where + ": iter \"" + l.iter() + "\" is a weight, which the loop would write";
          }
          for (int k = 0; bad2 == null && k < l.scans().size(); k++) {
            Step.Scan sc = l.scans().get(k);
            if (sc.bytes() > byName.get(sc.src()).bytes()) {
              bad2 = where + ": scans[" + k + "] copies " + sc.bytes() + " bytes, more than \"" + sc.src() + "\" holds";
            } else if (byName.get(sc.dst()).kind() == BufferKind.WEIGHT) {
              bad2 = where + ": scans[" + k + "] writes weight \"" + sc.dst() + "\"";
            }
          }
          if (bad2 == null) bad2 = validateSteps(path + "[" + i + "].body", l.body(), byName, dimNames);
          yield bad2;
        }
        default -> null;
      };
      if (control != null) return control;
    }
    return null;
  }

  /** Why {@code b} cannot be a control step's one-element {@code field} (of dtype {@code want}, or any bool/integer), or null. */
  private static String scalar(String where, String field, Buffer b, dev.weft.bundle.DType want) {
    boolean ok = want != null ? b.dtype() == want : b.dtype() == dev.weft.bundle.DType.BOOL || b.dtype().isInteger();
    if (!ok) return where + ": " + field + " \"" + b.name() + "\" is " + b.dtype() + ", expected " + (want != null ? want : "bool or an integer");
    if (!b.isStatic() || b.bytesFor(Map.of()) != b.dtype().byteSize()) {
      return where + ": " + field + " \"" + b.name() + "\" must hold exactly one element, its shape is " + b.shape();
    }
    return null;
  }

  private static String unknownSymbol(DimExpr e, Set<String> known) {
    for (String s : e.symbols()) if (!known.contains(s)) return s;
    return null;
  }

  /** Collects buffers, dims and steps in order; {@link #build} validates. */
  public static final class Builder {
    private long arenaBytes;
    private final List<Buffer> buffers = new ArrayList<>();
    private final List<DimSource> dims = new ArrayList<>();
    private final List<Step> steps = new ArrayList<>();

    public Builder arenaBytes(long n) {
      this.arenaBytes = n;
      return this;
    }

    public Builder buffer(Buffer b) {
      buffers.add(b);
      return this;
    }

    public Builder dim(String name, String fromInput, int axis) {
      dims.add(new DimSource(name, fromInput, axis));
      return this;
    }

    public Builder step(Step s) {
      steps.add(s);
      return this;
    }

    public Builder launch(String kernel, List<String> args, List<String> dims, DimExpr extent, Geometry geometry,
        String group, List<String> nodes) {
      return step(new Step.Launch(kernel, args, dims, extent, geometry, group, nodes));
    }

    public Builder copy(String src, String dst, DimExpr bytes) { return step(new Step.Copy(src, dst, bytes)); }

    /** @throws IllegalArgumentException naming the inconsistent buffer, dim or step */
    public Program build() { return new Program(arenaBytes, buffers, dims, steps); }
  }
}
