package dev.weft.passes.simplify;

import dev.weft.bundle.Tensor;
import dev.weft.ir.Graph;
import dev.weft.ir.Module;
import dev.weft.ir.Node;
import dev.weft.passes.Pass;
import dev.weft.passes.PassContext;
import dev.weft.passes.PassOptions;
import dev.weft.passes.Rewrite;
import java.util.ArrayList;
import java.util.List;

/**
 * Constant folding: a node whose operands are all constants and whose op has reference
 * semantics is run by the interpreter and replaced by {@code constant}s. A result larger than
 * {@code max-bytes} (default 1 MiB) is left alone, so folding never turns a small graph into
 * a huge one (a broadcast of a scalar to a big shape stays a broadcast). Random ops are never
 * folded; a node whose kernel fails (an integer division by zero) is left for run time to report.
 */
public final class ConstantFold implements Pass {
  public static final long DEFAULT_MAX_BYTES = 1L << 20;

  private final long maxBytes;

  public ConstantFold(PassOptions options) { this.maxBytes = options.getLong("max-bytes", DEFAULT_MAX_BYTES); }

  @Override
  public String name() { return "constant-fold"; }

  @Override
  public boolean run(Module module, PassContext ctx) {
    int folded = 0;
    for (Graph g : Rewrite.allGraphs(module.main())) {
      // Schedule order: a folded result's users come later, so whole constant chains fold in one sweep.
      for (Node n : new ArrayList<>(g.nodes())) {
        if (n.graph() == null || !Folding.foldable(n)) continue;
        long declared = Folding.declaredBytes(n);
        if (declared > maxBytes) {
          ctx.count("over-budget");
          continue;
        }
        List<Tensor> values;
        try {
          values = Folding.evaluate(n);
        } catch (RuntimeException e) {
          ctx.count("kernel-failed");
          continue;
        }
        long bytes = 0;
        for (Tensor t : values) bytes += t.byteSize();
        if (bytes > maxBytes) {
          ctx.count("over-budget");
          continue;
        }
        if (Folding.replaceWithConstants(n, values, ctx)) folded++;
      }
    }
    ctx.count("folded", folded);
    return folded > 0;
  }
}
