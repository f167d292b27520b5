package dev.weft.codegen.lower.ops;

import dev.weft.bundle.DType;
import dev.weft.bundle.Tensor;
import dev.weft.codegen.kir.Expr;
import dev.weft.codegen.kir.ExprFactory;
import dev.weft.codegen.lower.LowerContext;
import dev.weft.codegen.lower.LoweringTable;
import dev.weft.ir.ops.GenerateOps;
import java.util.Arrays;

/**
 * Ops that make values from shapes: shape_of and size (constants, since shapes are static at
 * lowering time; the operand is never read), fill (ONNX ConstantOfShape) and iota (ONNX Range,
 * computed in f64 for float types as the interpreter does, so every element rounds once).
 */
final class GenerateLowerings {
  private GenerateLowerings() {}

  static void register(LoweringTable t) {
    t.add("shape_of", (c, k, idx) -> shapeOf(c, idx));
    t.add("size", (c, k, idx) -> c.f().index(Tensor.elementCount(c.inShape(0))));
    t.add("fill", (c, k, idx) -> fill(c));
    t.add("iota", (c, k, idx) -> iota(c, idx));
  }

  private static Expr shapeOf(LowerContext c, Expr[] idx) {
    long[] s = c.inShape(0);
    Long end = c.attrs().has("end") ? c.attrs().getInt("end") : null;
    long[] r = GenerateOps.shapeRange(c.attrs().getInt("start"), end, s.length);
    long[] dims = Arrays.copyOfRange(s, (int) r[0], (int) r[1]);
    if (dims.length == 0) return c.f().index(0);
    return IndexMath.table(c.f(), dims, idx[0]);
  }

  private static Expr fill(LowerContext c) {
    Tensor v = c.attrs().has("value") ? c.attrs().getTensor("value") : Tensor.scalar(DType.F32, 0);
    if (v.size() != 1) throw c.fail("value must hold one element, has " + v.size());
    if (v.dtype() == DType.STRING) throw c.fail("fill with strings has no kernel lowering");
    ExprFactory f = c.f();
    DType t = ExprFactory.computeType(c.outDType(0));
    if (t.isFloat()) return f.constant(t, v.getDouble(0));
    if (t == DType.BOOL) return f.bool(v.getBool(0));
    return f.constantLong(t, v.getLong(0));
  }

  private static Expr iota(LowerContext c, Expr[] idx) {
    ExprFactory f = c.f();
    Expr start = scalar(c, 0);
    Expr delta = scalar(c, 2);
    DType t = start.type();
    if (t.isFloat()) {
      Expr v = f.add(f.cast(DType.F64, start), f.mul(f.cast(DType.F64, idx[0]), f.cast(DType.F64, delta)));
      return f.cast(t, v);
    }
    Expr v = f.add(f.cast(DType.I64, start), f.mul(idx[0], f.cast(DType.I64, delta)));
    return f.cast(t, v);
  }

  private static Expr scalar(LowerContext c, int i) {
    long[] s = c.inShape(i);
    if (Tensor.elementCount(s) != 1) throw c.fail("operand " + i + " must be a scalar, has shape " + Arrays.toString(s));
    Expr[] zero = new Expr[s.length];
    Arrays.fill(zero, c.f().index(0));
    return c.in(i, zero);
  }
}
