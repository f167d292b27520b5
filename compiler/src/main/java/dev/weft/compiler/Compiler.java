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
                            Module module, ShapeBinding.RangeDim range, java.util.List<ShapeBinding.RangeDim> ranges) {
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
    java.util.List<ShapeBinding.RangeDim> ranges = ShapeBinding.rangeDims(module.main(), options.shapes(), 2);
    if (ranges.size() == 2) return compileTwoDims(module, options, p, ranges, times, ir, t0);
    ShapeBinding.RangeDim range = ranges.isEmpty() ? null : ranges.get(0);
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
    String pipeline = optimize(module, options, say);
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
    return finish(module, options, p, lowered, backend, times, ir, range, ranges, t2);
  }

  /** Runs the graph pipeline the options choose (default, or given, plus a precision pass) on {@code module}; returns its text. */
  private static String optimize(Module module, CompileOptions options, Consumer<String> say) {
    String pipeline = options.pipeline() != null ? options.pipeline() : PassManager.DEFAULT_PIPELINE;
    if (!options.precision().equals("fp32")) pipeline = pipeline + ",precision{mode=" + options.precision() + "}";
    say.accept("graph passes: " + pipeline);
    PassManager.parse(pipeline).run(module, new PassContext().verify(false));
    return pipeline;
  }

  /**
   * Two range dims ({@code --shapes 'x=1..4x1..64'}): kernels take both at run time, fitted as
   * {@link dev.weft.codegen.kir.TwoDimPolynomial}s from the graph compiled at (MAX_b, MAX_s) and
   * at each sample point and the check point beside it; no slice-by-slice or library steps.
   */
  private static Compilation compileTwoDims(Module module, CompileOptions options, CompileProgress p, java.util.List<ShapeBinding.RangeDim> ranges,
                                            Map<String, Double> times, Map<String, String> ir, long t0) {
    Consumer<String> say = p::stage;
    ShapeBinding.RangeDim rb = ranges.get(0);
    ShapeBinding.RangeDim rs = ranges.get(1);
    long[][] offsets = new long[dev.weft.codegen.kir.DimFit.TWO_DIM_KERNELS - 1][];
    for (int i = 1; i < dev.weft.codegen.kir.TwoDimPolynomial.SAMPLES.length; i++) offsets[i - 1] = dev.weft.codegen.kir.TwoDimPolynomial.SAMPLES[i];
    offsets[offsets.length - 1] = dev.weft.codegen.kir.TwoDimPolynomial.CHECK;
    java.util.List<Module> others = new java.util.ArrayList<>();
    for (int i = 0; i < offsets.length; i++) others.add(copyOf(module));
    ShapeBinding.bind(module.main(), options.shapes());
    times.put("shapes", ms(t0));
    long t1 = System.nanoTime();
    String pipeline = optimize(module, options, say);
    say.accept("tracing dims '" + rb.symbol() + "' (" + rb.min() + ".." + rb.max() + ") and '" + rs.symbol() + "' (" + rs.min() + ".." + rs.max() + ")");
    java.util.List<dev.weft.ir.Graph> graphs = new java.util.ArrayList<>();
    for (int i = 0; i < offsets.length; i++) {
      Module m = others.get(i);
      ShapeBinding.bind(m.main(), options.shapes(), Map.of(rb.symbol(), rb.max() + offsets[i][0], rs.symbol(), rs.max() + offsets[i][1]));
      PassManager.parse(pipeline).run(m, new PassContext().verify(false));
      graphs.add(m.main());
    }
    // SAMPLES: (1,0), (2,0) move b alone, (0,1), (0,2) s alone: the values carrying each, found twice and compared
    Map<dev.weft.ir.Value, int[]> axesB = sameAxes(module, graphs.get(0), graphs.get(1), rb);
    Map<dev.weft.ir.Value, int[]> axesS = sameAxes(module, graphs.get(2), graphs.get(3), rs);
    ProgramLowering.Lift second = ProgramLowering.Lift.fit(rs.symbol(), rs.min(), rs.max(), axesS, java.util.List.of(), rs.staticExample(), rs.input(), rs.axis());
    ProgramLowering.Lift lift = ProgramLowering.Lift.fit(rb.symbol(), rb.min(), rb.max(), axesB, java.util.List.of(), rb.staticExample(), rb.input(), rb.axis())
        .withSecond(second, graphs);
    ir.put("01-optimized", ModuleText.of(module, "weights-not-included.bin").text());
    times.put("passes", ms(t1));
    KernelBackend backend = Backends.forTarget(options.target());
    long t2 = System.nanoTime();
    say.accept("lowering to kernels");
    ProgramLowering.Result lowered = ProgramLowering.lower(module.main(), LoweringOptions.of(backend).withLift(lift).withLibraryGemm(false));
    return finish(module, options, p, lowered, backend, times, ir, rb, ranges, t2);
  }

  /** The values of the graph at MAX carrying {@code r}, found against the graphs with it at MAX+1 and MAX+2, which must agree. */
  private static Map<dev.weft.ir.Value, int[]> sameAxes(Module module, dev.weft.ir.Graph plus1, dev.weft.ir.Graph plus2, ShapeBinding.RangeDim r) {
    Map<dev.weft.ir.Value, int[]> axes = SymbolicAxes.axes(module.main(), plus1, r, r.max() + 1);
    Map<dev.weft.ir.Value, int[]> again = SymbolicAxes.axes(module.main(), plus2, r, r.max() + 2);
    boolean same = again.size() == axes.size();
    for (var e : axes.entrySet()) same &= java.util.Arrays.equals(e.getValue(), again.get(e.getKey()));
    if (!same) {
      throw new SymbolicDimException("dim '" + r.symbol() + "' cannot stay symbolic: the values carrying it differ between "
          + (r.max() + 1) + " and " + (r.max() + 2) + "; compile with a static size, e.g. --shapes '" + r.staticExample() + "'");
    }
    return axes;
  }

  private static Compilation finish(Module module, CompileOptions options, CompileProgress p, ProgramLowering.Result lowered, KernelBackend backend,
                                    Map<String, Double> times, Map<String, String> ir, ShapeBinding.RangeDim range,
                                    java.util.List<ShapeBinding.RangeDim> ranges, long t2) {
    Consumer<String> say = p::stage;
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
    return new Compilation(backend, lowered, plan, built, ir, times, options, module, range, java.util.List.copyOf(ranges));
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
