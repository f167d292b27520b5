package dev.weft.compiler;

import dev.weft.bundle.WeftException;
import dev.weft.ir.Module;
import dev.weft.passes.ModuleText;
import dev.weft.passes.PassContext;
import dev.weft.passes.PassManager;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The compile driver: specialize input shapes, run the graph pipeline (the same one `weft
 * optimize` runs), lower to a rank program and kernels, plan the arena, compile the kernels
 * for the target. {@link BundleOutput} writes the result.
 */
public final class Compiler {
  private Compiler() {}

  /** Stage timings in milliseconds, in order, and the IR text after each graph stage. */
  public record Compilation(KernelBackend backend, ProgramLowering.Result lowered, ArenaPlanner.Plan plan, KernelBackend.Built built,
                            Map<String, String> irAfterStage, Map<String, Double> stageMillis, CompileOptions options,
                            Module module, ShapeBinding.RangeDim range) {
    /** The target name as given to --target. */
    public String target() { return backend.target(); }
  }

  /**
   * Compiles, reporting each stage to {@code progress} (null: nothing); a {@link CompileProgress}
   * also hears the kernel counter during code generation.
   */
  public static Compilation compile(Module module, CompileOptions options, Consumer<String> progress) {
    // Worker JVMs start and load LLVM while the graph passes and lowering run; unused, they are killed.
    try {
      Codegen.prestart();
      return compileWithCodegenStarted(module, options, progress);
    } finally {
      Codegen.releaseIfUnused();
    }
  }

  private static Compilation compileWithCodegenStarted(Module module, CompileOptions options, Consumer<String> progress) {
    CompileProgress p = progress instanceof CompileProgress cp ? cp : CompileProgress.stages(progress);
    Consumer<String> say = p::stage;
    Map<String, Double> times = new LinkedHashMap<>();
    Map<String, String> ir = new LinkedHashMap<>();
    long t0 = System.nanoTime();
    ir.put("00-import", ModuleText.of(module, "weights-not-included.bin").text());
    say.accept("binding shapes");
    ShapeBinding.RangeDim range = ShapeBinding.rangeDim(module.main(), options.shapes());
    // A range dim is found in the optimized graph by compiling a copy at MAX+1 beside it (SymbolicAxes).
    Module alt = range == null ? null : copyOf(module);
    // A range on a non-leading input axis is fitted (DimFit) from compiles at MAX+1..MAX+3.
    java.util.List<Module> more = new java.util.ArrayList<>();
    if (range != null && range.axis() != 0) for (int i = 2; i < dev.weft.codegen.kir.DimFit.POINTS; i++) more.add(copyOf(module));
    // A leading range is first tried slice by slice; kept unbound, this copy lets it be fitted instead.
    Module pristine = range != null && range.axis() == 0 ? copyOf(module) : null;
    ShapeBinding.bind(module.main(), options.shapes());
    times.put("shapes", ms(t0));
    long t1 = System.nanoTime();
    String pipeline = options.pipeline() != null ? options.pipeline() : PassManager.DEFAULT_PIPELINE;
    if (!options.precision().equals("fp32")) pipeline = pipeline + ",precision{mode=" + options.precision() + "}";
    say.accept("graph passes: " + pipeline);
    PassManager.parse(pipeline).run(module, new PassContext().verify(false));
    ProgramLowering.Lift lift = null;
    if (alt != null) {
      say.accept("tracing dim '" + range.symbol() + "' (" + range.min() + ".." + range.max() + ")");
      ShapeBinding.bind(alt.main(), options.shapes(), Map.of(range.symbol(), range.max() + 1));
      PassManager.parse(pipeline).run(alt, new PassContext().verify(false));
      if (more.isEmpty()) {
        try {
          lift = new ProgramLowering.Lift(range.symbol(), range.max(), SymbolicAxes.find(module.main(), alt.main(), range), range.staticExample());
        } catch (SymbolicDimException sliceBySlice) {
          say.accept("dim '" + range.symbol() + "' is not handled slice by slice; fitting kernels over it");
          lift = fitted(module, alt, copies(pristine), range, options, pipeline);
        }
      } else {
        lift = fitted(module, alt, more, range, options, pipeline);
      }
    }
    ir.put("01-optimized", ModuleText.of(module, "weights-not-included.bin").text());
    times.put("passes", ms(t1));
    KernelBackend backend = Backends.forTarget(options.target());
    long t2 = System.nanoTime();
    say.accept("lowering to kernels");
    boolean gemm = options.gemmFor().equals(CompileOptions.GEMM_CUBLASLT);
    ProgramLowering.Result lowered;
    try {
      lowered = ProgramLowering.lower(module.main(), LoweringOptions.of(backend).withLift(lift).withLibraryGemm(gemm));
    } catch (SymbolicDimException sliceBySlice) {
      // a leading range some kernel cannot run slice by slice (a reduction over it): kernels take it at run time instead
      if (lift == null || lift.fitted() || pristine == null) throw sliceBySlice;
      say.accept("dim '" + range.symbol() + "' is not handled slice by slice; fitting kernels over it");
      lift = fitted(module, alt, copies(pristine), range, options, pipeline);
      lowered = ProgramLowering.lower(module.main(), LoweringOptions.of(backend).withLift(lift).withLibraryGemm(gemm));
    }
    if (backend.gpu()) lowered = CooperativeLaunches.apply(lowered, backend);
    // A branch compiled as a fail step is legal but worth knowing about before the run that takes it.
    for (String w : lowered.uncompiled()) say.accept("warning: " + w);
    ArenaPlanner.Plan plan = ArenaPlanner.plan(lowered.buffers(), lowered.steps());
    times.put("lowering", ms(t2));
    long t3 = System.nanoTime();
    say.accept("compiling " + lowered.kernels().size() + " kernels for " + backend.target());
    KernelBackend.Built built;
    try {
      built = backend.build(lowered.kernels(), p);
    } catch (dev.weft.codegen.llvm.CodegenAbortException e) {
      throw KernelAbortException.of(e, lowered.steps());
    }
    times.put("codegen", ms(t3));
    dev.weft.compiler.cache.CacheStats cache = dev.weft.compiler.cache.KernelCache.lastBuild();
    say.accept("kernel cache: " + cache);
    return new Compilation(backend, lowered, plan, built, ir, times, options, module, range);
  }

  /**
   * The lift of a range dim that kernels take at run time ({@link ProgramLowering.Lift#fit}):
   * the graphs compiled at MAX+1.. MAX+3 beside the one at MAX, which must carry the dim on
   * the same axes of the same values.
   */
  private static ProgramLowering.Lift fitted(Module module, Module alt, java.util.List<Module> more, ShapeBinding.RangeDim range,
                                             CompileOptions options, String pipeline) {
    Map<dev.weft.ir.Value, int[]> axes = SymbolicAxes.axes(module.main(), alt.main(), range, range.max() + 1);
    java.util.List<dev.weft.ir.Graph> graphs = new java.util.ArrayList<>();
    graphs.add(alt.main());
    for (int i = 0; i < more.size(); i++) {
      Module m = more.get(i);
      long at = range.max() + 2 + i;
      ShapeBinding.bind(m.main(), options.shapes(), Map.of(range.symbol(), at));
      PassManager.parse(pipeline).run(m, new PassContext().verify(false));
      Map<dev.weft.ir.Value, int[]> again = SymbolicAxes.axes(module.main(), m.main(), range, at);
      boolean same = again.size() == axes.size();
      for (var e : axes.entrySet()) same &= java.util.Arrays.equals(e.getValue(), again.get(e.getKey()));
      if (!same) {
        throw new SymbolicDimException("dim '" + range.symbol() + "' cannot stay symbolic: the values carrying it differ between "
            + (range.max() + 1) + " and " + at + "; compile with a static size, e.g. --shapes '" + range.staticExample() + "'");
      }
      graphs.add(m.main());
    }
    return ProgramLowering.Lift.fit(range.symbol(), range.min(), range.max(), axes, graphs, range.staticExample(), range.input(), range.axis());
  }

  /** The copies a fit needs beside the graphs at MAX and MAX+1, of an unbound module. */
  private static java.util.List<Module> copies(Module pristine) {
    java.util.List<Module> out = new java.util.ArrayList<>();
    for (int i = 2; i < dev.weft.codegen.kir.DimFit.POINTS; i++) out.add(copyOf(pristine));
    return out;
  }

  /** A deep copy through the text form (weights copied in memory): passes rewrite the module in place. */
  private static Module copyOf(Module m) {
    dev.weft.ir.text.MemoryWeights w = new dev.weft.ir.text.MemoryWeights("copy.bin");
    String text = new dev.weft.ir.text.WirPrinter().weights(w).print(m);
    return new dev.weft.ir.text.WirParser().weights(w).parse(text, "copy.wir");
  }

  private static double ms(long since) { return (System.nanoTime() - since) / 1e6; }

  static WeftException unknownTarget(String t) {
    return new WeftException("unknown target '" + t + "': one of cpu, cuda:sm_80, cuda:sm_90, cuda:sm_90a, rocm:gfx90a, rocm:gfx942");
  }
}
