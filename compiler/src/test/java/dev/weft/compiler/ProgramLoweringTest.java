package dev.weft.compiler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.bundle.DType;
import dev.weft.bundle.Tensor;
import dev.weft.bundle.program.BufferKind;
import dev.weft.bundle.program.Step;
import dev.weft.ir.Attribute;
import dev.weft.ir.Graph;
import dev.weft.ir.GraphBuilder;
import dev.weft.ir.Module;
import dev.weft.ir.TensorType;
import dev.weft.ir.Value;
import dev.weft.ir.interp.Interpreter;
import dev.weft.passes.PassManager;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Program structure (views, weights, arena reuse, copies) checked by evaluating kernels against the interpreter. */
class ProgramLoweringTest {
  @Test
  void elementwiseChainWithViewsWeightsAndReusedArena() {
    Graph g = new Graph("m");
    Value x = g.addInput("x", TensorType.of(DType.F32, 2, 6));
    GraphBuilder b = new GraphBuilder(g);
    Value w = b.constant(random(1, 2, 6));
    Value a = b.op1("add", x, w);
    Value t = b.op1("tanh", a);
    Value r = b.op1("reshape", Map.of(), t, b.constant(Tensor.ofLongs(new long[] {2}, 3, 4)));
    Value s = b.op1("sigmoid", r);
    Value m = b.op1("mul", s, b.constant(Tensor.scalar(DType.F32, 0.5)));
    Value e = b.op1("exp", m);
    g.addOutput(e);
    g.addOutput(r);
    Module module = new Module(g);
    Tensor in = random(2, 2, 6);
    List<Object> want = new Interpreter().run(g, List.of(in));

    ProgramLowering.Result lowered = ProgramLowering.lower(g, LoweringOptions.host());
    ArenaPlanner.Plan plan = ArenaPlanner.plan(lowered.buffers(), lowered.steps());
    assertTrue(plan.buffers().stream().anyMatch(buf -> buf.kind() == BufferKind.VIEW), "reshape became a view");
    assertTrue(plan.buffers().stream().anyMatch(buf -> buf.kind() == BufferKind.WEIGHT), "constant became a weight");
    assertTrue(plan.arenaBytes() < plan.naiveBytes(), "arena reuses memory: " + plan.arenaBytes() + " vs " + plan.naiveBytes());
    assertTrue(lowered.steps().stream().anyMatch(st -> st instanceof Step.Copy), "an output that is a view is copied out");
    Map<String, Tensor> got = ProgramEvaluator.run(lowered, plan, Map.of("x", in));
    assertClose((Tensor) want.get(0), got.get(e.name()));
    assertClose((Tensor) want.get(1), got.get(r.name() + "__out") != null ? got.get(r.name() + "__out") : got.get(r.name()));
    assertEquals(2, got.size());
    assertTrue(PassManager.nodeCount(module) > 0);
  }

  static Tensor random(long seed, long... shape) {
    Random r = new Random(seed);
    Tensor t = Tensor.zeros(DType.F32, shape);
    for (long i = 0; i < t.size(); i++) t.setDouble(i, r.nextGaussian());
    return t;
  }

  static void assertClose(Tensor want, Tensor got) {
    assertEquals(want.size(), got.size());
    for (long i = 0; i < want.size(); i++) {
      double e = want.getDouble(i);
      assertTrue(Math.abs(e - got.getDouble(i)) <= 1e-5 + 1e-5 * Math.abs(e), "element " + i + ": " + e + " vs " + got.getDouble(i));
    }
  }

}
