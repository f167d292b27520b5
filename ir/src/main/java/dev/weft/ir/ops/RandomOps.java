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
 * The composite {@code dropout} (x, ratio, training) -> (y, mask) draws one {@code u} per
 * element and keeps it when {@code u >= ratio} (as ONNX's reference, with our generator):
 * {@code y = keep ? x / (1 - ratio) : 0}, {@code mask = keep}; when {@code training} is false,
 * {@code y = x} and the mask is all true. Ratio and training are run-time scalars, so ratio 0
 * needs no constant: {@code u >= 0} always holds and y is x exactly. Its decomposition is
 * {@code random_uniform} (f64, the same seed) compared with the ratio, then selects.
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
            .build(),
        OpDef.composite("dropout").inputs(3).outputs(2)
            .attr("seed", Attribute.of(0L))
            .infer(RandomOps::inferDropout)
            .kernel(RandomOps::dropout)
            .decompose(RandomOps::expandDropout)
            .doc("Training-mode dropout with run-time ratio and training flags; (y, bool mask).")
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

  static List<Type> inferDropout(InferContext c) {
    TensorType x = c.tensor(0);
    if (!x.dtype().isFloat()) throw c.fail("dropout input must be a float tensor, got " + x.dtype());
    if (!c.tensor(1).dtype().isFloat()) throw c.fail("dropout ratio must be a float, got " + c.tensor(1).dtype());
    if (c.tensor(2).dtype() != DType.BOOL) throw c.fail("dropout training flag must be bool, got " + c.tensor(2).dtype());
    for (int i = 1; i < 3; i++) {
      Shape s = c.shape(i);
      if (s.isRanked() && s.rank() != 0) throw c.fail("dropout operand " + i + " must be a scalar, has shape " + s);
    }
    return List.of(x, new TensorType(DType.BOOL, x.shape()));
  }

  private static Object[] dropout(KernelContext c) {
    Tensor x = c.tensor(0);
    double ratio = c.tensor(1).getDouble(0);
    boolean training = c.tensor(2).getBool(0);
    Tensor y = Tensor.zeros(x.dtype(), x.shape());
    Tensor mask = Tensor.zeros(DType.BOOL, x.shape());
    SplitMix g = new SplitMix(c.attrs().getInt("seed"));
    double scale = 1 / (1 - ratio);
    for (long i = 0; i < x.size(); i++) {
      boolean keep = !training || g.uniform() >= ratio;
      y.setDouble(i, !training ? x.getDouble(i) : keep ? x.getDouble(i) * scale : 0);
      mask.setBool(i, keep);
    }
    return new Object[] {y, mask};
  }

  private static List<dev.weft.ir.Value> expandDropout(dev.weft.ir.Node n, dev.weft.ir.GraphBuilder b) {
    dev.weft.ir.Value x = n.input(0);
    dev.weft.ir.Value training = n.input(2);
    DType dt = x.tensorType().dtype();
    dev.weft.ir.Value u = b.op1("random_uniform", java.util.Map.of("dtype", Attribute.of(DType.F64),
        "seed", Attribute.of(n.attrs().getInt("seed"))), x);
    dev.weft.ir.Value ratio = b.op1("cast", java.util.Map.of("to", Attribute.of(DType.F64)), n.input(1));
    dev.weft.ir.Value keep = b.op1("greater_equal", u, ratio);
    dev.weft.ir.Value one = b.constant(Tensor.scalar(DType.F64, 1));
    dev.weft.ir.Value scale = b.op1("cast", java.util.Map.of("to", Attribute.of(dt)), b.op1("div", one, b.op1("sub", one, ratio)));
    dev.weft.ir.Value dropped = b.op1("select", keep, b.op1("mul", x, scale), b.constant(Tensor.scalar(dt, 0)));
    return List.of(b.op1("select", training, dropped, x), b.op1("or", b.op1("not", training), keep));
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
