package dev.weft.ir.ops;

import dev.weft.bundle.DType;
import dev.weft.bundle.Tensor;
import dev.weft.ir.InferContext;
import dev.weft.ir.OpDef;
import dev.weft.ir.Shape;
import dev.weft.ir.Type;
import dev.weft.ir.Value;
import dev.weft.ir.interp.KernelContext;
import dev.weft.ir.ops.Elementwise.Domain;
import java.util.List;

/**
 * {@code clip(x, lo?, hi?)}: {@code min(max(x, lo), hi)} with either bound optional (an absent
 * operand). Bounds hold one element each; when lo > hi every element becomes hi, as numpy's
 * clip gives. NaN in x stays NaN. A composite so that relu6-style clamps stay recognizable.
 */
final class ClipComposite {
  private ClipComposite() {}

  static OpDef def() {
    return OpDef.composite("clip").inputs(1, 3)
        .infer(ClipComposite::infer)
        .kernel(ClipComposite::run)
        .decompose((n, b) -> {
          Value y = n.input(0);
          if (n.input(1) != null) y = b.op1("max", y, n.input(1));
          if (n.input(2) != null) y = b.op1("min", y, n.input(2));
          if (y == n.input(0)) y = b.op1("identity", y);
          return List.of(y);
        })
        .doc("min(max(x, lo), hi); lo and hi are optional one-element operands.")
        .build();
  }

  private static List<Type> infer(InferContext c) {
    Elementwise.check(c, 0, Domain.NUMERIC);
    Elementwise.sameDType(c, 0, 2);
    Shape xs = c.shape(0);
    for (int i = 1; i < 3; i++) {
      if (!c.hasInput(i)) continue;
      Shape s = c.shape(i);
      if (s.isStatic() && s.elementCount() != 1) throw c.fail("bound " + i + " must have one element, has shape " + s);
      if (s.isRanked() && xs.isRanked() && s.rank() > xs.rank()) {
        throw c.fail("bound " + i + " of shape " + s + " has a higher rank than x " + xs);
      }
    }
    return List.of(c.tensor(0));
  }

  private static Object[] run(KernelContext c) {
    Tensor x = c.tensor(0);
    DType t = x.dtype();
    Tensor lo = c.has(1) ? c.tensor(1) : null;
    Tensor hi = c.has(2) ? c.tensor(2) : null;
    for (Tensor b : new Tensor[] {lo, hi}) {
      if (b != null && b.size() != 1) throw c.fail("clip bound must have one element, has " + b.size());
    }
    Tensor y = Tensor.zeros(t, x.shape());
    long n = x.size();
    if (t.isFloat()) {
      double l = lo == null ? Double.NEGATIVE_INFINITY : lo.getDouble(0);
      double h = hi == null ? Double.POSITIVE_INFINITY : hi.getDouble(0);
      for (long i = 0; i < n; i++) y.setDouble(i, ScalarMath.nanMin(ScalarMath.nanMax(x.getDouble(i), l), h));
      return new Object[] {y};
    }
    boolean unsigned = t.kind() == DType.Kind.UNSIGNED;
    for (long i = 0; i < n; i++) {
      long v = x.getLong(i);
      if (lo != null) {
        long l = lo.getLong(0);
        if (unsigned ? Long.compareUnsigned(v, l) < 0 : v < l) v = l;
      }
      if (hi != null) {
        long h = hi.getLong(0);
        if (unsigned ? Long.compareUnsigned(v, h) > 0 : v > h) v = h;
      }
      y.setLong(i, v);
    }
    return new Object[] {y};
  }
}
