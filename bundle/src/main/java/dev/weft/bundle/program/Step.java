package dev.weft.bundle.program;

import dev.weft.bundle.DimExpr;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * One step of a rank's program, run in order. Launches and copies are what every device runs;
 * library calls (cuBLASLt, rocBLAS) and collectives (NCCL/RCCL/MPI) are carried in the format so
 * the compiler can emit them, and a runtime device that cannot run one refuses the program
 * before touching the device.
 */
public sealed interface Step permits Step.Launch, Step.Copy, Step.Library, Step.Collective, Step.If, Step.Loop, Step.Fail {

  /** The {@code op} field in {@code program.json}. */
  String op();

  /**
   * The buffers the step reads or writes; for {@link If} and {@link Loop} also every buffer their
   * nested steps touch, so a liveness analysis that treats the step as one unit keeps them all
   * alive across it.
   */
  List<String> buffers();

  /** The buffers the step names itself, without those of its nested steps. */
  default List<String> ownBuffers() { return buffers(); }

  /** The steps nested in this one (branches, loop body), in order; empty for plain steps. */
  default List<List<Step>> nested() { return List.of(); }

  /** Every step of {@code steps}, nested ones included, depth first in run order. */
  static List<Step> flatten(List<Step> steps) {
    List<Step> out = new java.util.ArrayList<>();
    for (Step s : steps) {
      out.add(s);
      for (List<Step> inner : s.nested()) out.addAll(flatten(inner));
    }
    return out;
  }

  /** {@code own} followed by the buffers of {@code nested}, each name once. */
  private static List<String> union(List<String> own, List<List<Step>> nested) {
    java.util.LinkedHashSet<String> all = new java.util.LinkedHashSet<>(own);
    for (List<Step> steps : nested) for (Step s : steps) all.addAll(s.buffers());
    return List.copyOf(all);
  }

  /**
   * Data-dependent branch: reads the one-element bool (or integer, nonzero is true) buffer
   * {@code cond} and runs {@code then} or {@code otherwise}. Both branches write the if's
   * results into buffers the enclosing program owns (docs/KERNELS.md).
   */
  record If(String cond, List<Step> then, List<Step> otherwise) implements Step {
    public If {
      Objects.requireNonNull(cond, "cond");
      then = List.copyOf(then);
      otherwise = List.copyOf(otherwise);
    }

    @Override public String op() { return "if"; }

    @Override public List<String> buffers() { return union(ownBuffers(), nested()); }

    @Override public List<String> ownBuffers() { return List.of(cond); }

    @Override public List<List<Step>> nested() { return List.of(then, otherwise); }
  }

  /**
   * ONNX Loop semantics on buffers: {@code for (it = 0; it < max_trips && cond; it++) body}.
   * Before each iteration the runtime writes {@code it} into {@code iter} (an int64 scalar, if
   * given) and reads {@code cond} (a bool scalar, if given); the body's last steps copy its
   * condition and carried values back into the buffers the next iteration reads. After each
   * iteration every scan's {@code src} is copied to byte {@code it * bytes} of its {@code dst}.
   *
   * @param maxTrips int64 scalar buffer with the trip limit, or null (no limit)
   * @param cond bool scalar buffer read before each iteration, or null (always true)
   * @param iter int64 scalar buffer the runtime writes the iteration number into, or null
   * @param body the loop body
   * @param scans per-iteration outputs stacked along axis 0
   */
  record Loop(String maxTrips, String cond, String iter, List<Step> body, List<Scan> scans) implements Step {
    public Loop {
      if (maxTrips == null && cond == null) throw new IllegalArgumentException("a loop needs max_trips or cond (it would never end)");
      body = List.copyOf(body);
      scans = List.copyOf(scans);
    }

    @Override public String op() { return "loop"; }

    @Override public List<String> buffers() { return union(ownBuffers(), nested()); }

    @Override public List<String> ownBuffers() {
      List<String> own = new java.util.ArrayList<>();
      for (String b : new String[] {maxTrips, cond, iter}) if (b != null) own.add(b);
      for (Scan s : scans) {
        own.add(s.src());
        own.add(s.dst());
      }
      return own;
    }

    @Override public List<List<Step>> nested() { return List.of(body); }
  }

  /**
   * A branch the compiler could not compile at the bound shapes (for instance an {@code if}
   * branch that does not type there): running it stops the run with an
   * {@link UncompiledBranchException} carrying {@code message}, which names the node and why.
   * It touches no buffers.
   */
  record Fail(String message) implements Step {
    public Fail {
      Objects.requireNonNull(message, "message");
      if (message.isBlank()) throw new IllegalArgumentException("fail step without a message");
    }

    @Override public String op() { return "fail"; }

    @Override public List<String> buffers() { return List.of(); }
  }

  /** One loop scan output: {@code bytes} bytes of {@code src} appended to {@code dst} per iteration. */
  record Scan(String src, String dst, long bytes) {
    public Scan {
      Objects.requireNonNull(src, "src");
      Objects.requireNonNull(dst, "dst");
      if (bytes < 0) throw new IllegalArgumentException("scan bytes is negative");
    }
  }

  /**
   * A kernel launch (docs/KERNELS.md).
   *
   * @param kernel exported symbol ({@code weft_<group>})
   * @param args buffer names, in the kernel's buffer-argument order
   * @param dims symbolic dim names passed to the kernel, in order
   * @param extent number of independent work items
   * @param geometry GPU launch geometry, or null for host launches
   * @param group the fused group it comes from ("" if none), for reports
   * @param nodes the graph nodes it computes, for reports
   */
  record Launch(String kernel, List<String> args, List<String> dims, DimExpr extent, Geometry geometry,
      String group, List<String> nodes) implements Step {
    public Launch {
      Objects.requireNonNull(kernel, "kernel");
      Objects.requireNonNull(extent, "extent");
      args = List.copyOf(args);
      dims = List.copyOf(dims);
      group = group == null ? "" : group;
      nodes = List.copyOf(nodes);
    }

    /** A host launch without report fields. */
    public static Launch host(String kernel, List<String> args, List<String> dims, DimExpr extent) {
      return new Launch(kernel, args, dims, extent, null, "", List.of());
    }

    @Override public String op() { return "launch"; }

    @Override public List<String> buffers() { return args; }
  }

  /** {@code bytes} bytes from {@code src} to {@code dst} (both from offset 0). */
  record Copy(String src, String dst, DimExpr bytes) implements Step {
    public Copy {
      Objects.requireNonNull(src, "src");
      Objects.requireNonNull(dst, "dst");
      Objects.requireNonNull(bytes, "bytes");
    }

    @Override public String op() { return "copy"; }

    @Override public List<String> buffers() { return List.of(src, dst); }
  }

  /**
   * A call into a vendor library.
   *
   * @param library e.g. {@code cublaslt}
   * @param call the routine, e.g. {@code matmul}
   * @param args buffer names
   * @param dims symbolic dims passed along
   * @param attrs routine parameters (transposes, layouts, epilogue), keys sorted
   */
  record Library(String library, String call, List<String> args, List<String> dims, Map<String, Object> attrs)
      implements Step {
    public Library {
      Objects.requireNonNull(library, "library");
      Objects.requireNonNull(call, "call");
      args = List.copyOf(args);
      dims = List.copyOf(dims);
      attrs = java.util.Collections.unmodifiableSortedMap(new TreeMap<>(attrs));
    }

    @Override public String op() { return "library"; }

    @Override public List<String> buffers() { return args; }
  }

  /**
   * A collective or point-to-point transfer with peer ranks.
   *
   * @param collective e.g. {@code all_reduce}, {@code all_gather}, {@code send}, {@code recv}
   * @param args buffer names
   * @param ranks the participating ranks (or the peer for send/recv)
   * @param attrs parameters such as the reduction, keys sorted
   */
  record Collective(String collective, List<String> args, List<Long> ranks, Map<String, Object> attrs)
      implements Step {
    public Collective {
      Objects.requireNonNull(collective, "collective");
      args = List.copyOf(args);
      ranks = List.copyOf(ranks);
      attrs = java.util.Collections.unmodifiableSortedMap(new TreeMap<>(attrs));
    }

    @Override public String op() { return "collective"; }

    @Override public List<String> buffers() { return args; }
  }
}
