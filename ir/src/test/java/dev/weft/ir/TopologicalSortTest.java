package dev.weft.ir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TopologicalSortTest {
  @Test
  void sortedGraphKeepsItsOrder() {
    Graph g = new Graph("main");
    Value x = g.addInput("x", TestOps.f32(2));
    GraphBuilder b = TestOps.builder(g);
    Value a = b.op1("neg", x);
    Value c = b.op1("abs", x);    // independent of a: stays after it
    g.addOutput(b.op1("add", a, c));
    List<Node> before = List.copyOf(g.nodes());
    assertFalse(TopologicalSort.run(g));
    assertEquals(before, g.nodes());
    assertTrue(TopologicalSort.findCycle(g).isEmpty());
  }

  @Test
  void unsortedGraphSortsDeterministicallyAndStably() {
    Graph g = new Graph("main");
    Value x = g.addInput("x", TestOps.f32(2));
    GraphBuilder b = TestOps.builder(g);
    Value e = b.op1("exp", x);
    Value l = b.op1("log", e);
    Value s = b.insertBefore(e.producer()).op1("sqrt", x);
    Value t = b.insertBefore(e.producer()).op1("tanh", x);
    s.producer().setInput(0, l);    // schedule: sqrt(l), tanh(x), exp(x), log(e)
    g.addOutput(s);
    g.addOutput(t);
    assertThrows(VerifyException.class, () -> new Verifier(TestOps.REGISTRY).verify(g));
    assertTrue(TopologicalSort.run(g));
    // tanh and exp were ready first and keep their relative order; sqrt waits for log.
    assertEquals(List.of("tanh", "exp", "log", "sqrt"), ops(g));
    new Verifier(TestOps.REGISTRY).verify(g);
    assertFalse(TopologicalSort.run(g));
  }

  @Test
  void subgraphReadsAreDependencies() {
    Graph g = new Graph("main");
    Value x = g.addInput("x", TestOps.f32(2));
    GraphBuilder b = TestOps.builder(g);
    Value n = b.op1("neg", x);
    Graph body = new Graph("body");
    body.addOutput(TestOps.builder(body).op1("abs", n));
    Value blk = b.insertBefore(n.producer()).op1("test.block", Map.of("body", Attribute.of(body)));
    g.addOutput(blk);
    assertEquals(List.of("test.block", "neg"), ops(g));
    TopologicalSort.run(g);
    assertEquals(List.of("neg", "test.block"), ops(g));
    new Verifier(TestOps.REGISTRY).verify(g);
  }

  @Test
  void cycleIsATypedErrorNamingItsNodes() {
    Graph g = new Graph("main");
    Value x = g.addInput("x", TestOps.f32(2));
    GraphBuilder b = TestOps.builder(g);
    Value a = b.at(Location.named("m.onnx", "A")).op1("neg", x);
    Value c = b.at(Location.named("m.onnx", "B")).op1("abs", a);
    b.at(Location.named("m.onnx", "Tail")).op1("exp", c);   // downstream of the cycle, not in it
    a.producer().setInput(0, c);
    CycleException e = assertThrows(CycleException.class, () -> TopologicalSort.order(g));
    assertEquals(List.of(a.producer(), c.producer()), e.cycle());
    assertTrue(e.getMessage().contains("dependency cycle: 'A' -> 'B' -> 'A'"), e.getMessage());
    assertEquals(e.cycle(), TopologicalSort.findCycle(g));
  }

  @Test
  void selfLoopIsACycle() {
    Graph g = new Graph("main");
    Value x = g.addInput("x", TestOps.f32(2));
    Value a = TestOps.builder(g).op1("neg", x);
    a.producer().setInput(0, a);
    assertEquals(List.of(a.producer()), assertThrows(CycleException.class, () -> TopologicalSort.run(g)).cycle());
  }

  private static List<String> ops(Graph g) {
    List<String> out = new ArrayList<>();
    for (Node n : g.nodes()) out.add(n.opName());
    return out;
  }
}
