package dev.weft.ir.ops;

import dev.weft.bundle.Tensor;
import dev.weft.ir.Attribute;
import dev.weft.ir.Dim;
import dev.weft.ir.InferContext;
import dev.weft.ir.OpDef;
import dev.weft.ir.OpLibrary;
import dev.weft.ir.Shape;
import dev.weft.ir.TensorType;
import dev.weft.ir.Type;
import dev.weft.ir.interp.KernelContext;
import java.util.ArrayList;
import java.util.List;
import java.util.function.DoubleUnaryOperator;

/**
 * Recurrent layers with ONNX semantics, as custom ops with reference kernels (a decomposition
 * into core ops needs a loop with dynamic slicing; later stages treat these as opaque units):
 * {@code lstm} (gates i, o, f, c; peepholes; input_forget), {@code gru} (gates z, r, h;
 * linear_before_reset) and {@code rnn}. Operands: x, w, r, bias?, sequence_lens?, initial_h?
 * (lstm: initial_c?, p?). Results: y, y_h (lstm: y_c), always all of them. Directions forward,
 * reverse, bidirectional; layout 0 (seq-major) or 1 (batch-major); clip; activations.
 */
public final class RnnOps implements OpLibrary {
  enum Cell { LSTM(4, 3), GRU(3, 2), RNN(1, 1);
    final int gates;
    final int acts;

    Cell(int gates, int acts) {
      this.gates = gates;
      this.acts = acts;
    }
  }

  @Override
  public List<OpDef> ops() {
    return List.of(def("lstm", Cell.LSTM, 8, 3).attr("input_forget", Attribute.of(0L)).build(),
        def("gru", Cell.GRU, 6, 2).attr("linear_before_reset", Attribute.of(0L)).build(),
        def("rnn", Cell.RNN, 6, 2).build());
  }

  private static OpDef.Builder def(String name, Cell cell, int maxIn, int outs) {
    return OpDef.custom(name).inputs(3, maxIn).outputs(outs)
        .attr("direction", Attribute.of("forward")).required("hidden_size", Attribute.Kind.INT)
        .attr("activations", new Attribute.Strs(List.of())).optional("activation_alpha", Attribute.Kind.FLOATS)
        .optional("activation_beta", Attribute.Kind.FLOATS)
        .optional("clip", Attribute.Kind.FLOAT).attr("layout", Attribute.of(0L))
        .infer(c -> infer(c, outs)).kernel(c -> run(c, cell));
  }

  static int directions(String d) {
    return switch (d) {
      case "forward", "reverse" -> 1;
      case "bidirectional" -> 2;
      default -> throw new IllegalArgumentException("unknown direction '" + d + "'");
    };
  }

  static List<Type> infer(InferContext c, int outs) {
    TensorType x = c.tensor(0);
    NnSupport.requireFloat(c, 0, "x");
    int dirs;
    try {
      dirs = directions(c.attrs().getString("direction"));
    } catch (IllegalArgumentException e) {
      throw c.fail(e.getMessage());
    }
    Dim hd = Dim.of(c.attrs().getInt("hidden_size"));
    Dim nd = Dim.of(dirs);
    if (!x.shape().isRanked()) return java.util.Collections.nCopies(outs, x.withShape(Shape.unranked()));
    if (x.rank() != 3) throw c.fail("x must be 3-D, got " + x.shape());
    boolean batchMajor = c.attrs().getInt("layout") == 1;
    Dim seq = x.shape().dim(batchMajor ? 1 : 0), batch = x.shape().dim(batchMajor ? 0 : 1);
    List<Type> out = new ArrayList<>();
    out.add(x.withShape(batchMajor ? Shape.of(batch, seq, nd, hd) : Shape.of(seq, nd, batch, hd)));
    Shape st = batchMajor ? Shape.of(batch, nd, hd) : Shape.of(nd, batch, hd);
    for (int i = 1; i < outs; i++) out.add(x.withShape(st));
    return out;
  }

  static Object[] run(KernelContext c, Cell cell) {
    Tensor xt = c.tensor(0);
    boolean batchMajor = c.attrs().getInt("layout") == 1;
    long[] xs = xt.shape();
    int seq = (int) xs[batchMajor ? 1 : 0], batch = (int) xs[batchMajor ? 0 : 1], in = (int) xs[2];
    int hs = c.attrs().getInt32("hidden_size");
    String direction = c.attrs().getString("direction");
    int dirs = directions(direction);
    double clip = c.attrs().hasValue("clip") ? c.attrs().getFloat("clip") : Double.POSITIVE_INFINITY;
    double[] x = xt.toDoubleArray();
    double[] w = c.tensor(1).toDoubleArray(), r = c.tensor(2).toDoubleArray();
    int g = cell.gates;
    double[] bias = c.has(3) ? c.tensor(3).toDoubleArray() : new double[dirs * 2 * g * hs];
    long[] lens = c.has(4) ? c.tensor(4).toLongArray() : null;
    int hIdx = 5, cIdx = 6, pIdx = 7;
    double[] h0 = c.has(hIdx) ? stateMajor(c.tensor(hIdx), batchMajor, dirs, batch, hs) : null;
    double[] c0 = cell == Cell.LSTM && c.has(cIdx) ? stateMajor(c.tensor(cIdx), batchMajor, dirs, batch, hs) : null;
    double[] p = cell == Cell.LSTM && c.has(pIdx) ? c.tensor(pIdx).toDoubleArray() : null;
    List<DoubleUnaryOperator> acts = activations(c, cell, dirs);
    boolean inputForget = cell == Cell.LSTM && c.attrs().getBool("input_forget");
    boolean lbr = cell == Cell.GRU && c.attrs().getBool("linear_before_reset");
    double[] y = new double[seq * dirs * batch * hs];      // [seq, dirs, batch, hidden]
    double[] yh = new double[dirs * batch * hs];
    double[] yc = new double[dirs * batch * hs];
    for (int d = 0; d < dirs; d++) {
      boolean reverse = direction.equals("reverse") || d == 1;
      DoubleUnaryOperator f = acts.get(d * cell.acts), gAct = cell.acts > 1 ? acts.get(d * cell.acts + 1) : null;
      DoubleUnaryOperator hAct = cell.acts > 2 ? acts.get(d * cell.acts + 2) : null;
      int wOff = d * g * hs * in, rOff = d * g * hs * hs, bOff = d * 2 * g * hs;
      for (int b = 0; b < batch; b++) {
        int len = lens == null ? seq : (int) Math.min(seq, lens[b]);
        double[] h = new double[hs];
        double[] cs = new double[hs];
        if (h0 != null) System.arraycopy(h0, (d * batch + b) * hs, h, 0, hs);
        if (c0 != null) System.arraycopy(c0, (d * batch + b) * hs, cs, 0, hs);
        double[] gx = new double[g * hs], gh = new double[g * hs];
        for (int step = 0; step < len; step++) {
          int t = reverse ? len - 1 - step : step;
          int xo = batchMajor ? (b * seq + t) * in : (t * batch + b) * in;
          for (int j = 0; j < g * hs; j++) {
            double sx = bias[bOff + j], sh = bias[bOff + g * hs + j];
            for (int k = 0; k < in; k++) sx += x[xo + k] * w[wOff + j * in + k];
            for (int k = 0; k < hs; k++) sh += h[k] * r[rOff + j * hs + k];
            gx[j] = sx;
            gh[j] = sh;
          }
          double[] nh = new double[hs];
          double[] rg = null;
          if (cell == Cell.GRU && !lbr) {
            rg = new double[hs];
            for (int k = 0; k < hs; k++) rg[k] = f.applyAsDouble(clamp(gx[hs + k] + gh[hs + k], clip)) * h[k];
          }
          for (int j = 0; j < hs; j++) {
            switch (cell) {
              case LSTM -> {
                double pi = p == null ? 0 : p[d * 3 * hs + j], po = p == null ? 0 : p[d * 3 * hs + hs + j];
                double pf = p == null ? 0 : p[d * 3 * hs + 2 * hs + j];
                double it = f.applyAsDouble(clamp(gx[j] + gh[j] + pi * cs[j], clip));
                double ft = inputForget ? 1 - it : f.applyAsDouble(clamp(gx[2 * hs + j] + gh[2 * hs + j] + pf * cs[j], clip));
                double ct = gAct.applyAsDouble(clamp(gx[3 * hs + j] + gh[3 * hs + j], clip));
                double cn = ft * cs[j] + it * ct;
                double ot = f.applyAsDouble(clamp(gx[hs + j] + gh[hs + j] + po * cn, clip));
                cs[j] = cn;
                nh[j] = ot * hAct.applyAsDouble(cn);
              }
              case GRU -> {
                double zt = f.applyAsDouble(clamp(gx[j] + gh[j], clip));
                double rt = f.applyAsDouble(clamp(gx[hs + j] + gh[hs + j], clip));
                double pre;
                if (lbr) {
                  pre = gx[2 * hs + j] + rt * gh[2 * hs + j];
                } else {
                  double s = bias[bOff + g * hs + 2 * hs + j];
                  for (int k = 0; k < hs; k++) s += rg[k] * r[rOff + (2 * hs + j) * hs + k];
                  pre = gx[2 * hs + j] + s;
                }
                double ht = gAct.applyAsDouble(clamp(pre, clip));
                nh[j] = (1 - zt) * ht + zt * h[j];
              }
              case RNN -> nh[j] = f.applyAsDouble(clamp(gx[j] + gh[j], clip));
            }
          }
          h = nh;
          System.arraycopy(h, 0, y, ((t * dirs + d) * batch + b) * hs, hs);
        }
        System.arraycopy(h, 0, yh, (d * batch + b) * hs, hs);
        System.arraycopy(cs, 0, yc, (d * batch + b) * hs, hs);
      }
    }
    var dt = xt.dtype();
    Tensor yT, yhT, ycT;
    if (batchMajor) {
      double[] y2 = new double[y.length];
      for (int t = 0; t < seq; t++) for (int d = 0; d < dirs; d++) for (int b = 0; b < batch; b++) {
        System.arraycopy(y, ((t * dirs + d) * batch + b) * hs, y2, ((b * seq + t) * dirs + d) * hs, hs);
      }
      yT = NnSupport.fromDoubles(dt, new long[] {batch, seq, dirs, hs}, y2);
      yhT = NnSupport.fromDoubles(dt, new long[] {batch, dirs, hs}, swap01(yh, dirs, batch, hs));
      ycT = NnSupport.fromDoubles(dt, new long[] {batch, dirs, hs}, swap01(yc, dirs, batch, hs));
    } else {
      yT = NnSupport.fromDoubles(dt, new long[] {seq, dirs, batch, hs}, y);
      yhT = NnSupport.fromDoubles(dt, new long[] {dirs, batch, hs}, yh);
      ycT = NnSupport.fromDoubles(dt, new long[] {dirs, batch, hs}, yc);
    }
    return cell == Cell.LSTM ? new Object[] {yT, yhT, ycT} : new Object[] {yT, yhT};
  }

  private static double[] stateMajor(Tensor t, boolean batchMajor, int dirs, int batch, int hs) {
    double[] v = t.toDoubleArray();
    return batchMajor ? swap01(v, batch, dirs, hs) : v;
  }

  /** [a, b, h] -> [b, a, h]. */
  private static double[] swap01(double[] v, int a, int b, int h) {
    double[] o = new double[v.length];
    for (int i = 0; i < a; i++) for (int j = 0; j < b; j++) System.arraycopy(v, (i * b + j) * h, o, (j * a + i) * h, h);
    return o;
  }

  private static double clamp(double v, double clip) { return Math.max(-clip, Math.min(clip, v)); }

  /**
   * One activation of a recurrent op, resolved: its lower-case ONNX name and the alpha and beta it
   * uses (the op's lists consumed in order by the activations that take them, defaults otherwise).
   * Shared with the unroll-recurrent pass, so both read the lists the same way.
   */
  public record Activation(String name, double alpha, double beta) {
    public static final List<String> NAMES = List.of("sigmoid", "tanh", "relu", "affine", "leakyrelu", "thresholdedrelu",
        "scaledtanh", "hardsigmoid", "elu", "softsign", "softplus");

    public DoubleUnaryOperator function() {
      double a = alpha, b = beta;
      return switch (name) {
        case "sigmoid" -> v -> 1 / (1 + Math.exp(-v));
        case "tanh" -> Math::tanh;
        case "relu" -> v -> Math.max(0, v);
        case "affine" -> v -> a * v + b;
        case "leakyrelu" -> v -> v >= 0 ? v : a * v;
        case "thresholdedrelu" -> v -> v > a ? v : 0;
        case "scaledtanh" -> v -> a * Math.tanh(b * v);
        case "hardsigmoid" -> v -> Math.max(0, Math.min(1, a * v + b));
        case "elu" -> v -> v >= 0 ? v : a * (Math.exp(v) - 1);
        case "softsign" -> v -> v / (1 + Math.abs(v));
        case "softplus" -> v -> Math.log1p(Math.exp(v));
        default -> throw new IllegalArgumentException("unknown activation '" + name + "'");
      };
    }
  }

  /** The activations of a {@code lstm}/{@code gru}/{@code rnn} node, per direction in order (f, g, h). */
  public static List<Activation> activations(dev.weft.ir.Attrs attrs, String op) {
    Cell cell = switch (op) {
      case "lstm" -> Cell.LSTM;
      case "gru" -> Cell.GRU;
      case "rnn" -> Cell.RNN;
      default -> throw new IllegalArgumentException("not a recurrent op: " + op);
    };
    return activations(attrs, cell, directions(attrs.getString("direction")));
  }

  static List<Activation> activations(dev.weft.ir.Attrs attrs, Cell cell, int dirs) {
    List<String> names = attrs.getStrings("activations");
    if (names.isEmpty()) {
      List<String> def = switch (cell) {
        case LSTM -> List.of("Sigmoid", "Tanh", "Tanh");
        case GRU -> List.of("Sigmoid", "Tanh");
        case RNN -> List.of("Tanh");
      };
      names = new ArrayList<>();
      for (int d = 0; d < dirs; d++) names.addAll(def);
    }
    if (names.size() != cell.acts * dirs) throw new IllegalArgumentException("expected " + cell.acts * dirs + " activations, got " + names);
    double[] alpha = attrs.hasValue("activation_alpha") ? attrs.getFloats("activation_alpha") : new double[0];
    double[] beta = attrs.hasValue("activation_beta") ? attrs.getFloats("activation_beta") : new double[0];
    int ai = 0, bi = 0;
    List<Activation> out = new ArrayList<>();
    for (String n : names) {
      String k = n.toLowerCase(java.util.Locale.ROOT);
      if (!Activation.NAMES.contains(k)) throw new IllegalArgumentException("unknown activation '" + n + "'");
      boolean usesAlpha = List.of("affine", "leakyrelu", "thresholdedrelu", "scaledtanh", "hardsigmoid", "elu").contains(k);
      boolean usesBeta = List.of("affine", "scaledtanh", "hardsigmoid").contains(k);
      double a = usesAlpha && ai < alpha.length ? alpha[ai++] : defaultAlpha(k);
      double b = usesBeta && bi < beta.length ? beta[bi++] : defaultBeta(k);
      out.add(new Activation(k, a, b));
    }
    return out;
  }

  static List<DoubleUnaryOperator> activations(KernelContext c, Cell cell, int dirs) {
    try {
      return activations(c.attrs(), cell, dirs).stream().map(Activation::function).toList();
    } catch (IllegalArgumentException e) {
      throw c.fail(e.getMessage());
    }
  }

  private static double defaultAlpha(String k) {
    return switch (k) {
      case "leakyrelu" -> 0.01;
      case "hardsigmoid" -> 0.2;
      case "thresholdedrelu", "elu", "affine", "scaledtanh" -> 1.0;
      default -> 0;
    };
  }

  private static double defaultBeta(String k) {
    return switch (k) {
      case "hardsigmoid" -> 0.5;
      case "scaledtanh" -> 1.0;
      default -> 0;
    };
  }
}
