package dev.weft.ir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.bundle.DType;
import dev.weft.bundle.Tensor;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** One test per rejection: the message names the node (by its source name) and the reason. */
class VerifierTest {
  private static final Location BAD = Location.named("model.onnx", "Bad");
  private final Verifier verifier = new Verifier(TestOps.REGISTRY);

  private static VerifyException rejects(Verifier v, Graph g, String... reason) {
    VerifyException e = assertThrows(VerifyException.class, () -> v.verify(g));
    for (String r : reason) assertTrue(e.getMessage().contains(r), () -> "'" + r + "' not in: " + e.getMessage());
    return e;
  }

  private VerifyException rejectsBad(Graph g, String... reason) {
    VerifyException e = rejects(verifier, g, reason);
    assertTrue(e.getMessage().contains("model.onnx node 'Bad'"), e.getMessage());
    assertEquals(BAD, e.node().location());
    return e;
  }

  private static Graph input(String name, Value[] out, long... dims) {
    Graph g = new Graph(name);
    out[0] = g.addInput("x", TestOps.f32(dims));
    return g;
  }

  @Test
  void acceptsAValidGraphWithASubgraph() {
    Graph g = new Graph("main");
    Value x = g.addInput("x", TestOps.f32(2));
    GraphBuilder b = TestOps.builder(g);
    Value r = b.op1("relu", x);
    Graph body = new Graph("body");
    body.addOutput(TestOps.builder(body).op1("add", r, x));   // reads enclosing values defined earlier
    Value blk = b.op1("test.block", Map.of("body", Attribute.of(body)));
    g.addOutput(blk);
    Module m = new Module(g);
    verifier.verify(m);
    assertTrue(verifier.check(g).isEmpty());
  }

  @Test
  void unknownOp() {
    Graph g = new Graph("main");
    TestOps.builder(g).at(BAD).op1("test.fresh");
    g.addOutput(g.nodes().get(0).output(0));
    rejects(new Verifier(), g, "model.onnx node 'Bad'", "unknown op 'test.fresh'");
    verifier.verify(g);   // known to the test registry
  }

  @Test
  void operandArity() {
    Value[] x = new Value[1];
    Graph g = input("main", x, 2);
    Node n = g.append(TestOps.REGISTRY.get("add"), BAD);
    n.addInput(x[0]);
    g.addOutput(n.addOutput("y", TestOps.f32(2)));
    rejectsBad(g, "has 1 operands, op add takes 2");
  }

  @Test
  void resultArity() {
    Value[] x = new Value[1];
    Graph g = input("main", x, 2);
    Node n = g.append(TestOps.REGISTRY.get("neg"), BAD);
    n.addInput(x[0]);
    g.addOutput(n.addOutput("y", TestOps.f32(2)));
    n.addOutput("z", TestOps.f32(2));
    rejectsBad(g, "has 2 results, op neg gives 1");
  }

  @Test
  void missingRequiredOperand() {
    Value[] x = new Value[1];
    Graph g = input("main", x, 2);
    Node n = g.append(TestOps.REGISTRY.get("mul"), BAD);
    n.addInput(null);
    n.addInput(x[0]);
    g.addOutput(n.addOutput("y", TestOps.f32(2)));
    rejectsBad(g, "required operand 0 is missing");
  }

  @Test
  void unknownAttribute() {
    Value[] x = new Value[1];
    Graph g = input("main", x, 2);
    Value r = TestOps.builder(g).at(BAD).op1("relu", x[0]);
    r.producer().setAttribute("alpha", Attribute.of(0.1));
    g.addOutput(r);
    rejectsBad(g, "unknown attribute 'alpha'");
  }

  @Test
  void attributeOfTheWrongKind() {
    Graph g = new Graph("main");
    Value c = TestOps.builder(g).at(BAD).constant(Tensor.scalar(DType.F32, 1));
    c.producer().setAttribute("value", Attribute.of(1L));
    g.addOutput(c);
    rejectsBad(g, "attribute 'value' is INT, expected TENSOR");
  }

  @Test
  void missingRequiredAttribute() {
    Graph g = new Graph("main");
    Node n = g.append(TestOps.REGISTRY.get("constant"), BAD);
    g.addOutput(n.addOutput("c", TestOps.f32()));
    rejectsBad(g, "missing required attribute 'value'");
  }

  @Test
  void useBeforeDefinitionInAnUnsortedGraph() {
    Value[] x = new Value[1];
    Graph g = input("main", x, 2);
    GraphBuilder b = TestOps.builder(g);
    Value e = b.op1("exp", x[0]);
    Value late = b.op1("log", e);
    Value early = b.insertBefore(e.producer()).at(BAD).op1("sqrt", x[0]);
    early.producer().setInput(0, late);   // sqrt is now scheduled before the log it reads
    g.addOutput(early);
    rejectsBad(g, "uses a result of log -> %log", "later in the schedule", "not topologically sorted");
  }

  @Test
  void nodeConsumingItsOwnResult() {
    Value[] x = new Value[1];
    Graph g = input("main", x, 2);
    Value n = TestOps.builder(g).at(BAD).op1("neg", x[0]);
    n.producer().setInput(0, n);
    g.addOutput(n);
    rejectsBad(g, "consumes its own result %neg");
  }

  @Test
  void cycleNamesItsNodes() {
    Value[] x = new Value[1];
    Graph g = input("main", x, 2);
    GraphBuilder b = TestOps.builder(g);
    Value a = b.at(Location.named("model.onnx", "A")).op1("neg", x[0]);
    Value c = b.at(Location.named("model.onnx", "B")).op1("abs", a);
    Value d = b.at(Location.named("model.onnx", "C")).op1("exp", c);
    a.producer().setInput(0, d);
    g.addOutput(d);
    VerifyException e = rejects(verifier, g, "dependency cycle: 'A' -> 'B' -> 'C' -> 'A'", "node 'A'");
    CycleException ce = assertInstanceOf(CycleException.class, e);
    assertEquals(List.of(a.producer(), c.producer(), d.producer()), ce.cycle());
  }

  @Test
  void valueFromAnUnrelatedGraph() {
    Graph other = new Graph("other");
    Value foreign = other.addInput("f", TestOps.f32(2));
    Value[] x = new Value[1];
    Graph g = input("main", x, 2);
    Value s = TestOps.builder(g).at(BAD).op1("sub", x[0], foreign);
    g.addOutput(s);
    rejectsBad(g, "operand 1 %f is defined in graph 'other', which does not enclose graph 'main'");
  }

  @Test
  void subgraphReadingAValueDefinedAfterItsParent() {
    Value[] x = new Value[1];
    Graph g = input("main", x, 2);
    GraphBuilder b = TestOps.builder(g);
    Value later = b.op1("neg", x[0]);
    Graph body = new Graph("body");
    body.addOutput(TestOps.builder(body).at(BAD).op1("abs", later));
    Value blk = b.insertBefore(later.producer()).op1("test.block", Map.of("body", Attribute.of(body)));
    g.addOutput(blk);
    g.addOutput(later);
    rejectsBad(g, "operand 0 %neg comes from enclosing graph 'main' but is defined after the node holding this subgraph");
  }

  @Test
  void subgraphReadingItsParentsResult() {
    Value[] x = new Value[1];
    Graph g = input("main", x, 2);
    Graph body = new Graph("body");
    body.addOutput(x[0]);
    Value blk = TestOps.builder(g).op1("test.block", Map.of("body", Attribute.of(body)));
    Node holder = blk.producer();
    Value inner = TestOps.builder(body).at(BAD).op1("abs", x[0]);
    body.setOutput(0, inner);
    inner.producer().setInput(0, blk);
    g.addOutput(blk);
    rejectsBad(g, "defined by the node holding this subgraph");
    assertSame(holder, blk.producer());
  }

  @Test
  void duplicateValueNames() {
    Value[] x = new Value[1];
    Graph g = input("main", x, 2);
    Value n = TestOps.builder(g).at(BAD).op1("neg", x[0]);
    n.setName("x");
    g.addOutput(n);
    rejectsBad(g, "duplicate value name %x (also defined by input 0)");
  }

  @Test
  void staleUseInAUseList() {
    Value[] x = new Value[1];
    Graph g = input("main", x, 2);
    Value n = TestOps.builder(g).at(BAD).op1("neg", x[0]);
    g.addOutput(n);
    Graph other = new Graph("other");
    Node ghost = other.append(TestOps.REGISTRY.get("abs"), Location.UNKNOWN);
    n.addUse(new Use(ghost, null, 0));
    rejectsBad(g, "use-list of %neg has a stale use by abs, which is not in the graph");
  }

  @Test
  void useMissingFromAUseList() {
    Value[] x = new Value[1];
    Graph g = input("main", x, 2);
    Value n = TestOps.builder(g).at(BAD).op1("neg", x[0]);
    g.addOutput(n);
    x[0].removeUse(n.producer(), null, 0);
    rejectsBad(g, "operand 0 of neg -> %neg", "reads %x but is missing from its use-list");
  }

  @Test
  void recordedTypeDisagreesWithInference() {
    Value[] x = new Value[1];
    Graph g = input("main", x, 2, 3);
    Value n = TestOps.builder(g).at(BAD).op1("tanh", x[0]);
    n.setType(TestOps.f32(2, 4));
    g.addOutput(n);
    rejectsBad(g, "result %tanh is recorded as f32[2,4] but infers as f32[2,3] (dim 1 is 4 vs 3)");
    n.setType(TensorType.of(DType.F16, 2, 3));
    rejectsBad(g, "dtype f16 vs f32");
    n.setType(TestOps.f32(6));
    rejectsBad(g, "rank 1 vs 2");
    n.setType(TensorType.of(DType.F32, Dim.sym("n"), Dim.of(3)));
    verifier.verify(g);   // a symbolic dim is compatible with a static one
  }

  @Test
  void typeInferenceFailure() {
    Graph g = new Graph("main");
    Value a = g.addInput("a", TestOps.f32(2));
    Value i = g.addInput("i", TensorType.of(DType.I32, 2));
    Value s = TestOps.builder(g).at(BAD).op1("add", a, a);
    s.producer().setInput(1, i);
    g.addOutput(s);
    VerifyException e = rejectsBad(g, "type inference failed: operand 1 is i32, operand 0 is f32");
    assertEquals(1, e.getMessage().split("node 'Bad'", -1).length - 1, "node named once: " + e.getMessage());
  }

  @Test
  void graphOutputNotSet() {
    Value[] x = new Value[1];
    Graph g = input("main", x, 2);
    g.setOutput(1, x[0]);
    rejects(verifier, g, "graph 'main': output 0 is not set");
  }

  @Test
  void nestingDepthLimitWithoutStackOverflow() {
    // 10,000 nested blocks: a depth error, never a StackOverflowError (RELIABILITY.md item 10).
    Graph inner = new Graph("g10000");
    Value x = inner.addInput("x", TestOps.f32(1));
    inner.addOutput(x);
    Graph g = inner;
    for (int d = 9999; d >= 0; d--) {
      Graph outer = new Graph("g" + d);
      outer.addOutput(TestOps.builder(outer).at(Location.named("deep.onnx", "block" + d))
          .op1("test.block", Map.of("body", Attribute.of(g))));
      g = outer;
    }
    VerifyException e = rejects(verifier, g, "node 'block64'", "subgraph nesting depth exceeds the limit of 64");
    assertEquals("g64", e.graph().name());
    rejects(verifier.withMaxDepth(2), g, "node 'block2'", "limit of 2");
  }

  @Test
  void tensorOverTheByteBudget() {
    Graph g = new Graph("main");
    Value x = g.addInput("x", new TensorType(DType.F32, Shape.of(Dim.sym("n"), Dim.sym("m"))));
    Value y = TestOps.builder(g).at(BAD).op1("identity", x);
    y.setType(TestOps.f32(1L << 20, 1L << 20));   // 4 TiB, as a folded ConstantOfShape could claim
    g.addOutput(y);
    rejectsBad(g, "result %identity of type f32[1048576,1048576] needs 4398046511104 bytes, over the tensor budget of 17179869184 bytes");
    y.setType(TestOps.f32(1L << 40, 1L << 40));
    rejectsBad(g, "needs more than 2^63 bytes");
    y.setType(TestOps.f32(16, 16));
    rejects(verifier.withMaxTensorBytes(1000), g, "node 'Bad'", "needs 1024 bytes, over the tensor budget of 1000 bytes");
  }

  @Test
  void collectsEveryProblemOrStopsAtTheFirst() {
    Value[] x = new Value[1];
    Graph g = input("main", x, 2);
    GraphBuilder b = TestOps.builder(g);
    Value r = b.at(Location.named("m.onnx", "First")).op1("relu", x[0]);
    r.producer().setAttribute("alpha", Attribute.of(1.0));
    Value s = b.at(Location.named("m.onnx", "Second")).op1("neg", r);
    s.setType(TestOps.f32(3));
    g.addOutput(s);
    assertEquals(1, verifier.check(g).size());
    Verifier all = verifier.collectingAll(true);
    List<VerifyException> problems = all.check(g);
    assertEquals(2, problems.size());
    VerifyException e = rejects(all, g, "node 'First'", "unknown attribute 'alpha'", "2 problems", "node 'Second'", "infers as");
    assertEquals(2, e.problems().size());
    assertSame(r.producer(), e.node());
  }

  @Test
  void verifyingDoesNotDrawFreshSymbols() {
    Graph g = new Graph("main");
    GraphBuilder b = TestOps.builder(g);
    Value f = b.op1("test.fresh");
    g.addOutput(f);
    assertEquals("f32[_s0]", f.type().toString());
    verifier.verify(g);
    verifier.verify(g);
    assertEquals(Dim.sym("_s1"), g.freshSymbol());
  }

  @Test
  void subgraphVerifiedAloneSeesItsEnclosingValues() {
    Value[] x = new Value[1];
    Graph g = input("main", x, 2);
    Graph body = new Graph("body");
    body.addOutput(TestOps.builder(body).op1("neg", x[0]));
    g.addOutput(TestOps.builder(g).op1("test.block", Map.of("body", Attribute.of(body))));
    verifier.verify(body);
  }
}
