package dev.weft.compiler.debug;

import dev.weft.backend.cpu.NativeLibrary;
import dev.weft.bundle.Tensor;
import dev.weft.bundle.WeftException;
import dev.weft.bundle.program.Buffer;
import dev.weft.bundle.program.BufferKind;
import dev.weft.bundle.program.Step;
import dev.weft.compiler.Compiler;
import dev.weft.compiler.KernelBackend;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A compiled CPU program run step by step in this process: the compilation's kernels.so is
 * opened through FFM and every buffer (arena slices included) stays addressable, so a caller
 * can read any buffer between steps, before arena reuse overwrites it. Single-threaded: each
 * launch runs its whole extent in one call, which the kernel ABI allows.
 */
final class NativeProgram implements AutoCloseable {
  private final Arena arena = Arena.ofConfined();
  private final Path dir;
  private final NativeLibrary library;
  private final Map<String, Buffer> byName = new LinkedHashMap<>();
  private final Map<String, MemorySegment> roots = new HashMap<>();
  private final Map<String, NativeLibrary.Kernel> kernels = new HashMap<>();

  NativeProgram(Compiler.Compilation c, Map<String, Tensor> inputs) {
    KernelBackend.Image so = c.built().images().stream().filter(i -> i.format().equals("so")).findFirst()
        .orElseThrow(() -> new WeftException("debug-numerics needs a CPU compilation (kernels.so); target was " + c.target()));
    try {
      dir = Files.createTempDirectory("weft-numerics");
      Files.write(dir.resolve("kernels.so"), so.bytes());
    } catch (IOException e) {
      throw new WeftException("cannot write kernels.so to a temporary folder: " + e.getMessage(), e);
    }
    library = NativeLibrary.open(dir.resolve("kernels.so"));
    MemorySegment arenaSeg = arena.allocate(Math.max(1, c.plan().arenaBytes()), 64);
    for (Buffer b : c.plan().buffers()) {
      byName.put(b.name(), b);
      switch (b.kind()) {
        case INPUT -> {
          Tensor t = inputs.get(b.name());
          if (t == null) throw new WeftException("missing input '" + b.name() + "'");
          if (t.byteSize() != b.bytes()) {
            throw new WeftException("input '" + b.name() + "' has " + t.byteSize() + " bytes, the program expects " + b.bytes());
          }
          roots.put(b.name(), arena.allocate(Math.max(1, b.bytes()), 64).copyFrom(t.data()));
        }
        case WEIGHT -> roots.put(b.name(), arena.allocate(Math.max(1, b.bytes()), 64).copyFrom(c.lowered().weights().get(b.name()).data()));
        case OUTPUT -> roots.put(b.name(), arena.allocate(Math.max(1, b.bytes()), 64));
        case ARENA -> roots.put(b.name(), arenaSeg.asSlice(b.offset(), Math.max(1, b.bytes())));
        default -> { }
      }
    }
  }

  /** Runs one step; an if or loop step with everything nested in it. */
  void run(Step s) {
    if (!s.nested().isEmpty()) {
      dev.weft.compiler.HostSteps.run(java.util.List.of(s), this::segment, name -> byName.get(name).dtype(), this::run);
    } else if (s instanceof Step.Launch l) {
      if (!l.dims().isEmpty()) throw new WeftException("launch " + l.kernel() + " has symbolic dims; debug-numerics needs static shapes");
      MemorySegment args = arena.allocate(ValueLayout.ADDRESS, l.args().size());
      for (int i = 0; i < l.args().size(); i++) args.setAtIndex(ValueLayout.ADDRESS, i, segment(l.args().get(i)));
      NativeLibrary.Kernel k = kernels.computeIfAbsent(l.kernel(), library::kernel);
      k.call(args, MemorySegment.NULL, 0, l.extent().evaluate(Map.of()));
    } else if (s instanceof Step.Copy c) {
      long n = c.bytes().evaluate(Map.of());
      segment(c.dst()).asSlice(0, n).copyFrom(segment(c.src()).asSlice(0, n));
    } else if (s instanceof Step.Fail f) {
      throw new dev.weft.bundle.program.UncompiledBranchException(f.message());
    } else {
      throw new WeftException("step " + s.op() + " cannot run on the host");
    }
  }

  /** A live view of a buffer's current bytes (valid until the next step that reuses its arena range). */
  Tensor view(String name) {
    Buffer b = byName.get(name);
    if (b == null) throw new IllegalArgumentException("no buffer " + name);
    return Tensor.wrap(b.dtype(), b.shapeFor(Map.of()), segment(name).asSlice(0, b.bytes()));
  }

  private MemorySegment segment(String name) {
    Buffer b = byName.get(name);
    if (b.kind() == BufferKind.VIEW) return roots.get(b.of()).asSlice(b.offset(), Math.max(1, b.bytes()));
    return roots.get(name);
  }

  @Override
  public void close() {
    library.close();
    arena.close();
    try (var s = Files.walk(dir)) {
      s.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      // a leftover temp file is not worth failing a finished comparison for
    }
  }
}
