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
      lift = new ProgramLowering.Lift(range.symbol(), range.max(), SymbolicAxes.find(module.main(), alt.main(), range), range.staticExample());
    }
    ir.put("01-optimized", ModuleText.of(module, "weights-not-included.bin").text());
    times.put("passes", ms(t1));
    KernelBackend backend = Backends.forTarget(options.target());
    long t2 = System.nanoTime();
    say.accept("lowering to kernels");
    ProgramLowering.Result lowered = ProgramLowering.lower(module.main(), backend.gpu(), backend.blockSize(), lift,
        options.gemmFor().equals(CompileOptions.GEMM_CUBLASLT), backend.matmulTileColumns(), backend::tile);
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
