package dev.weft.runtime;

import dev.weft.bundle.BundleException;
import dev.weft.bundle.DimExpr;
import dev.weft.bundle.program.Buffer;
import dev.weft.bundle.program.BufferKind;
import dev.weft.bundle.program.DimSource;
import dev.weft.bundle.program.Geometry;
import dev.weft.bundle.program.LibraryMatmul;
import dev.weft.bundle.program.Program;
import dev.weft.bundle.program.Step;
import dev.weft.runtime.spi.KernelModule;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A program resolved once per session: buffers by index, kernels by handle, and each step's
 * operands as indices, so a run does no name lookups.
 */
final class PreparedProgram {
  /** A step with its operands resolved. */
  sealed interface Op permits Launch, Copy, Matmul, If, Loop, Fail {}

  record Launch(KernelModule.Kernel kernel, int[] args, int[] dims, DimExpr extent, Geometry geometry) implements Op {}

  record Copy(int src, int dst, DimExpr bytes) implements Op {}

  /** A library matmul on buffers {@code [A, B, D]} (FitCheck has validated it). */
  record Matmul(LibraryMatmul call, int a, int b, int d) implements Op {}

  /** {@link Step.If}: {@code cond} is a buffer index, its dtype says how to read it. */
  record If(int cond, dev.weft.bundle.DType condType, List<Op> then, List<Op> otherwise) implements Op {}

  /** {@link Step.Loop}; absent buffers are -1. */
  record Loop(int maxTrips, int cond, int iter, List<Op> body, int[] scanSrc, int[] scanDst, long[] scanBytes) implements Op {}

  /** {@link Step.Fail}: a branch compiled as an error. */
  record Fail(String message) implements Op {}

  final Program program;
  final List<Buffer> buffers;
  final Map<String, Integer> index = new HashMap<>();
  /** The program's dims, in program order; a run's dim values array follows this order. */
  final List<String> dimNames;
  final List<Op> ops;

  PreparedProgram(Program program, KernelModule kernels) {
    this.program = program;
    this.buffers = program.buffers();
    for (int i = 0; i < buffers.size(); i++) index.put(buffers.get(i).name(), i);
    this.dimNames = program.dims().stream().map(DimSource::name).toList();
    this.ops = prepare(program.steps(), kernels);
    this.hasControlFlow = program.steps().stream().anyMatch(s -> !s.nested().isEmpty());
  }

  /** Whether any step branches or loops on data: such a program cannot be recorded once and replayed. */
  final boolean hasControlFlow;

  private List<Op> prepare(List<Step> steps, KernelModule kernels) {
    List<Op> ops = new ArrayList<>();
    for (Step s : steps) {
      switch (s) {
        case Step.Launch l -> ops.add(new Launch(kernels.kernel(l.kernel()), indices(l.args()), dimIndices(l.dims()),
            l.extent(), l.geometry()));
        case Step.Copy c -> ops.add(new Copy(index.get(c.src()), index.get(c.dst()), c.bytes()));
        case Step.Library l -> ops.add(new Matmul(LibraryMatmul.of(l), index.get(l.args().get(0)), index.get(l.args().get(1)),
            index.get(l.args().get(2))));

        case Step.If f -> ops.add(new If(index.get(f.cond()), buffers.get(index.get(f.cond())).dtype(),
            prepare(f.then(), kernels), prepare(f.otherwise(), kernels)));
        case Step.Fail f -> ops.add(new Fail(f.message()));
        case Step.Loop l -> {
          int n = l.scans().size();
          int[] src = new int[n];
          int[] dst = new int[n];
          long[] bytes = new long[n];
          for (int i = 0; i < n; i++) {
            src[i] = index.get(l.scans().get(i).src());
            dst[i] = index.get(l.scans().get(i).dst());
            bytes[i] = l.scans().get(i).bytes();
          }
          ops.add(new Loop(indexOrNone(l.maxTrips()), indexOrNone(l.cond()), indexOrNone(l.iter()), prepare(l.body(), kernels),
              src, dst, bytes));
        }
        // FitCheck refuses programs with these before a session is made.
        case Step.Collective c -> throw new IllegalStateException("collective steps are not supported");
      }
    }
    return List.copyOf(ops);
  }

  private int indexOrNone(String name) { return name == null ? -1 : index.get(name); }

  static List<String> kernelNames(Program p) {
    List<String> out = new ArrayList<>();
    for (Step s : Step.flatten(p.steps())) if (s instanceof Step.Launch l && !out.contains(l.kernel())) out.add(l.kernel());
    return out;
  }

  private int[] indices(List<String> names) {
    int[] out = new int[names.size()];
    for (int i = 0; i < out.length; i++) out[i] = index.get(names.get(i));
    return out;
  }

  private int[] dimIndices(List<String> names) {
    int[] out = new int[names.size()];
    for (int i = 0; i < out.length; i++) out[i] = dimNames.indexOf(names.get(i));
    return out;
  }

  /**
   * The program's dim values for a run, in {@link #dimNames} order. Each comes from its input's
   * axis; a name the manifest also binds must agree (a bundle inconsistency otherwise).
   */
  long[] dimValues(Map<String, long[]> inputShapes, Map<String, Long> manifestBinding) {
    List<DimSource> dims = program.dims();
    long[] out = new long[dims.size()];
    for (int i = 0; i < out.length; i++) {
      DimSource d = dims.get(i);
      long[] shape = inputShapes.get(d.from());
      long v = shape[d.axis()];
      Long m = manifestBinding.get(d.name());
      if (m != null && m != v) {
        throw new BundleException("program dim " + d.name() + " = " + v + " from \"" + d.from() + "\" axis " + d.axis()
            + " disagrees with the manifest's " + d.name() + " = " + m);
      }
      out[i] = v;
    }
    return out;
  }

  Map<String, Long> binding(long[] values) {
    Map<String, Long> m = new HashMap<>();
    for (int i = 0; i < values.length; i++) m.put(dimNames.get(i), values[i]);
    return m;
  }

  /** Checks that every sized buffer fits its reservation under this binding. */
  void checkSizes(Map<String, Long> binding, String rankFile) {
    for (Buffer b : buffers) {
      if (b.kind() == BufferKind.WEIGHT || b.isStatic()) continue;
      long need = b.bytesFor(binding);
      if (need > b.bytes()) {
        throw new BundleException(rankFile + ": buffer \"" + b.name() + "\" needs " + need + " bytes at " + binding
            + " but the program reserves " + b.bytes());
      }
    }
  }
}
