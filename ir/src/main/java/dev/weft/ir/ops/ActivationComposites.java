package dev.weft.ir.ops;

import dev.weft.bundle.DType;
import dev.weft.bundle.Tensor;
import dev.weft.ir.AttrSpec;
import dev.weft.ir.Attribute;
import dev.weft.ir.Attrs;
import dev.weft.ir.GraphBuilder;
import dev.weft.ir.InferContext;
import dev.weft.ir.Node;
import dev.weft.ir.OpDef;
import dev.weft.ir.OpLibrary;
import dev.weft.ir.Type;
import dev.weft.ir.Value;
import dev.weft.ir.ops.Elementwise.Domain;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BiFunction;
import java.util.function.DoubleUnaryOperator;
import java.util.function.Function;

/**
 * Activation composites: each is a named op with a reference kernel and a decomposition into
 * core elementwise ops, so a backend may fuse it as a unit or expand it. Constants in the
 * decompositions are scalars of the operand's dtype. Formulas are ONNX's.
 */
public final class ActivationComposites implements OpLibrary {
  private static final double SQRT_2_OVER_PI = Math.sqrt(2 / Math.PI);
  static final double SELU_ALPHA = 1.67326319217681884765625;
  static final double SELU_GAMMA = 1.05070102214813232421875;

  @Override
  public List<OpDef> ops() {
    List<OpDef> ops = new ArrayList<>();
    ops.add(unary("gelu", Domain.FLOAT, List.of(AttrSpecs.str("approximate", "none")), a -> {
      boolean tanh = approximateTanh(a);
      return tanh
          ? x -> 0.5 * x * (1 + Math.tanh(SQRT_2_OVER_PI * (x + 0.044715 * x * x * x)))
          : x -> 0.5 * x * (1 + ScalarMath.erf(x / Math.sqrt(2)));
    }, (n, b) -> {
      Value x = n.input(0);
      Value inner;
      if (approximateTanh(n.attrs())) {
        Value cube = b.op1("mul", b.op1("mul", x, x), x);
        Value poly = b.op1("add", x, b.op1("mul", k(b, x, 0.044715), cube));
        inner = b.op1("tanh", b.op1("mul", k(b, x, SQRT_2_OVER_PI), poly));
      } else {
        inner = b.op1("erf", b.op1("mul", x, k(b, x, 1 / Math.sqrt(2))));
      }
      return b.op1("mul", b.op1("mul", k(b, x, 0.5), x), b.op1("add", k(b, x, 1), inner));
    }, "approximate: none (erf) | tanh."));
    ops.add(unary("softplus", Domain.FLOAT, List.of(), a -> ActivationComposites::softplus,
        (n, b) -> softplus(b, n.input(0)), "log(1 + exp(x)), computed without overflow."));
    ops.add(unary("softsign", Domain.FLOAT, List.of(), a -> x -> x / (1 + Math.abs(x)),
        (n, b) -> b.op1("div", n.input(0), b.op1("add", k(b, n.input(0), 1), b.op1("abs", n.input(0)))), ""));
    ops.add(unary("elu", Domain.FLOAT, List.of(AttrSpecs.f("alpha", 1.0)), a -> {
      double al = a.getFloat("alpha");
      return x -> x > 0 ? x : al * Math.expm1(x);
    }, (n, b) -> expLinear(b, n.input(0), n.attrs().getFloat("alpha"), 1.0), ""));
    ops.add(unary("selu", Domain.FLOAT, List.of(AttrSpecs.f("alpha", SELU_ALPHA), AttrSpecs.f("gamma", SELU_GAMMA)), a -> {
      double al = a.getFloat("alpha");
      double g = a.getFloat("gamma");
      return x -> g * (x > 0 ? x : al * Math.expm1(x));
    }, (n, b) -> expLinear(b, n.input(0), n.attrs().getFloat("alpha"), n.attrs().getFloat("gamma")), ""));
    ops.add(unary("celu", Domain.FLOAT, List.of(AttrSpecs.f("alpha", 1.0)), a -> {
      double al = a.getFloat("alpha");
      return x -> ScalarMath.nanMax(0, x) + ScalarMath.nanMin(0, al * Math.expm1(x / al));
    }, (n, b) -> {
      Value x = n.input(0);
      double al = n.attrs().getFloat("alpha");
      Value e = b.op1("mul", k(b, x, al), b.op1("sub", b.op1("exp", b.op1("div", x, k(b, x, al))), k(b, x, 1)));
      return b.op1("add", b.op1("max", x, k(b, x, 0)), b.op1("min", e, k(b, x, 0)));
    }, ""));
    ops.add(unary("leaky_relu", Domain.FLOAT, List.of(AttrSpecs.f("alpha", 0.01)), a -> {
      double al = a.getFloat("alpha");
      return x -> x < 0 ? al * x : x;
    }, (n, b) -> {
      Value x = n.input(0);
      return b.op1("select", b.op1("less", x, k(b, x, 0)), b.op1("mul", x, k(b, x, n.attrs().getFloat("alpha"))), x);
    }, ""));
    ops.add(unary("hard_sigmoid", Domain.FLOAT, List.of(AttrSpecs.f("alpha", 0.2), AttrSpecs.f("beta", 0.5)), a -> {
      double al = a.getFloat("alpha");
      double be = a.getFloat("beta");
      return x -> ScalarMath.nanMax(0, ScalarMath.nanMin(1, al * x + be));
    }, (n, b) -> hardSigmoid(b, n.input(0), n.attrs().getFloat("alpha"), n.attrs().getFloat("beta")), ""));
    ops.add(unary("hard_swish", Domain.FLOAT, List.of(),
        a -> x -> x * ScalarMath.nanMax(0, ScalarMath.nanMin(1, x / 6 + 0.5)),
        (n, b) -> b.op1("mul", n.input(0), hardSigmoid(b, n.input(0), 1 / 6.0, 0.5)), ""));
    ops.add(unary("mish", Domain.FLOAT, List.of(), a -> x -> x * Math.tanh(softplus(x)),
        (n, b) -> b.op1("mul", n.input(0), b.op1("tanh", softplus(b, n.input(0)))), "x * tanh(softplus(x))."));
    ops.add(unary("thresholded_relu", Domain.FLOAT, List.of(AttrSpecs.f("alpha", 1.0)), a -> {
      double al = a.getFloat("alpha");
      return x -> x > al ? x : 0;
    }, (n, b) -> {
      Value x = n.input(0);
      return b.op1("select", b.op1("greater", x, k(b, x, n.attrs().getFloat("alpha"))), x, k(b, x, 0));
    }, ""));
    ops.add(unary("shrink", Domain.NUMERIC, List.of(AttrSpecs.f("lambd", 0.5), AttrSpecs.f("bias", 0.0)), a -> {
      double l = a.getFloat("lambd");
      double bi = a.getFloat("bias");
      return x -> x < -l ? x + bi : x > l ? x - bi : 0;
    }, (n, b) -> {
      Value x = n.input(0);
      double l = n.attrs().getFloat("lambd");
      double bi = n.attrs().getFloat("bias");
      Value hi = b.op1("select", b.op1("greater", x, k(b, x, l)), b.op1("sub", x, k(b, x, bi)), k(b, x, 0));
      return b.op1("select", b.op1("less", x, k(b, x, -l)), b.op1("add", x, k(b, x, bi)), hi);
    }, "x + bias below -lambd, x - bias above lambd, else 0."));
    ops.add(OpDef.composite("prelu").inputs(2)
        .infer(ActivationComposites::preluType)
        .kernel(Elementwise.binary((x, s) -> x < 0 ? s * x : x, (x, s) -> x < 0 ? s * x : x, (x, s) -> x))
        .decompose((n, b) -> {
          Value x = n.input(0);
          return List.of(b.op1("select", b.op1("less", x, k(b, x, 0)), b.op1("mul", x, n.input(1)), x));
        })
        .doc("slope * x where x < 0, else x; slope broadcasts to x's shape.").build());
    ops.add(ClipComposite.def());
    return ops;
  }

  /** Attribute schema helpers, so rows stay one line. */
  static final class AttrSpecs {
    static AttrSpec f(String n, double v) { return AttrSpec.withDefault(n, Attribute.of(v)); }

    static AttrSpec str(String n, String v) { return AttrSpec.withDefault(n, Attribute.of(v)); }
  }

  private static OpDef unary(String name, Domain d, List<AttrSpec> attrs,
      Function<Attrs, DoubleUnaryOperator> f, BiFunction<Node, GraphBuilder, Value> expand, String doc) {
    OpDef.Builder b = OpDef.composite(name).inputs(1);
    for (AttrSpec a : attrs) b.attr(a);
    return b.infer(c -> ElementwiseOps.unaryType(c, d, null))
        .kernel(c -> Elementwise.unary(f.apply(c.attrs()), null, null).run(c))
        .decompose((n, gb) -> List.of(expand.apply(n, gb)))
        .doc(doc).build();
  }

  private static boolean approximateTanh(Attrs a) {
    String s = a.getString("approximate");
    if (s.equals("none")) return false;
    if (s.equals("tanh")) return true;
    throw new IllegalArgumentException("gelu approximate must be none or tanh, got '" + s + "'");
  }

  private static List<Type> preluType(InferContext c) {
    Elementwise.check(c, 0, Domain.NUMERIC);
    Elementwise.sameDType(c, 0, 1);
    List<Type> t = Elementwise.broadcast(c, null);
    if (c.shape(0).isRanked() && c.shape(1).isRanked() && c.shape(1).rank() > c.shape(0).rank()) {
      throw c.fail("slope of rank " + c.shape(1).rank() + " does not broadcast to x of rank " + c.shape(0).rank());
    }
    return t;
  }

  /** A scalar constant of {@code like}'s dtype. */
  static Value k(GraphBuilder b, Value like, double v) {
    DType dt = like.tensorType().dtype();
    return b.constant(Tensor.scalar(dt, v));
  }

  static double softplus(double x) { return Math.max(x, 0) + Math.log1p(Math.exp(-Math.abs(x))); }

  /** relu(x) + log(1 + exp(-|x|)): equal to log(1 + exp(x)) and finite for large x. */
  static Value softplus(GraphBuilder b, Value x) {
    Value tail = b.op1("log", b.op1("add", k(b, x, 1), b.op1("exp", b.op1("neg", b.op1("abs", x)))));
    return b.op1("add", b.op1("relu", x), tail);
  }

  /** gamma * (x > 0 ? x : alpha * (exp(x) - 1)): elu (gamma 1) and selu. */
  private static Value expLinear(GraphBuilder b, Value x, double alpha, double gamma) {
    Value neg = b.op1("mul", k(b, x, alpha), b.op1("sub", b.op1("exp", x), k(b, x, 1)));
    Value y = b.op1("select", b.op1("greater", x, k(b, x, 0)), x, neg);
    return gamma == 1.0 ? y : b.op1("mul", k(b, x, gamma), y);
  }

  private static Value hardSigmoid(GraphBuilder b, Value x, double alpha, double beta) {
    Value lin = b.op1("add", b.op1("mul", x, k(b, x, alpha)), k(b, x, beta));
    return b.op1("max", b.op1("min", lin, k(b, x, 1)), k(b, x, 0));
  }
}
