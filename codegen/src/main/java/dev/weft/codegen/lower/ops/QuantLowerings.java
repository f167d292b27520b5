package dev.weft.codegen.lower.ops;

import dev.weft.bundle.DType;
import dev.weft.codegen.kir.Expr;
import dev.weft.codegen.kir.ExprFactory;
import dev.weft.codegen.kir.UnaryOp;
import dev.weft.codegen.lower.LowerContext;
import dev.weft.codegen.lower.LoweringTable;
import java.util.Arrays;

/**
 * {@code quantize_linear} and {@code dequantize_linear}, per tensor, per axis or blocked, matching
 * the interpreter's QuantOps. Quantize: round_half_even(x / scale) in x's compute type, plus the
 * zero point and saturation in f64 (exact for every 8/16/32-bit zero point), NaN to 0.
 * Dequantize: (x - zero_point) exactly in i64, converted to the result type, times the scale.
 * Element types the kernel IR does not hold (u4/i4/u2/i2 and float8 storage) are refused with
 * a message; saturate only concerns float8 results, so it has nothing to do here.
 * {@code dynamic_quantize_linear} lowers through its decomposition (two whole-tensor reductions,
 * then quantize_linear): linear, though the result kernel runs as one work item, since every
 * element depends on reductions over the whole input.
 */
final class QuantLowerings {
  private QuantLowerings() {}

  static void register(LoweringTable t) {
    t.add("quantize_linear", QuantLowerings::quantize);
    t.add("dequantize_linear", QuantLowerings::dequantize);
  }

  private static void requireStorable(LowerContext c, DType t, String what) {
    switch (t) {
      case F32, F64, F16, BF16, I8, I16, I32, I64, U8, U16, U32, U64 -> { }
      default -> throw c.fail(what + " of type " + t.textName() + " has no kernel lowering (kernel expressions hold 8 to 64-bit integers and f16/bf16/f32/f64)");
    }
  }

  /** Operand {@code i} (scale or zero point) at the parameter index of x's element {@code idx}. */
  private static Expr param(LowerContext c, int i, Expr[] idx) {
    ExprFactory f = c.f();
    long[] xs = c.inShape(0);
    long[] ss = c.inShape(i);
    long sn = dev.weft.bundle.Tensor.elementCount(ss);
    long block = c.attrs().getInt("block_size");
    if (block < 0) throw c.fail("block_size must be >= 0");
    if (sn == 1 && (block == 0 || ss.length <= 1)) {
      Expr[] z = new Expr[ss.length];
      Arrays.fill(z, f.index(0));
      return c.in(i, z);
    }
    long a = c.attrs().getInt("axis");
    if (a < -xs.length || a >= xs.length) throw c.fail("axis " + a + " is out of range for rank " + xs.length);
    int axis = (int) (a < 0 ? a + xs.length : a);
    long dim = xs[axis];
    if (block == 0) {
      if (ss.length != 1 || sn != dim) throw c.fail("per-axis parameter " + Arrays.toString(ss) + " does not fit axis " + axis + " of " + Arrays.toString(xs));
      return c.in(i, idx[axis]);
    }
    long blocks = (dim + block - 1) / block;
    boolean fits = ss.length == xs.length;
    for (int d = 0; fits && d < xs.length; d++) fits = ss[d] == (d == axis ? blocks : xs[d]);
    if (!fits) throw c.fail("blocked parameter " + Arrays.toString(ss) + " does not fit " + Arrays.toString(xs) + " with block_size " + block);
    Expr[] pi = idx.clone();
    pi[axis] = f.div(idx[axis], f.index(block));
    return c.in(i, pi);
  }

  private static long lowest(DType t) { return t.isSigned() ? -(1L << (t.bits() - 1)) : 0; }

  private static long highest(DType t) { return t.isSigned() ? (1L << (t.bits() - 1)) - 1 : (1L << t.bits()) - 1; }

  private static Expr quantize(LowerContext c, int output, Expr[] idx) {
    ExprFactory f = c.f();
    DType out = c.outDType(0);
    if (!(out.isInteger() && out.bits() >= 8 && out.bits() <= 32)) {
      throw c.fail("quantize_linear to " + out.textName() + " has no kernel lowering (8 to 32-bit integer results only)");
    }
    requireStorable(c, c.inDType(0), "input");
    requireStorable(c, c.inDType(1), "scale");
    Expr x = c.in(0, idx);
    Expr scale = param(c, 1, idx);
    if (scale.type() != x.type()) scale = f.cast(x.type(), scale);
    Expr q = f.cast(DType.F64, f.unary(UnaryOp.ROUND_EVEN, f.div(x, scale)));
    if (c.inputCount() > 2 && c.has(2)) {
      requireStorable(c, c.inDType(2), "zero point");
      q = f.add(q, f.cast(DType.F64, param(c, 2, idx)));
    }
    q = f.min(f.max(q, f.constant(DType.F64, lowest(out))), f.constant(DType.F64, highest(out)));
    return f.cast(out, q); // NaN converts to 0
  }

  private static Expr dequantize(LowerContext c, int output, Expr[] idx) {
    ExprFactory f = c.f();
    DType out = c.outDType(0);
    requireStorable(c, out, "result");
    requireStorable(c, c.inDType(0), "input");
    requireStorable(c, c.inDType(1), "scale");
    DType t = ExprFactory.computeType(out);
    Expr x = c.in(0, idx);
    boolean zp = c.inputCount() > 2 && c.has(2);
    if (zp) requireStorable(c, c.inDType(2), "zero point");
    Expr v;
    if (x.type().isFloat()) {
      v = f.cast(DType.F64, x);
      if (zp) v = f.sub(v, f.cast(DType.F64, param(c, 2, idx)));
    } else {
      v = f.cast(DType.I64, x);
      if (zp) v = f.sub(v, f.cast(DType.I64, param(c, 2, idx)));
    }
    return f.mul(f.cast(t, v), f.cast(t, param(c, 1, idx)));
  }
}
