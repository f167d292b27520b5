package dev.weft.compiler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.bundle.DType;
import dev.weft.bundle.Tensor;
import dev.weft.bundle.program.Step;
import dev.weft.ir.Attribute;
import dev.weft.ir.Graph;
import dev.weft.ir.GraphBuilder;
import dev.weft.ir.Module;
import dev.weft.ir.Node;
import dev.weft.ir.Shape;
import dev.weft.ir.TensorType;
import dev.weft.ir.Value;
import dev.weft.ir.interp.Interpreter;
import dev.weft.passes.PassManager;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * {@code if} and {@code loop} lowered to nested program steps after the default pipeline, run by
 * {@link ProgramEvaluator} and compared with the reference interpreter on the original graph.
 */
class ControlFlowLoweringTest {
  /**
   * y = sum(x) > 0 ? tanh(x * w) + x (with a nested if on the same flag) : reshape(x) - 1; z = y * 2.
   * The then branch holds kernels, a captured weight and input, a constant and a nested if; the
   * else branch a view of an outer value.
   */
  static Module ifModel() {
    Graph g = new Graph("m");
    Value x = g.addInput("x", TensorType.of(DType.F32, 2, 3));
    GraphBuilder b = new GraphBuilder(g);
    Value w = b.constant(ProgramLoweringTest.random(7, 2, 3));
    Value s = b.op1("reduce_sum", Map.of("keepdims", Attribute.of(0L)), x);
    Value flag = b.op1("greater", s, b.constant(Tensor.scalar(DType.F32, 0)));

    Graph then = new Graph("then");
    GraphBuilder tb = new GraphBuilder(then);
    Value t = tb.op1("add", tb.op1("tanh", tb.op1("mul", x, w)), x);
    Graph innerThen = new Graph("inner_then");
    innerThen.addOutput(new GraphBuilder(innerThen).op1("neg", t));
    Graph innerElse = new Graph("inner_else");
    innerElse.addOutput(new GraphBuilder(innerElse).op1("abs", t));
    Value nested = tb.op("if", List.of(flag), Map.of("then_branch", Attribute.of(innerThen), "else_branch", Attribute.of(innerElse))).get(0);
    then.addOutput(tb.op1("add", nested, tb.constant(Tensor.scalar(DType.F32, 0.25))));

    Graph otherwise = new Graph("else");
    GraphBuilder eb = new GraphBuilder(otherwise);
    Value flat = eb.op1("reshape", Map.of(), x, eb.constant(Tensor.ofLongs(new long[] {2}, 2, 3)));
    otherwise.addOutput(eb.op1("sub", flat, eb.constant(Tensor.scalar(DType.F32, 1))));

    Value y = b.op("if", List.of(flag), Map.of("then_branch", Attribute.of(then), "else_branch", Attribute.of(otherwise))).get(0);
    g.addOutput(b.op1("mul", y, b.constant(Tensor.scalar(DType.F32, 2))));
    return new Module(g);
  }

  @Test
  void ifTakesEitherBranchFromData() {
    Tensor positive = ProgramLoweringTest.random(1, 2, 3);
    for (int i = 0; i < 6; i++) positive.setDouble(i, Math.abs(positive.getDouble(i)) + 0.1);
    Tensor negative = ProgramLoweringTest.random(2, 2, 3);
    for (int i = 0; i < 6; i++) negative.setDouble(i, -Math.abs(negative.getDouble(i)) - 0.1);
    Module module = ifModel();
    List<Object> wantPos = new Interpreter().run(module.main(), List.of(positive));
    List<Object> wantNeg = new Interpreter().run(module.main(), List.of(negative));
    PassManager.parse(PassManager.DEFAULT_PIPELINE).run(module);

    ProgramLowering.Result lowered = ProgramLowering.lower(module.main(), LoweringOptions.host());
    ArenaPlanner.Plan plan = ArenaPlanner.plan(lowered.buffers(), lowered.steps());
    Step.If top = lowered.steps().stream().filter(s -> s instanceof Step.If).map(s -> (Step.If) s).findFirst().orElseThrow();
    assertTrue(Step.flatten(top.then()).stream().anyMatch(s -> s instanceof Step.If), "the nested if stays nested");
    assertTrue(top.then().stream().anyMatch(s -> s instanceof Step.Launch), "the then branch launches kernels");
    String out = module.main().outputs().get(0).name();
    ProgramLoweringTest.assertClose((Tensor) wantPos.get(0), ProgramEvaluator.run(lowered, plan, Map.of("x", positive)).get(out));
    ProgramLoweringTest.assertClose((Tensor) wantNeg.get(0), ProgramEvaluator.run(lowered, plan, Map.of("x", negative)).get(out));
    // a different answer per branch, so a lowering that always ran one of them would fail above
    assertTrue(((Tensor) wantPos.get(0)).getDouble(0) != ((Tensor) wantNeg.get(0)).getDouble(0));
  }

  /**
   * for it < n while cond: (a, b) = (b + it, a * x); cond = sum(b) < limit; scan out = a.
   * Carried values swap (the state copies must go through temporaries), the body reads the
   * iteration counter and a captured input, and the condition comes from data. The scan output
   * has a static trip count of 3, so the condition must stay true for three trips.
   */
  static Module loopModel(boolean withScan) {
    Graph g = new Graph("m");
    Value x = g.addInput("x", TensorType.of(DType.F32, 3));
    Value limit = g.addInput("limit", new TensorType(DType.F32, Shape.scalar()));
    GraphBuilder b = new GraphBuilder(g);
    Value n = b.constant(Tensor.ofLongs(new long[0], 3));
    Value cond = b.op1("less", b.op1("reduce_sum", Map.of("keepdims", Attribute.of(0L)), x), limit);
    Value a0 = b.op1("neg", x);
    Value b0 = b.op1("exp", x);

    Graph body = new Graph("body");
    Value it = body.addInput("it", new TensorType(DType.I64, Shape.scalar()));
    body.addInput("cond_in", new TensorType(DType.BOOL, Shape.scalar()));
    Value a = body.addInput("a", TensorType.of(DType.F32, 3));
    Value bb = body.addInput("b", TensorType.of(DType.F32, 3));
    GraphBuilder bd = new GraphBuilder(body);
    Value itf = bd.op1("cast", Map.of("to", Attribute.of(DType.F32)), it);
    Value na = bd.op1("add", bb, itf);
    Value nb = bd.op1("mul", a, x);
    Value c = bd.op1("less", bd.op1("reduce_sum", Map.of("keepdims", Attribute.of(0L)), nb), limit);
    body.addOutput(c);
    body.addOutput(withScan ? na : bb);
    body.addOutput(withScan ? nb : a);
    if (withScan) body.addOutput(bd.op1("identity", a));

    Node loop = g.append(dev.weft.ir.OpRegistry.global().get("loop"), null);
    loop.addInput(n);
    loop.addInput(cond);
    loop.addInput(a0);
    loop.addInput(b0);
    loop.setAttribute("body", Attribute.of(body));
    Value ra = loop.addOutput(g.claim("ra"), TensorType.of(DType.F32, 3));
    Value rb = loop.addOutput(g.claim("rb"), TensorType.of(DType.F32, 3));
    g.addOutput(ra);
    g.addOutput(rb);
    if (withScan) g.addOutput(loop.addOutput(g.claim("scan"), TensorType.of(DType.F32, 3, 3)));
    return new Module(g);
  }

  @Test
  void loopCarriesValuesSwapsStatesAndStacksScans() {
    for (boolean withScan : new boolean[] {false, true}) {
      Tensor x = Tensor.ofFloats(new long[] {3}, 0.5f, -1f, 2f);
      for (double lim : withScan ? new double[] {1e9} : new double[] {1e9, 3.0, -100}) {
        Tensor limit = Tensor.scalar(DType.F32, lim);
        Module module = loopModel(withScan);
        List<Object> want = new Interpreter().run(module.main(), List.of(x, limit));
        PassManager.parse(PassManager.DEFAULT_PIPELINE).run(module);
        ProgramLowering.Result lowered = ProgramLowering.lower(module.main(), LoweringOptions.host());
        ArenaPlanner.Plan plan = ArenaPlanner.plan(lowered.buffers(), lowered.steps());
        assertTrue(lowered.steps().stream().anyMatch(s -> s instanceof Step.Loop), "a loop step");
        Map<String, Tensor> in = new LinkedHashMap<>();
        in.put("x", x);
        in.put("limit", limit);
        Map<String, Tensor> got = ProgramEvaluator.run(lowered, plan, in);
        List<Value> outs = module.main().outputs();
        for (int i = 0; i < outs.size(); i++) {
          Tensor g = got.get(outs.get(i).name());
          assertTrue(g != null, "output " + outs.get(i).name() + " in " + got.keySet());
          ProgramLoweringTest.assertClose((Tensor) want.get(i), g);
        }
        assertEquals(outs.size(), got.size());
      }
    }
  }

  /**
   * The shape of silero-vad-v5's top level: {@code if (sr == 16000)} on an int64 scalar input,
   * both branches reading the model inputs and producing two results, one of them the state input
   * passed through (a view of an input copied into the if's result).
   */
  @Test
  void topLevelIfOnASampleRateInput() {
    Graph g = new Graph("vad");
    Value x = g.addInput("input", TensorType.of(DType.F32, 1, 4));
    Value state = g.addInput("state", TensorType.of(DType.F32, 2, 1, 4));
    Value sr = g.addInput("sr", new TensorType(DType.I64, Shape.scalar()));
    GraphBuilder b = new GraphBuilder(g);
    Value is16k = b.op1("equal", sr, b.constant(Tensor.ofLongs(new long[0], 16000)));
    Graph k16 = new Graph("k16");
    GraphBuilder tb = new GraphBuilder(k16);
    k16.addOutput(tb.op1("sigmoid", tb.op1("mul", x, tb.constant(Tensor.scalar(DType.F32, 2)))));
    k16.addOutput(tb.op1("identity", state));
    Graph k8 = new Graph("k8");
    GraphBuilder eb = new GraphBuilder(k8);
    k8.addOutput(eb.op1("sigmoid", eb.op1("add", x, eb.constant(Tensor.scalar(DType.F32, 1)))));
    k8.addOutput(eb.op1("neg", state));
    List<Value> outs = b.op("if", List.of(is16k), Map.of("then_branch", Attribute.of(k16), "else_branch", Attribute.of(k8)),
        List.of("output", "stateN"));
    g.addOutput(outs.get(0));
    g.addOutput(outs.get(1));
    Module module = new Module(g);
    Tensor in = ProgramLoweringTest.random(3, 1, 4);
    Tensor st = ProgramLoweringTest.random(4, 2, 1, 4);
    Map<Long, List<Object>> want = new LinkedHashMap<>();
    for (long rate : new long[] {16000, 8000}) want.put(rate, new Interpreter().run(g, List.of(in, st, Tensor.ofLongs(new long[0], rate))));
    PassManager.parse(PassManager.DEFAULT_PIPELINE).run(module);
    ProgramLowering.Result lowered = ProgramLowering.lower(module.main(), LoweringOptions.host());
    ArenaPlanner.Plan plan = ArenaPlanner.plan(lowered.buffers(), lowered.steps());
    assertTrue(lowered.steps().stream().anyMatch(st2 -> st2 instanceof Step.If));
    for (long rate : new long[] {16000, 8000}) {
      Map<String, Tensor> feed = new LinkedHashMap<>();
      feed.put("input", in);
      feed.put("state", st);
      feed.put("sr", Tensor.ofLongs(new long[0], rate));
      Map<String, Tensor> got = ProgramEvaluator.run(lowered, plan, feed);
      ProgramLoweringTest.assertClose((Tensor) want.get(rate).get(0), got.get("output"));
      ProgramLoweringTest.assertClose((Tensor) want.get(rate).get(1), got.get("stateN"));
    }
  }
}
