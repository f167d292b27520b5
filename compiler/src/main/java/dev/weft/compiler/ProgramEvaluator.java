package dev.weft.compiler;

import dev.weft.bundle.Tensor;
import dev.weft.bundle.program.Buffer;
import dev.weft.bundle.program.BufferKind;
import dev.weft.bundle.program.LibraryMatmul;
import dev.weft.bundle.program.Step;
import dev.weft.codegen.kir.Evaluator;
import dev.weft.codegen.kir.Kernel;
import dev.weft.bundle.WeftException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Runs a lowered program with the kernel-IR {@link Evaluator} instead of compiled code: the
 * reference for the program structure itself (buffers, views, arena reuse, copies), used by
 * tests and by debug tooling. Slow: for small models only. cuBLASLt matmul steps run as the
 * host GEMM {@link LibraryMatmul#hostRun} (the call's column-major semantics), so a program
 * lowered for cuda can be checked on a machine without a GPU.
 */
public final class ProgramEvaluator {
  private ProgramEvaluator() {}

  public static Map<String, Tensor> run(ProgramLowering.Result lowered, ArenaPlanner.Plan plan, Map<String, Tensor> inputs) {
    Map<String, Buffer> byName = new LinkedHashMap<>();
    for (Buffer b : plan.buffers()) byName.put(b.name(), b);
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment arenaSeg = arena.allocate(Math.max(1, plan.arenaBytes()), 64);
      Map<String, MemorySegment> roots = new HashMap<>();
      for (Buffer b : plan.buffers()) {
        switch (b.kind()) {
          case INPUT -> {
            Tensor t = inputs.get(b.name());
            if (t == null) throw new WeftException("missing input '" + b.name() + "'");
            roots.put(b.name(), arena.allocate(Math.max(1, b.bytes()), 64).copyFrom(t.data()));
          }
          case WEIGHT -> roots.put(b.name(), arena.allocate(Math.max(1, b.bytes()), 64).copyFrom(lowered.weights().get(b.name()).data()));
          case OUTPUT -> roots.put(b.name(), arena.allocate(Math.max(1, b.bytes()), 64));
          case ARENA -> roots.put(b.name(), arenaSeg.asSlice(b.offset(), Math.max(1, b.bytes())));
          default -> { }
        }
      }
      Map<String, Kernel> kernels = new HashMap<>();
      for (Kernel k : lowered.kernels()) kernels.put(k.name(), k);
      HostSteps.run(lowered.steps(), name -> segment(byName.get(name), roots), name -> byName.get(name).dtype(), s -> {
        if (s instanceof Step.Launch l) {
          Kernel k = kernels.get(l.kernel());
          Map<dev.weft.codegen.kir.Buffer, Tensor> memory = new HashMap<>();
          for (int i = 0; i < k.params().size(); i++) {
            dev.weft.codegen.kir.Buffer p = k.params().get(i);
            memory.put(p, Tensor.wrap(p.dtype(), p.shape(), segment(byName.get(l.args().get(i)), roots)));
          }
          long[] dims = l.dims().stream().mapToLong(d -> lowered.maxBinding().get(d)).toArray();
          Evaluator.run(k, memory, dims);
        } else if (s instanceof Step.Copy c) {
          long n = c.bytes().evaluate(lowered.maxBinding());
          segment(byName.get(c.dst()), roots).asSlice(0, n).copyFrom(segment(byName.get(c.src()), roots).asSlice(0, n));
        } else if (s instanceof Step.Library lib && LibraryMatmul.isMatmul(lib)) {
          // cuBLASLt's semantics on the host, so cuda programs stay testable without a GPU.
          LibraryMatmul mm = LibraryMatmul.of(lib);
          mm.hostRun(segment(byName.get(lib.args().get(0)), roots), segment(byName.get(lib.args().get(1)), roots),
              segment(byName.get(lib.args().get(2)), roots));
        } else {
          throw new WeftException("step " + s.op() + " is not supported by the evaluator");
        }
      });
      Map<String, Tensor> out = new LinkedHashMap<>();
      for (Buffer b : plan.buffers()) {
        if (b.kind() != BufferKind.OUTPUT) continue;
        long[] shape = b.shapeFor(lowered.maxBinding());
        Tensor t = Tensor.zeros(b.dtype(), shape);
        if (b.bytes() > 0) t.data().copyFrom(roots.get(b.name()).asSlice(0, b.bytes()));
        out.put(b.name(), t);
      }
      return out;
    }
  }

  private static MemorySegment segment(Buffer b, Map<String, MemorySegment> roots) {
    if (b.kind() == BufferKind.VIEW) return roots.get(b.of()).asSlice(b.offset(), b.bytes());
    return roots.get(b.name());
  }
}
