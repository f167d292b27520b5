package dev.weft.codegen.emit;

import static dev.weft.codegen.lower.LoweringCheck.assertClose;
import static dev.weft.codegen.lower.LoweringCheck.random;

import dev.weft.bundle.DType;
import dev.weft.bundle.Tensor;
import dev.weft.codegen.kir.Buffer;
import dev.weft.codegen.kir.Evaluator;
import dev.weft.codegen.kir.Expr;
import dev.weft.codegen.kir.ExprFactory;
import dev.weft.codegen.kir.Kernel;
import dev.weft.codegen.kir.MathLib;
import dev.weft.codegen.kir.ReduceOp;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Hand-built reduction kernels (row softmax with hoisted max/sum; integer max), emitted vs evaluated. */
class CompiledReductionTest {
  @Test
  void rowSoftmaxWithSerialInnerLoop() {
    for (long[] shape : new long[][] {{3, 7}, {1, 1}, {5, 0}, {0, 4}, {2, 33}}) {
      ExprFactory f = new ExprFactory();
      MathLib m = new MathLib(f);
      Buffer x = new Buffer("x", DType.F32, shape);
      Buffer y = new Buffer("y", DType.F32, shape);
      Expr i = f.newVar("i");
      Expr j = f.newVar("j");
      Expr k = f.newVar("k");
      Expr k2 = f.newVar("k");
      Expr max = f.reduce(ReduceOp.MAX, k, shape[1], f.load(x, f.linear(new Expr[] {i, k}, shape)));
      Expr sum = f.reduce(ReduceOp.SUM, k2, shape[1], m.exp(f.sub(f.load(x, f.linear(new Expr[] {i, k2}, shape)), max)));
      Expr out = f.div(m.exp(f.sub(f.load(x, f.linear(new Expr[] {i, j}, shape)), max)), sum);
      Kernel kernel = new Kernel("softmax", List.of(x, y), List.of(new Kernel.Loop(i, shape[0]), new Kernel.Loop(j, shape[1])), 1,
          List.of(new Kernel.Store(y, f.linear(new Expr[] {i, j}, shape), out)), "test");
      compare(kernel, Map.of(x, random(DType.F32, 7, 20, shape)), y, 1e-5, 1e-7);
    }
  }

  @Test
  void integerAndNanPropagatingReductions() {
    ExprFactory f = new ExprFactory();
    long[] shape = {4, 9};
    Buffer xi = new Buffer("xi", DType.I16, shape);
    Buffer xf = new Buffer("xf", DType.F32, shape);
    Buffer yi = new Buffer("yi", DType.I16, new long[] {4});
    Buffer yf = new Buffer("yf", DType.F32, new long[] {4});
    Expr i = f.newVar("i");
    Expr k = f.newVar("k");
    Expr k2 = f.newVar("k");
    Kernel kernel = new Kernel("red", List.of(xi, xf, yi, yf), List.of(new Kernel.Loop(i, 4)), 1, List.of(
        new Kernel.Store(yi, i, f.reduce(ReduceOp.MIN, k, 9, f.load(xi, f.linear(new Expr[] {i, k}, shape)))),
        new Kernel.Store(yf, i, f.reduce(ReduceOp.MAX, k2, 9, f.load(xf, f.linear(new Expr[] {i, k2}, shape))))), "test");
    Tensor tf = random(DType.F32, 3, 10, shape);
    tf.setDouble(12, Double.NaN);
    compare(kernel, Map.of(xi, random(DType.I16, 2, 30000, shape), xf, tf), yi, 0, 0);
  }

  private static void compare(Kernel k, Map<Buffer, Tensor> inputs, Buffer out, double rtol, double atol) {
    Map<Buffer, Tensor> a = new HashMap<>();
    Map<Buffer, Tensor> b = new HashMap<>();
    for (Buffer p : k.params()) {
      Tensor t = inputs.get(p);
      a.put(p, t != null ? t : Tensor.zeros(p.dtype(), p.shape()));
      b.put(p, t != null ? t : Tensor.zeros(p.dtype(), p.shape()));
    }
    Evaluator.run(k, a);
    HostJit.run(k, b, HostJit.host(false));
    for (Buffer p : k.params()) if (!inputs.containsKey(p)) assertClose(a.get(p), b.get(p), rtol, atol, k.name() + " " + p.name());
  }
}
