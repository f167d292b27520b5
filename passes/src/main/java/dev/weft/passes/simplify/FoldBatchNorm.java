package dev.weft.passes.simplify;

import dev.weft.bundle.Tensor;
import dev.weft.ir.Graph;
import dev.weft.ir.GraphBuilder;
import dev.weft.ir.Module;
import dev.weft.ir.Node;
import dev.weft.ir.Value;
import dev.weft.passes.Pass;
import dev.weft.passes.PassContext;
import dev.weft.passes.Rewrite;
import java.util.ArrayList;
import java.util.List;

/**
 * Folds an inference {@code batch_norm} that follows a {@code conv} into the conv's weights
 * and bias: with {@code f = scale / sqrt(var + epsilon)} per output channel,
 * {@code w' = w * f} and {@code b' = (b - mean) * f + bias} (b = 0 when the conv has none).
 * Only when every one of those is a constant and the batch norm is the conv's only user (a
 * conv read elsewhere would have to be kept, doubling the work). Arithmetic is in double,
 * rounded once to the weights' dtype.
 */
public final class FoldBatchNorm implements Pass {
  @Override
  public String name() { return "fold-batchnorm"; }

  @Override
  public boolean run(Module module, PassContext ctx) {
    int folded = 0;
    for (Graph g : Rewrite.allGraphs(module.main())) {
      for (Node bn : new ArrayList<>(g.nodes())) {
        if (bn.graph() != null && bn.opName().equals("batch_norm") && fold(bn, ctx)) folded++;
      }
    }
    ctx.count("folded", folded);
    return folded > 0;
  }

  private static boolean fold(Node bn, PassContext ctx) {
    Value y = bn.input(0);
    Node conv = y == null ? null : y.producer();
    if (conv == null || !conv.opName().equals("conv") || y.uses().size() != 1 || bn.outputCount() != 1) return false;
    Tensor w = Rewrite.constant(conv.input(1));
    Tensor b = conv.input(2) == null ? null : Rewrite.constant(conv.input(2));
    if (w == null || (conv.input(2) != null && b == null) || !w.dtype().isFloat() || w.rank() < 1) return false;
    Tensor[] stats = new Tensor[4];   // scale, bias, mean, var
    long m = w.dim(0);
    for (int i = 0; i < 4; i++) {
      stats[i] = Rewrite.constant(bn.input(i + 1));
      if (stats[i] == null || stats[i].size() != m || stats[i].rank() != 1) return false;
    }
    if (b != null && b.size() != m) return false;
    double eps = bn.attrs().getFloat("epsilon");
    double[] f = new double[(int) m];
    for (int k = 0; k < m; k++) f[k] = stats[0].getDouble(k) / Math.sqrt(stats[3].getDouble(k) + eps);

    Tensor w2 = Tensor.zeros(w.dtype(), w.shape());
    long per = w.size() / Math.max(1, m);
    for (long i = 0; i < w.size(); i++) w2.setDouble(i, w.getDouble(i) * f[(int) (i / per)]);
    Tensor b2 = Tensor.zeros(w.dtype(), m);
    for (int k = 0; k < m; k++) {
      double bias = b == null ? 0 : b.getDouble(k);
      b2.setDouble(k, (bias - stats[2].getDouble(k)) * f[k] + stats[1].getDouble(k));
    }

    GraphBuilder gb = Rewrite.before(bn, ctx);
    Value wc = gb.constant(w2, conv.input(1).name() + ".bn");
    Value bc = gb.constant(b2, (b == null ? "conv_bias" : conv.input(2).name()) + ".bn");
    Value out = gb.at(conv.location()).op("conv", List.of(conv.input(0), wc, bc), conv.attributes(), List.of(y.name())).get(0);
    if (!Rewrite.replace(bn.output(0), out)) {
      for (Value v : List.of(out, bc, wc)) Rewrite.eraseIfDead(v.producer());
      return false;
    }
    Rewrite.eraseIfDead(bn);
    Rewrite.eraseIfDead(conv);
    return true;
  }

}
