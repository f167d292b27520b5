package dev.weft.compiler.debug;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.bundle.DType;
import dev.weft.bundle.Tensor;
import dev.weft.compiler.CompileOptions;
import dev.weft.compiler.Compiler;
import dev.weft.ir.Graph;
import dev.weft.ir.GraphBuilder;
import dev.weft.ir.Module;
import dev.weft.ir.TensorType;
import dev.weft.ir.Value;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The compiled CPU program against the interpreter, group by group; a fault injected into one group is found there. */
class NumericsDebuggerTest {
  /** matmul -> add/tanh -> reshape (a view) -> matmul -> sigmoid: several groups, a weight, a view. */
  private static Compiler.Compilation compiled() {
    Graph g = new Graph("m");
    Value x = g.addInput("x", TensorType.of(DType.F32, 4, 6));
    GraphBuilder b = new GraphBuilder(g);
    Value h = b.op1("matmul", x, b.constant(random(1, 6, 8)));
    Value t = b.op1("tanh", b.op1("add", h, b.constant(random(2, 8))));
    Value r = b.op1("reshape", Map.of(), t, b.constant(Tensor.ofLongs(new long[] {2}, 8, 4)));
    Value y = b.op1("sigmoid", b.op1("matmul", r, b.constant(random(3, 4, 3))));
    g.addOutput(y);
    return Compiler.compile(new Module(g), CompileOptions.cpu(), null);
  }

  @Test
  void matchingProgramReportsNoDivergence() {
    Compiler.Compilation c = compiled();
    NumericsReport r = NumericsDebugger.run(c, Map.of("x", random(7, 4, 6)), new NumericsDebugger.Options(1e-4, 1e-5, null));
    assertFalse(r.diverged(), () -> text(r));
    assertNull(r.firstDivergence());
    assertTrue(r.groups().size() >= 2, "several groups compared: " + text(r));
    assertTrue(r.launches() >= r.groups().size());
    // Every group's values were really compared: elements counted, and the worst error is small but reported.
    for (NumericsReport.GroupResult g : r.groups()) {
      assertFalse(g.values().isEmpty(), g.group());
      assertTrue(g.values().get(0).diff().size() > 0, g.group());
    }
    assertTrue(text(r).contains("no divergence; worst error"), text(r));
  }

  @Test
  void perturbedGroupIsTheFirstDivergenceWithItsNodes() {
    Compiler.Compilation c = compiled();
    Map<String, Tensor> in = Map.of("x", random(7, 4, 6));
    NumericsReport clean = NumericsDebugger.run(c, in, new NumericsDebugger.Options(1e-4, 1e-5, null));
    NumericsReport.GroupResult target = clean.groups().get(1);
    NumericsReport r = NumericsDebugger.run(c, in, new NumericsDebugger.Options(1e-4, 1e-5, target.group()));
    NumericsReport.GroupResult first = r.firstDivergence();
    assertNotNull(first, () -> text(r));
    assertEquals(target.group(), first.group());
    assertEquals(target.nodes(), first.nodes());
    assertFalse(first.nodes().isEmpty());
    TensorDiff d = first.values().get(0).diff();
    assertEquals(0, d.firstBad(), "the perturbed element is the first one");
    assertTrue(d.maxAbs() >= 1.0, "moved by at least 1: " + d.maxAbs());
    assertTrue(r.groups().get(0).ok(), "the group before it still matches");
    String s = text(r);
    assertTrue(s.contains("FIRST DIVERGENCE") && s.contains(target.group()) && s.contains(first.nodes().get(0)), s);
    assertTrue(r.toJson().contains("\"diverged\": true") || r.toJson().contains("\"diverged\":true"), r.toJson());
  }

  @Test
  void diffFollowsTheToleranceRuleAndNanMasks() {
    Tensor want = Tensor.ofFloats(new long[] {2, 2}, 1f, 100f, Float.NaN, 0f);
    TensorDiff same = TensorDiff.of(want, want, 0, 0);
    assertTrue(same.ok());
    // 100 -> 100.005: abs 5e-3, allowed 1e-5 + 1e-4*100 = 1.001e-2
    Tensor near = Tensor.ofFloats(new long[] {2, 2}, 1f, 100.005f, Float.NaN, 0f);
    assertTrue(TensorDiff.of(near, want, 1e-4, 1e-5).ok());
    Tensor nanLost = Tensor.ofFloats(new long[] {2, 2}, 1f, 100f, 3f, 0f);
    TensorDiff d = TensorDiff.of(nanLost, want, 1e-4, 1e-5);
    assertEquals(1, d.badCount());
    assertEquals(2, d.firstBad());
    assertEquals("[1, 0]", TensorDiff.coordinates(d.firstBad(), new long[] {2, 2}));
  }

  private static String text(NumericsReport r) {
    StringWriter w = new StringWriter();
    r.print(new PrintWriter(w, true));
    return w.toString();
  }

  static Tensor random(long seed, long... shape) {
    Random r = new Random(seed);
    Tensor t = Tensor.zeros(DType.F32, shape);
    for (long i = 0; i < t.size(); i++) t.setDouble(i, r.nextGaussian());
    return t;
  }

  /**
   * A program with an if step (ControlFlowLoweringTest's model): the step runs, is reported as not
   * compared, and the group after it is compared on the if's compiled results, for either branch.
   */
  @Test
  void ifStepsRunAndAreReportedAsNotCompared() {
    for (double sign : new double[] {1, -1}) {
      Compiler.Compilation c = Compiler.compile(dev.weft.compiler.ControlFlowLoweringTestAccess.ifModel(), CompileOptions.cpu(), null);
      Tensor x = random(5, 2, 3);
      for (long i = 0; i < x.size(); i++) x.setDouble(i, sign * (Math.abs(x.getDouble(i)) + 0.1));
      NumericsReport r = NumericsDebugger.run(c, Map.of("x", x), new NumericsDebugger.Options(1e-4, 1e-5, null));
      assertFalse(r.diverged(), () -> text(r));
      assertTrue(r.notCompared().size() == 1 && r.notCompared().get(0).contains("if"), () -> text(r));
      assertTrue(r.groups().size() >= 2, "the groups before and after the if are compared: " + text(r));
      assertTrue(r.toJson().contains("\"not_compared\""));
    }
  }
}
