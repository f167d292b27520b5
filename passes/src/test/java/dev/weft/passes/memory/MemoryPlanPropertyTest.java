package dev.weft.passes.memory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.bundle.DType;
import dev.weft.bundle.Tensor;
import dev.weft.ir.Attribute;
import dev.weft.ir.Dim;
import dev.weft.ir.Graph;
import dev.weft.ir.GraphBuilder;
import dev.weft.ir.TensorType;
import dev.weft.ir.Value;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Random graphs (elementwise chains with broadcasting, views, matmuls, reductions, splits and
 * concats over a symbolic batch dim, dead values, several outputs): every plan, with and
 * without sharing, passes {@link PlanChecker}, lies between the lower bound and the naive size,
 * and is the same when planned twice (determinism).
 */
class MemoryPlanPropertyTest {
  static final int GRAPHS = 400;

  @Test
  void randomGraphsGetValidPlans() {
    long shared = 0;
    for (int seed = 0; seed < GRAPHS; seed++) {
      Random r = new Random(seed);
      Graph g = randomGraph(r);
      Map<String, Long> bind = Map.of("n", 1L + r.nextInt(7));
      for (MemoryPlanner planner : List.of(new MemoryPlanner(), new MemoryPlanner(false, false), new MemoryPlanner(true, false))) {
        MemoryPlan p = planner.run(g, bind);
        List<String> errors = PlanChecker.check(g, p);
        int s = seed;
        assertEquals(List.of(), errors, () -> "seed " + s + ":\n" + dev.weft.ir.text.WirPrinter.toText(new dev.weft.ir.Module(g)));
        assertTrue(p.lowerBound() <= p.peakBytes() && p.peakBytes() <= p.naiveBytes(), "seed " + seed + ": " + p.summary());
        assertEquals(p, planner.run(g, bind), "seed " + seed + ": not deterministic");
      }
      shared += MemoryPlanner.plan(g, bind).inPlaceCount();
    }
    assertTrue(shared > GRAPHS, "random graphs should exercise in-place updates, got " + shared);
  }

  static Graph randomGraph(Random r) {
    Graph g = new Graph("rand");
    GraphBuilder b = new GraphBuilder(g);
    List<Value> pool = new ArrayList<>();
    int inputs = 1 + r.nextInt(3);
    for (int i = 0; i < inputs; i++) pool.add(g.addInput("x" + i, TensorType.of(DType.F32, Dim.sym("n"), Dim.of(width(r)))));
    int steps = 3 + r.nextInt(40);
    for (int i = 0; i < steps; i++) {
      Value x = pick(r, pool);
      long w = ((TensorType) x.type()).shape().dim(1).size();
      Value y = switch (r.nextInt(9)) {
        case 0 -> b.op1(List.of("exp", "neg", "relu", "tanh").get(r.nextInt(4)), x);
        case 1 -> {
          Value other = sameWidth(r, pool, w);
          yield b.op1(List.of("add", "mul", "sub", "max").get(r.nextInt(4)), x, other == null ? x : other);
        }
        case 2 -> b.op1("add", x, b.constant(Tensor.zeros(DType.F32, new long[] {w})));
        case 3 -> b.op1("matmul", x, b.constant(Tensor.zeros(DType.F32, new long[] {w, width(r)})));
        case 4 -> b.op1("mul", x, b.op1("reduce_sum", Map.of("axes", Attribute.of(new long[] {1}), "keepdims", Attribute.of(1L)), x));
        case 5 -> b.op1("squeeze", Map.of("axes", Attribute.of(new long[] {0})), b.op1("unsqueeze", Map.of("axes", Attribute.of(new long[] {0})), x));
        case 6 -> {
          if (w % 2 != 0) yield b.op1("sigmoid", x);
          List<Value> halves = b.op("split", List.of(x), Map.of("axis", Attribute.of(1L), "num_outputs", Attribute.of(2L)));
          yield r.nextBoolean() ? halves.get(0) : b.op1("add", halves.get(0), halves.get(1));
        }
        case 7 -> b.op1("concat", Map.of("axis", Attribute.of(1L)), x, pick(r, pool));
        default -> b.op1("cast", Map.of("to", Attribute.of(DType.F32)), x);
      };
      if (((TensorType) y.type()).shape().dim(1).size() > 64) y = b.op1("reduce_max", Map.of("axes", Attribute.of(new long[] {1}), "keepdims", Attribute.of(1L)), y);
      pool.add(y);
    }
    g.addOutput(pool.getLast());
    for (Value v : pool) if (v.producer() != null && r.nextInt(8) == 0 && !g.outputs().contains(v)) g.addOutput(v);
    return g;
  }

  static long width(Random r) { return 1L << (1 + r.nextInt(4)); }

  /** Mostly recent values, so chains form and values die. */
  static Value pick(Random r, List<Value> pool) {
    int n = pool.size();
    return pool.get(r.nextInt(3) == 0 ? r.nextInt(n) : Math.max(0, n - 1 - r.nextInt(Math.min(n, 3))));
  }

  static Value sameWidth(Random r, List<Value> pool, long w) {
    List<Value> ok = pool.stream().filter(v -> ((TensorType) v.type()).shape().dim(1).size() == w).toList();
    return ok.isEmpty() ? null : ok.get(r.nextInt(ok.size()));
  }
}
