package dev.weft.ir.ops;

import dev.weft.bundle.DType;
import dev.weft.bundle.Tensor;
import dev.weft.ir.Attribute;
import dev.weft.ir.GraphBuilder;
import dev.weft.ir.InferContext;
import dev.weft.ir.Node;
import dev.weft.ir.OpDef;
import dev.weft.ir.OpLibrary;
import dev.weft.ir.Type;
import dev.weft.ir.Value;
import dev.weft.ir.interp.KernelContext;
import java.util.List;

/**
 * Single-axis normalizers: the composites {@code softmax}, {@code log_softmax} (max-subtracted,
 * as their decompositions), {@code lp_normalization} (x / ||x||_p along axis, p in {1, 2}; 0
 * where the norm is 0, as ONNX's reference) and
 * the custom {@code hardmax} (one-hot of the first maximum along axis).
 */
public final class SoftmaxOps implements OpLibrary {
  @Override
  public List<OpDef> ops() {
    return List.of(
        OpDef.composite("softmax").inputs(1).attr("axis", Attribute.of(-1L))
            .infer(SoftmaxOps::infer).kernel(c -> run(c, Kind.SOFTMAX)).decompose((n, b) -> expand(n, b, false)).build(),
        OpDef.composite("log_softmax").inputs(1).attr("axis", Attribute.of(-1L))
            .infer(SoftmaxOps::infer).kernel(c -> run(c, Kind.LOG_SOFTMAX)).decompose((n, b) -> expand(n, b, true)).build(),
        OpDef.composite("lp_normalization").inputs(1).attr("axis", Attribute.of(-1L)).attr("p", Attribute.of(2L))
            .infer(SoftmaxOps::infer).kernel(c -> run(c, Kind.LP)).decompose(SoftmaxOps::expandLp).build(),
        OpDef.custom("hardmax").inputs(1).attr("axis", Attribute.of(-1L))
            .infer(SoftmaxOps::infer).kernel(c -> run(c, Kind.HARDMAX)).build());
  }

  enum Kind { SOFTMAX, LOG_SOFTMAX, LP, HARDMAX }

  static List<Type> infer(InferContext c) {
    NnSupport.requireFloat(c, 0, "input");
    if (c.shape(0).isRanked()) {
      if (c.shape(0).rank() == 0) throw c.fail("input must have rank >= 1");
      NnSupport.axis(c.attrs().getInt("axis"), c.shape(0).rank(), c);
    }
    if (c.node().op().attr("p") != null) {
      long p = c.attrs().getInt("p");
      if (p != 1 && p != 2) throw c.fail("p must be 1 or 2, got " + p);
    }
    return List.of(c.tensor(0));
  }

  static Object[] run(KernelContext c, Kind kind) {
    Tensor x = c.tensor(0);
    long[] s = x.shape();
    int axis = NnSupport.axis(c.attrs().getInt("axis"), s.length);
    int dim = (int) s[axis];
    int inner = (int) NnSupport.prod(s, axis + 1, s.length);
    int outer = (int) NnSupport.prod(s, 0, axis);
    double[] v = x.toDoubleArray();
    double[] y = new double[v.length];
    long p = kind == Kind.LP ? c.attrs().getInt("p") : 0;
    for (int o = 0; o < outer; o++) {
      for (int in = 0; in < inner; in++) {
        int base = o * dim * inner + in;
        switch (kind) {
          case SOFTMAX, LOG_SOFTMAX -> {
            double m = Double.NEGATIVE_INFINITY;
            for (int i = 0; i < dim; i++) m = Math.max(m, v[base + i * inner]);
            double sum = 0;
            for (int i = 0; i < dim; i++) sum += Math.exp(v[base + i * inner] - m);
            double ls = Math.log(sum);
            for (int i = 0; i < dim; i++) {
              double d = v[base + i * inner] - m;
              y[base + i * inner] = kind == Kind.SOFTMAX ? Math.exp(d) / sum : d - ls;
            }
          }
          case LP -> {
            double n = 0;
            for (int i = 0; i < dim; i++) {
              double a = v[base + i * inner];
              n += p == 1 ? Math.abs(a) : a * a;
            }
            if (p == 2) n = Math.sqrt(n);
            // ONNX: a zero norm gives zeros, not 0/0 = NaN.
            for (int i = 0; i < dim; i++) y[base + i * inner] = n == 0 ? 0 : v[base + i * inner] / n;
          }
          case HARDMAX -> {
            int arg = 0;
            for (int i = 1; i < dim; i++) if (v[base + i * inner] > v[base + arg * inner]) arg = i;
            if (dim > 0) y[base + arg * inner] = 1;
          }
        }
      }
    }
    return KernelContext.one(NnSupport.fromDoubles(x.dtype(), s, y));
  }

  static List<Value> expand(Node n, GraphBuilder b, boolean log) {
    Value x = n.input(0);
    int r = x.tensorType().rank();
    long[] ax = {NnSupport.axis(n.attrs().getInt("axis"), r)};
    Value d = b.op1("sub", x, NnSupport.reduce(b, "reduce_max", x, ax, true));
    Value e = b.op1("exp", d);
    Value s = NnSupport.reduce(b, "reduce_sum", e, ax, true);
    return List.of(log ? b.op1("sub", d, b.op1("log", s)) : b.op1("div", e, s));
  }

  static List<Value> expandLp(Node n, GraphBuilder b) {
    Value x = n.input(0);
    int r = x.tensorType().rank();
    long[] ax = {NnSupport.axis(n.attrs().getInt("axis"), r)};
    Value norm = n.attrs().getInt("p") == 1
        ? NnSupport.reduce(b, "reduce_sum", b.op1("abs", x), ax, true)
        : b.op1("sqrt", NnSupport.reduce(b, "reduce_sum", b.op1("mul", x, x), ax, true));
    Value zero = b.constant(Tensor.scalar(x.tensorType().dtype(), 0));
    return List.of(b.op1("select", b.op1("equal", norm, zero), zero, b.op1("div", x, norm)));
  }

  static boolean isFloat(DType t) { return t.isFloat(); }
}
