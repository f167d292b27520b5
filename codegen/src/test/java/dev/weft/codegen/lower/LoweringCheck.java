package dev.weft.codegen.lower;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.bundle.DType;
import dev.weft.bundle.Tensor;
import dev.weft.codegen.kir.Buffer;
import dev.weft.codegen.kir.Evaluator;
import dev.weft.codegen.kir.Kernel;
import dev.weft.ir.Attribute;
import dev.weft.ir.Graph;
import dev.weft.ir.GraphBuilder;
import dev.weft.ir.Shape;
import dev.weft.ir.TensorType;
import dev.weft.ir.Value;
import dev.weft.ir.interp.Interpreter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Checks a lowering against the reference interpreter: builds a one-op graph (operands wrapped
 * in {@link Const} become constant nodes, as a reshape's shape is), runs the interpreter, lowers
 * the graph to kernels, runs them with {@link #runner} (the kernel-IR evaluator by default;
 * the CPU backend's tests plug in compiled execution) and compares every result.
 */
public final class LoweringCheck {
  private LoweringCheck() {}

  /** Runs lowered kernels on bound tensors. */
  @FunctionalInterface
  public interface Runner {
    void run(List<Kernel> kernels, Map<Buffer, Tensor> memory);
  }

  public static final Runner EVALUATOR = (kernels, memory) -> {
    for (Kernel k : kernels) Evaluator.run(k, memory);
  };

  /** An operand that is a compile-time constant. */
  public record Const(Tensor value) { }

  /** Checks op(inputs) with the evaluator; returns the interpreter's results. */
  public static List<Tensor> check(String op, Map<String, Attribute> attrs, double rtol, double atol, Object... inputs) {
    return check(EVALUATOR, op, attrs, rtol, atol, inputs);
  }

  public static List<Tensor> check(Runner runner, String op, Map<String, Attribute> attrs, double rtol, double atol, Object... inputs) {
    return check(runner, 1, op, attrs, rtol, atol, inputs);
  }

  /** {@link #check} lowered with {@code tileColumns} output columns per matmul work item (GroupLowerer). */
  public static List<Tensor> check(Runner runner, int tileColumns, String op, Map<String, Attribute> attrs, double rtol, double atol,
                                   Object... inputs) {
    Graph g = new Graph("check_" + op);
    GraphBuilder b = new GraphBuilder(g);
    List<Value> operands = new ArrayList<>();
    List<Object> args = new ArrayList<>();
    for (int i = 0; i < inputs.length; i++) {
      Object in = inputs[i];
      if (in == null) operands.add(null);
      else if (in instanceof Const c) operands.add(b.constant(c.value()));
      else {
        Tensor t = (Tensor) in;
        operands.add(g.addInput("x" + i, new TensorType(t.dtype(), Shape.of(t.shape()))));
        args.add(t);
      }
    }
    List<Value> outs = b.op(op, operands, attrs);
    for (Value v : outs) g.addOutput(v);
    return checkGraph(runner, g, args, rtol, atol, tileColumns);
  }

  /** Lowers the closed graph {@code g}, runs it on {@code args} and compares with the interpreter. */
  public static List<Tensor> checkGraph(Runner runner, Graph g, List<Object> args, double rtol, double atol) {
    return checkGraph(runner, g, args, rtol, atol, 1);
  }

  /** {@link #checkGraph} lowered with {@code tileColumns} output columns per matmul work item. */
  public static List<Tensor> checkGraph(Runner runner, Graph g, List<Object> args, double rtol, double atol, int tileColumns) {
    List<Object> expected = new Interpreter().run(g, args);
    GroupLowerer.Lowered lowered = GroupLowerer.lower("k", g, null, g.name(), true, true, tileColumns);
    Map<Value, Tensor> values = new IdentityHashMap<>();
    for (int i = 0; i < g.inputs().size(); i++) values.put(g.inputs().get(i), (Tensor) args.get(i));
    Map<Buffer, Tensor> memory = new HashMap<>();
    for (Map.Entry<Buffer, Value> e : lowered.bindings().entrySet()) {
      Buffer buf = e.getKey();
      Tensor t = values.get(e.getValue());
      if (t == null && buf.data() != null) t = buf.data();
      if (t == null) {
        t = Tensor.zeros(buf.dtype(), buf.shape());
        values.put(e.getValue(), t);
      }
      memory.put(buf, t);
    }
    for (Buffer tmp : lowered.temporaries()) memory.put(tmp, Tensor.zeros(tmp.dtype(), tmp.shape()));
    for (dev.weft.codegen.kir.Kernel k : lowered.kernels()) for (Buffer p : k.params()) if (p.data() != null) memory.putIfAbsent(p, p.data());
    runner.run(lowered.kernels(), memory);
    List<Tensor> results = new ArrayList<>();
    for (int k = 0; k < g.outputs().size(); k++) {
      Tensor want = (Tensor) expected.get(k);
      Tensor got = values.get(g.outputs().get(k));
      assertClose(want, got, rtol, atol, g.name() + " result " + k);
      results.add(want);
    }
    return results;
  }

  /** |a - e| <= atol + rtol |e| elementwise, NaN where NaN expected, infinities equal. */
  public static void assertClose(Tensor expected, Tensor actual, double rtol, double atol, String what) {
    assertEquals(expected.dtype(), actual.dtype(), what + ": dtype");
    assertArrayEquals(expected.shape(), actual.shape(), what + ": shape");
    for (long i = 0; i < expected.size(); i++) {
      if (!expected.dtype().isFloat()) {
        assertEquals(expected.getLong(i), actual.getLong(i), what + ": element " + i);
        continue;
      }
      double e = expected.getDouble(i);
      double a = actual.getDouble(i);
      if (Double.isNaN(e)) assertTrue(Double.isNaN(a), what + ": element " + i + ": expected NaN, got " + a);
      else if (Double.isInfinite(e)) assertEquals(e, a, what + ": element " + i);
      else assertTrue(Math.abs(a - e) <= atol + rtol * Math.abs(e), what + ": element " + i + ": expected " + e + ", got " + a);
    }
  }

  /** Random values in [-range, range] (integers: rounded), seeded. */
  public static Tensor random(DType t, long seed, double range, long... shape) {
    Random r = new Random(seed);
    Tensor x = Tensor.zeros(t, shape);
    for (long i = 0; i < x.size(); i++) {
      double v = (r.nextDouble() * 2 - 1) * range;
      if (t == DType.BOOL) x.setBool(i, v > 0);
      else if (t.isFloat()) x.setDouble(i, v);
      else x.setLong(i, Math.round(t.isSigned() ? v : Math.abs(v)));
    }
    return x;
  }
}
