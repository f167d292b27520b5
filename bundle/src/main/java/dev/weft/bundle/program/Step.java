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
public sealed interface Step permits Step.Launch, Step.Copy, Step.Library, Step.Collective {

  /** The {@code op} field in {@code program.json}. */
  String op();

  /** The buffers the step reads or writes. */
  List<String> buffers();

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
