package dev.weft.passes;

import dev.weft.ir.Graph;
import dev.weft.ir.Module;
import dev.weft.ir.Node;
import dev.weft.ir.Verifier;
import dev.weft.ir.VerifyException;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * Runs a pipeline of passes on a module. Between passes it runs the {@link Verifier} (when
 * the context asks, the default), so a broken graph is reported at the pass that broke it
 * (XLA's invariant checker, STYLE item 7), or only at the pipeline's ends
 * ({@link PassContext.Verify#ENDS}, production runs); it calls the instruments around each pass and, when
 * a pass throws or breaks the IR, writes a crash reproducer: the pass's input module as
 * {@code .wir} with the one-pass pipeline that fails on it.
 */
public final class PassManager {
  /**
   * The default simplification pipeline, in this order because:
   * fold-shapes first, so shape chains become constants and later types static;
   * unroll-recurrent after it, as folding can make a sequence length static, and before
   * constant-fold, which turns the per-direction weight slices it writes into constants
   * (kernels cannot carry a recurrent state across steps, so the steps must exist as ops);
   * constant-fold then folds what became constant (and the model's own constant math);
   * canonicalize removes identities, which exposes more common subexpressions;
   * normalize-layout after it: canonicalize has already merged adjacent transposes and removed
   * identity ones and x*1 / x+0 links, so the trees it lifts through are short; before
   * fold-batchnorm and the recognize-* passes, so an NHWC model's transpose round trips around
   * conv are gone before they look for conv+batch_norm and the decomposed forms, and before cse
   * and dce, which merge the permuted constants it makes and drop the ones it left dead;
   * fold-batchnorm needs constant conv weights, which folding may have produced;
   * the recognize-* passes then raise decomposed gelu, layer/RMS norms, softmax and attention
   * into composites: after simplification, because canonicalize removes the x*1 and x+0 that
   * would hide a form and folding makes its constants visible; recognize-softmax before
   * recognize-attention, which matches on the softmax composite; before cse and dce, which
   * clean up what the raised forms left (shared constants, a dead transpose);
   * fold-matmul-transpose after recognize-attention, whose pattern reads the scores' explicit
   * transpose of k, and before cse and dce, which drop the transposes it leaves dead;
   * cse merges duplicates (equal constants included); dce removes everything made dead;
   * fuse runs last: it needs the final graph (folded shapes and constants would split groups,
   * and a later rewrite could not see into fused bodies); in weft compile it runs after
   * partitioning, once per rank.
   *
   * <p>Deliberately not a compile-time constant (it is built by a call): javac copies constant
   * strings into every class that reads them, so modules compiled against an older passes jar
   * kept running an older pipeline after this one changed.
   */
  public static final String DEFAULT_PIPELINE = String.join(",", "fold-shapes", "unroll-recurrent", "constant-fold", "canonicalize",
      "normalize-layout", "fold-batchnorm", "recognize-gelu", "recognize-layer-norm", "recognize-softmax",
      "recognize-attention", "fold-matmul-transpose", "cse", "dce", "fuse");

  private final PassRegistry registry;
  private final Pipeline pipeline;

  public PassManager(PassRegistry registry, Pipeline pipeline) {
    this.registry = registry;
    this.pipeline = pipeline;
    for (Pipeline.Entry e : pipeline.entries()) registry.create(e);   // unknown passes and options fail now, not halfway
  }

  /** A manager for {@code pipeline} over the global registry. */
  public static PassManager parse(String pipeline) { return new PassManager(PassRegistry.global(), Pipeline.parse(pipeline)); }

  public Pipeline pipeline() { return pipeline; }

  /** The result of a run: one event per pipeline entry (skipped ones have {@code nanos = -1}). */
  public record Result(boolean changed, List<PassEvent> events) {}

  public Result run(Module module) { return run(module, new PassContext()); }

  public Result run(Module module, PassContext ctx) {
    Verifier verifier = new Verifier(ctx.registry());
    if (ctx.verify()) {
      try {
        verifier.verify(module);
      } catch (VerifyException e) {
        throw new PassException("", "the pipeline's input is invalid IR (before any pass): " + e.getMessage(), null, e);
      }
    }
    // Reproducers: verifying after each pass (debugging), each pass's input is kept, so a
    // failure reruns that pass alone. Otherwise printing the module before every pass would
    // cost more than the passes; the pipeline's input is kept once and a failure reruns the
    // passes up to the failing one (a broken output, found only at the end, all of them).
    boolean local = ctx.reproducerDir() != null && ctx.verifyMode() == PassContext.Verify.EACH_PASS;
    ModuleText pipelineInput = ctx.reproducerDir() != null && !local ? ModuleText.of(module, PIPELINE_STEM + ".weights.bin") : null;
    List<String> ran = new ArrayList<>();
    for (PassInstrument i : ctx.instruments()) i.beforePipeline(pipeline, module);
    List<PassEvent> events = new ArrayList<>();
    boolean any = false;
    int nodes = nodeCount(module);
    List<Pipeline.Entry> entries = pipeline.entries();
    for (int k = 0; k < entries.size(); k++) {
      Pipeline.Entry entry = entries.get(k);
      if (ctx.isDisabled(entry.name())) {
        events.add(new PassEvent(k, entry.name(), entry.text(), false, -1, nodes, nodes));
        continue;
      }
      Pipeline.Entry effective = withContextOptions(entry, ctx);
      Pass pass = registry.create(effective);
      ModuleText input = local ? ModuleText.of(module, reproducerStem(k, entry) + ".weights.bin") : null;
      ran.add(effective.text());
      PassEvent before = new PassEvent(k, entry.name(), entry.text(), false, 0, nodes, -1);
      for (PassInstrument i : ctx.instruments()) i.beforePass(before, module);
      ctx.setCurrentPass(entry.name());
      long t0 = System.nanoTime();
      boolean changed;
      try {
        changed = pass.run(module, ctx);
      } catch (RuntimeException | StackOverflowError e) {
        long t = System.nanoTime() - t0;
        PassEvent failed = new PassEvent(k, entry.name(), entry.text(), true, t, nodes, -1);
        String message = "pass '" + entry.name() + "' failed: " + e;
        if (local || pipelineInput == null) throw failure(ctx, module, failed, effective, input, message, e);
        throw failure(ctx, module, failed, String.join(",", ran), PIPELINE_STEM, pipelineInput, PIPELINE_INPUT, message, e);
      } finally {
        ctx.setCurrentPass("");
      }
      long nanos = System.nanoTime() - t0;
      int after = nodeCount(module);
      PassEvent event = new PassEvent(k, entry.name(), entry.text(), changed, nanos, nodes, after);
      if (ctx.verifyMode() == PassContext.Verify.EACH_PASS) {
        try {
          verifier.verify(module);
        } catch (VerifyException e) {
          throw failure(ctx, module, event, effective, input,
              "pass '" + entry.name() + "' broke the IR" + (changed ? "" : " (and reported no change)") + ": " + e.getMessage(), e);
        }
      }
      for (PassInstrument i : ctx.instruments()) i.afterPass(event, module);
      events.add(event);
      any |= changed;
      nodes = after;
    }
    if (ctx.verifyMode() == PassContext.Verify.ENDS && !entries.isEmpty()) {
      try {
        verifier.verify(module);
      } catch (VerifyException e) {
        PassEvent event = events.get(entries.size() - 1);
        throw failure(ctx, module, event, String.join(",", ran), PIPELINE_STEM, pipelineInput, PIPELINE_INPUT,
            "the pipeline broke the IR (verified only before its first and after its last pass; verify after each pass"
                + " to name the pass, e.g. weft optimize --verify=each): " + e.getMessage(), e);
      }
    }
    for (PassInstrument i : ctx.instruments()) i.afterPipeline(module);
    return new Result(any, events);
  }

  /** Context options ({@code pass.key}) under the entry's own; the entry text stays what the user wrote. */
  private static Pipeline.Entry withContextOptions(Pipeline.Entry entry, PassContext ctx) {
    var fromCtx = ctx.optionsFor(entry.name());
    if (fromCtx.isEmpty()) return entry;
    var merged = new java.util.LinkedHashMap<>(fromCtx);
    merged.putAll(entry.options());
    return new Pipeline.Entry(entry.name(), merged);
  }

  private static final String PIPELINE_STEM = "weft-reproducer-pipeline";
  private static final String PASS_INPUT = "The module below is the input of that pass";
  private static final String PIPELINE_INPUT = "The module below is the pipeline's input";

  private static String reproducerStem(int index, Pipeline.Entry entry) {
    return String.format("weft-reproducer-%02d-%s", index, entry.name());
  }

  private PassException failure(PassContext ctx, Module module, PassEvent event, Pipeline.Entry effective,
      ModuleText input, String message, Throwable cause) {
    return failure(ctx, module, event, effective.text(), reproducerStem(event.index(), effective), input, PASS_INPUT, message, cause);
  }

  /** Reports a failure; when {@code input} was kept, writes it as {@code stem.wir} with {@code pipelineText} to rerun. */
  private PassException failure(PassContext ctx, Module module, PassEvent event, String pipelineText, String stem,
      ModuleText input, String inputIs, String message, Throwable cause) {
    for (PassInstrument i : ctx.instruments()) {
      try {
        i.afterFailure(event, module, cause);
      } catch (RuntimeException ignored) {
        // An instrument printing a broken module may fail too; the pass's error is the one to report.
      }
    }
    Path written = null;
    if (input != null) {
      Path file = ctx.reproducerDir().resolve(stem + ".wir");
      String firstLine = message.lines().findFirst().orElse(message);
      String header = "// Weft crash reproducer: " + firstLine.replace('\n', ' ') + "\n"
          + "// " + inputIs + "; rerun it with:\n"
          + "//   weft optimize " + file.getFileName() + " --pipeline '" + pipelineText + "'\n"
          + "// RUN: " + pipelineText + "\n";
      try {
        input.write(file, header);
        written = file;
      } catch (IOException e) {
        message += " (writing the reproducer to " + file + " failed: " + e.getMessage() + ")";
      }
    }
    return new PassException(pipelineText, message, written, cause);
  }

  /** Nodes in the module, subgraphs included. */
  public static int nodeCount(Module m) {
    int n = 0;
    ArrayDeque<Graph> work = new ArrayDeque<>();
    work.add(m.main());
    while (!work.isEmpty()) {
      Graph g = work.pop();
      n += g.nodes().size();
      if (g.hasSubgraphs()) for (Node node : g.nodes()) work.addAll(node.subgraphs());
    }
    return n;
  }
}
