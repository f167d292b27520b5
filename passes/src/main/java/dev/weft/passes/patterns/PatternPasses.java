package dev.weft.passes.patterns;

import dev.weft.passes.PassInfo;
import dev.weft.passes.PassLibrary;
import java.util.List;

/**
 * The recognition passes: each raises one family of decomposed forms into the IR's composite
 * (gelu, layer_norm/rms_norm, softmax, attention). recognize-attention needs softmax as a
 * composite, so it runs after recognize-softmax.
 */
public final class PatternPasses implements PassLibrary {
  @Override
  public List<PassInfo> passes() {
    return List.of(
        PassInfo.of("recognize-gelu", "raise x*0.5*(1+erf(x/sqrt2)) and the tanh form into gelu",
            o -> new Recognizer("recognize-gelu", GeluPatterns.PATTERNS)),
        PassInfo.of("recognize-layer-norm", "raise decomposed layer norms and RMS norms into layer_norm and rms_norm",
            o -> new Recognizer("recognize-layer-norm", NormPatterns.PATTERNS)),
        PassInfo.of("recognize-softmax", "raise exp(x - max(x)) / sum(exp(x - max(x))) into softmax",
            o -> new Recognizer("recognize-softmax", SoftmaxPatterns.PATTERNS)),
        PassInfo.of("recognize-attention", "raise matmul(softmax(q k^T * scale + mask), v) on split heads into attention",
            o -> new Recognizer("recognize-attention", AttentionPatterns.PATTERNS)));
  }
}
