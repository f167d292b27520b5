package dev.weft.ir.ops;

import dev.weft.bundle.DType;
import dev.weft.bundle.Tensor;
import dev.weft.ir.Attribute;
import dev.weft.ir.InferContext;
import dev.weft.ir.OpDef;
import dev.weft.ir.OpLibrary;
import dev.weft.ir.Shape;
import dev.weft.ir.TensorType;
import dev.weft.ir.Type;
import dev.weft.ir.interp.KernelContext;
import java.util.List;

/**
 * Random ops with an explicit seed. Semantics (what every backend must reproduce bit for bit):
 * the node's generator is SplitMix64 started from {@code seed} (an i64 attribute), restarted
 * on every evaluation, so a node is a pure function of its operands (the same tensor each run;
 * a seed that should vary per iteration must be computed into a different node). Elements are
 * drawn in row-major order:
 * <ul>
 *   <li>uniform draw {@code u = (next() >>> 11) * 2^-53} in [0, 1);</li>
 *   <li>{@code random_uniform}: {@code low + u * (high - low)};</li>
 *   <li>{@code random_normal}: Box-Muller from two draws, {@code mean + scale * sqrt(-2 ln(1 - u1)) * cos(2 pi u2)};</li>
 *   <li>{@code bernoulli}: {@code u < p ? 1 : 0};</li>
 *   <li>{@code multinomial}: per batch row, softmax of the row, then per sample the first class
 *       whose cumulative probability exceeds {@code u} (the last class if rounding leaves none).</li>
 * </ul>
 * ONNX gives seeds as floats and leaves unseeded nodes nondeterministic; its importer maps a
 * seed {@code s} to {@code (long) s} when integral, else to the bits of {@code s}, and an absent
 * seed to a fixed per-node value, so imports are reproducible.
 */
public final class RandomOps implements OpLibrary {
  @Override
  public List<OpDef> ops() {
    return List.of(
        OpDef.core("random_uniform").inputs(0, 1)
            .attr("dtype", Attribute.of(DType.F32))
            .attr("low", Attribute.of(0.0))
            .attr("high", Attribute.of(1.0))
            .attr("seed", Attribute.of(0L))
            .optional("shape", Attribute.Kind.INTS)
            .infer(RandomOps::inferGenerated)
            .kernel(c -> generate(c, (g, a) -> {
              double low = a.getFloat("low");
              return low + g.uniform() * (a.getFloat("high") - low);
            }))
            .doc("Uniform in [low, high); shape from attribute 'shape', or that of the optional operand (the _like form).")
            .build(),
        OpDef.core("random_normal").inputs(0, 1)
            .attr("dtype", Attribute.of(DType.F32))
            .attr("mean", Attribute.of(0.0))
            .attr("scale", Attribute.of(1.0))
            .attr("seed", Attribute.of(0L))
            .optional("shape", Attribute.Kind.INTS)
            .infer(RandomOps::inferGenerated)
            .kernel(c -> generate(c, (g, a) -> a.getFloat("mean") + a.getFloat("scale") * g.normal()))
            .doc("Normal(mean, scale); shape from attribute 'shape', or that of the optional operand.")
            .build(),
        OpDef.core("bernoulli").inputs(1)
            .optional("dtype", Attribute.Kind.DTYPE)
            .attr("seed", Attribute.of(0L))
            .infer(c -> {
              TensorType p = c.tensor(0);
              if (!p.dtype().isFloat()) throw c.fail("bernoulli probabilities must be floats, got " + p.dtype());
              return List.of(new TensorType(c.attrs().has("dtype") ? c.attrs().getDType("dtype") : p.dtype(), p.shape()));
            })
            .kernel(c -> {
              Tensor p = c.tensor(0);
              SplitMix g = new SplitMix(c.attrs().getInt("seed"));
              Tensor y = Tensor.zeros(c.outputType(0).dtype(), p.shape());
              for (long i = 0; i < p.size(); i++) y.setDouble(i, g.uniform() < p.getDouble(i) ? 1 : 0);
              return KernelContext.one(y);
            })
            .build(),
        OpDef.core("multinomial").inputs(1)
            .attr("dtype", Attribute.of(DType.I32))
            .attr("sample_size", Attribute.of(1L))
            .attr("seed", Attribute.of(0L))
            .infer(c -> {
              TensorType x = c.tensor(0);
              if (!x.dtype().isFloat()) throw c.fail("multinomial input must be float log-probabilities");
              if (x.shape().isRanked() && x.rank() != 2) throw c.fail("multinomial input must be [batch, classes], got " + x.shape());
              DType d = c.attrs().getDType("dtype");
              if (d != DType.I32 && d != DType.I64) throw c.fail("multinomial dtype must be i32 or i64, got " + d);
              long n = c.attrs().getInt("sample_size");
              if (n < 1) throw c.fail("sample_size must be positive, got " + n);
              var batch = x.shape().isRanked() ? x.shape().dim(0) : c.fresh();
              return List.of(TensorType.of(d, batch, dev.weft.ir.Dim.of(n)));
            })
            .kernel(RandomOps::multinomial)
            .build());
  }

  static List<Type> inferGenerated(InferContext c) {
    DType d = c.attrs().getDType("dtype");
    if (!d.isFloat()) throw c.fail("random dtype must be a float type, got " + d);
    if (c.hasInput(0)) return List.of(new TensorType(d, c.type(0) instanceof TensorType t ? t.shape() : Shape.unranked()));
    if (!c.attrs().has("shape")) throw c.fail("needs attribute 'shape' or an operand to take the shape from");
    long[] s = c.attrs().getInts("shape");
    for (long v : s) if (v < 0) throw c.fail("negative dim in shape");
    return List.of(TensorType.of(d, s));
  }

  private interface Draw {
    double next(SplitMix g, dev.weft.ir.Attrs a);
  }

  private static Object[] generate(KernelContext c, Draw draw) {
    long[] shape = c.has(0) ? c.tensor(0).shape() : c.attrs().getInts("shape");
    Tensor y = Tensor.zeros(c.outputType(0).dtype(), shape);
    SplitMix g = new SplitMix(c.attrs().getInt("seed"));
    var a = c.attrs();
    for (long i = 0; i < y.size(); i++) y.setDouble(i, draw.next(g, a));
    return KernelContext.one(y);
  }

  private static Object[] multinomial(KernelContext c) {
    Tensor x = c.tensor(0);
    long batch = x.dim(0);
    long classes = x.dim(1);
    long n = c.attrs().getInt("sample_size");
    Tensor y = Tensor.zeros(c.outputType(0).dtype(), batch, n);
    SplitMix g = new SplitMix(c.attrs().getInt("seed"));
    double[] cdf = new double[Math.toIntExact(classes)];
    for (long b = 0; b < batch; b++) {
      double max = Double.NEGATIVE_INFINITY;
      for (int k = 0; k < classes; k++) max = Math.max(max, x.getDouble(b * classes + k));
      double sum = 0;
      for (int k = 0; k < classes; k++) {
        sum += Math.exp(x.getDouble(b * classes + k) - max);
        cdf[k] = sum;
      }
      for (long s = 0; s < n; s++) {
        double u = g.uniform() * sum;
        int k = 0;
        while (k < classes - 1 && cdf[k] <= u) k++;
        y.setLong(b * n + s, k);
      }
    }
    return KernelContext.one(y);
  }

  /** SplitMix64 (Steele, Lea, Flood 2014): tiny, fast, and specified exactly, so every backend can reproduce it. */
  static final class SplitMix {
    private long state;

    SplitMix(long seed) { this.state = seed; }

    long next() {
      long z = (state += 0x9E3779B97F4A7C15L);
      z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
      z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
      return z ^ (z >>> 31);
    }

    double uniform() { return (next() >>> 11) * 0x1.0p-53; }

    double normal() {
      double u1 = uniform();
      double u2 = uniform();
      return Math.sqrt(-2 * Math.log(1 - u1)) * Math.cos(2 * Math.PI * u2);
    }
  }
}
